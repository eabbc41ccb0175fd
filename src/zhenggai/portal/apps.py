from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "zhenggai.portal"
    label = "portal"
    verbose_name = "公开与群众意见"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from zhenggai.ledger.models import Unit
        from zhenggai.notices.models import Notice
        from zhenggai.portal.public import notice_saved, unit_saved

        post_save.connect(notice_saved, sender=Notice, dispatch_uid="portal-stamp-save")
        post_delete.connect(notice_saved, sender=Notice, dispatch_uid="portal-stamp-delete")
        post_save.connect(unit_saved, sender=Unit, dispatch_uid="portal-stamp-unit")
