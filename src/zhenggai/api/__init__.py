"""The REST API (/api/v1/, django-ninja): the pages' scoping and the ledger's services, over JSON."""
