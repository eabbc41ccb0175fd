from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zhenggai.ledger"
    verbose_name = "整改台账"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhenggai.ledger import lookups  # noqa: F401  (registers path__prefix)
