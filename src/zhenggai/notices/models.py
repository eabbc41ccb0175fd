from __future__ import annotations

from django.conf import settings
from django.db import models

from zhenggai.ledger.models import Inspection
from zhenggai.ledger.querysets import ScopedByInspectionQuerySet
from zhenggai.notices.choices import Audience, NoticeState


def notice_path(instance: Notice, filename: str) -> str:
    # One file per version; the version number is unique per inspection, so nothing is overwritten.
    return f"notices/{instance.inspection_id}/{instance.inspection_id}-v{instance.version}-{instance.audience}.docx"


class Notice(models.Model):
    """通报: one stored rendering of an inspection's notice, internal or public, with what it printed."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="巡察", on_delete=models.PROTECT, related_name="notices"
    )
    version = models.PositiveIntegerField("版本")
    audience = models.CharField("范围", max_length=10, choices=Audience.choices)
    title = models.CharField("标题", max_length=300)
    notice_date = models.DateField("成文日期")
    docx = models.FileField("Word 文件", upload_to=notice_path, max_length=300)
    docx_sha256 = models.CharField("Word 文件 SHA-256", max_length=64)
    docx_size = models.PositiveBigIntegerField("Word 文件大小（字节）")
    html = models.TextField("网页（HTML）")
    markdown = models.TextField("Markdown")
    figures = models.JSONField("通报中的数字", default=dict)
    redaction = models.JSONField("脱敏情况", default=dict, blank=True)
    exclusions = models.JSONField("不予公开的事项", default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="生成人", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    # The workflow (notices.workflow): who approved (审定), signed and published (签发), withdrew (撤回), when.
    state = models.CharField("状态", max_length=10, choices=NoticeState.choices, default=NoticeState.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审定人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField("审定时间", null=True, blank=True)
    review_note = models.TextField("审定意见", blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤回人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdraw_reason = models.TextField("撤回理由", blank=True)

    objects = ScopedByInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "通报"
        verbose_name_plural = "通报"
        ordering = ["inspection", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "version"], name="notice_version_unique_per_inspection"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（第{self.version}版，{self.get_audience_display()}）"

    @property
    def is_public(self) -> bool:
        return self.audience == Audience.PUBLIC

    @property
    def is_published(self) -> bool:
        return self.state == NoticeState.PUBLISHED
