from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zhenggai.portal"
    label = "portal"
    verbose_name = "公开与群众意见"
