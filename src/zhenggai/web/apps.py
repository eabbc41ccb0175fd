from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "zhenggai.web"
    verbose_name = "网页"
