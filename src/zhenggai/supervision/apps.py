from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhenggai.supervision"
    verbose_name = "督查督办"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from zhenggai.supervision.rules import rules

        rules()  # a bad ZHENGGAI_SUPERVISION_RULES stops start-up with its message
