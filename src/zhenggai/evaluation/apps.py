from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "zhenggai.evaluation"
    verbose_name = "整改评估"
    default_auto_field = "django.db.models.BigAutoField"
