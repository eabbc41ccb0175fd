from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LedgerConfig(AppConfig):
    name = "zhenggai.ledger"
    verbose_name = "整改台账"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhenggai.ledger import (
            lookups,  # noqa: F401  (registers path__prefix)
            security_audit,  # noqa: F401  (connects the login and admin receivers)
        )
        from zhenggai.ledger.duties import ensure_system_roles

        # After auth's handler has created the permissions the groups are given.
        post_migrate.connect(ensure_system_roles, sender=self)
