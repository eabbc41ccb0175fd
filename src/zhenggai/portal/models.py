"""群众意见: what the public sends from the portal, and the calendar its time limits are counted in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhenggai.ledger.models import Clue, Finding, Unit
from zhenggai.notices.models import Notice
from zhenggai.portal.choices import FeedbackCategory, FeedbackState


def attachment_path(instance: FeedbackAttachment, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"feedback/{instance.feedback_id}/{instance.sha256}.{ext}"


class PublicFeedback(models.Model):
    """群众意见: one message from the public to a unit, answered within a number of working days."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    notice = models.ForeignKey(
        Notice, verbose_name="通报", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.CharField("类别", max_length=12, choices=FeedbackCategory.choices)
    content = models.TextField("内容")
    # Contact data: seen by the handler and the supervisors only, erased after the retention period.
    name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True, db_index=True)
    email = models.EmailField("电子邮箱", max_length=200, blank=True)
    contact_erased_at = models.DateTimeField("联系方式删除时间", null=True, blank=True)
    # 查询码: only its SHA-256 is kept; the code itself is shown to the sender once.
    code_hash = models.CharField("查询码摘要", max_length=64, unique=True, editable=False)
    captcha_nonce = models.CharField("验证码标识", max_length=40, unique=True, editable=False)
    ip_hash = models.CharField("来源摘要", max_length=64, db_index=True, editable=False)
    submitted_at = models.DateTimeField("提交时间", default=timezone.now, db_index=True)
    due_on = models.DateField("答复时限")
    state = models.CharField(
        "状态", max_length=10, choices=FeedbackState.choices, default=FeedbackState.RECEIVED
    )
    red_since = models.DateField("超期标红日期", null=True, blank=True, editable=False)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="承办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answer = models.TextField("答复", blank=True)
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    reject_reason = models.TextField("不予受理理由", blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    finding = models.ForeignKey(
        Finding, verbose_name="关联问题", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    clue = models.ForeignKey(
        Clue, verbose_name="转为线索", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "群众意见"
        verbose_name_plural = "群众意见"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["state", "due_on"]), models.Index(fields=["unit", "state"])]

    def __str__(self) -> str:
        return f"群众意见{self.pk}（{self.get_category_display()}）"

    @property
    def answered_on_time(self) -> bool:
        return self.answered_at is not None and timezone.localdate(self.answered_at) <= self.due_on


class FeedbackAttachment(models.Model):
    feedback = models.ForeignKey(
        PublicFeedback, verbose_name="群众意见", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)

    class Meta:
        verbose_name = "群众意见附件"
        verbose_name_plural = "群众意见附件"

    def __str__(self) -> str:
        return self.original_name


class CalendarDay(models.Model):
    """A day that breaks the Monday–Friday rule: a public holiday on a weekday, or a 调休 working weekend day.

    Shipped for 2026 (the State Council's arrangement) and 2027's statutory holidays; the system administrator
    adds each new year's arrangement in the admin (系统管理 → 节假日与调休).
    """

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("上班", help_text="勾选：调休上班日；不勾选：放假")
    note = models.CharField("说明", max_length=50, blank=True)

    class Meta:
        verbose_name = "节假日与调休"
        verbose_name_plural = "节假日与调休"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day.isoformat()} {'上班' if self.is_workday else '放假'} {self.note}".strip()


class PublicationStamp(models.Model):
    """One row whose counter moves whenever a public notice version is saved (signed, withdrawn, …).

    The public pages' cache key includes it: one primary-key read per request, right for every server that
    shares the database (the intranet one and the DMZ one).
    """

    counter = models.PositiveBigIntegerField("计数", default=0)
    changed_at = models.DateTimeField("变更时间", auto_now=True)

    class Meta:
        verbose_name = "公开内容版本"
        verbose_name_plural = "公开内容版本"

    def __str__(self) -> str:
        return str(self.counter)
