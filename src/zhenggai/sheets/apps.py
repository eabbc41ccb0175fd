from django.apps import AppConfig


class SheetsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "zhenggai.sheets"
    verbose_name = "整改台账表格"
