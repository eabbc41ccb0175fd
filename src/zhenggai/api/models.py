"""API tokens: personal, hashed, scoped, expiring, revocable."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TokenScope(models.TextChoices):
    READ = "read", "只读"
    READ_WRITE = "read_write", "读写"


class ApiToken(models.Model):
    """API 令牌: the secret is shown once at creation; only its SHA-256 is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户"
    )
    name = models.CharField("名称", max_length=100)
    prefix = models.CharField("前缀", max_length=12, help_text="令牌的前几位，用于辨认")
    digest = models.CharField("摘要", max_length=64, unique=True)
    scope = models.CharField("权限", max_length=12, choices=TokenScope.choices, default=TokenScope.READ)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.READ_WRITE


class WebhookKind(models.TextChoices):
    DINGTALK = "dingtalk", "钉钉群机器人"
    WECOM = "wecom", "企业微信群机器人"
    JSON = "json", "通用 JSON（HMAC 签名）"


class WebhookEvent(models.TextChoices):
    WARNING_RED = "warning_red", "整改措施转为红灯"
    NOTICE_ISSUED = "notice_issued", "下发督办单"
    NOTICE_ESCALATED = "notice_escalated", "督办单升级"
    SIGNOFF_REQUESTED = "signoff_requested", "申请销号"
    SIGNOFF_DECIDED = "signoff_decided", "销号审核结果"
    WEEKLY_READY = "weekly_ready", "每周汇总已生成"
    FEEDBACK_RECEIVED = "feedback_received", "收到群众意见"
    FEEDBACK_OVERDUE = "feedback_overdue", "群众意见超期未答复"


class WebhookEndpoint(models.Model):
    """A destination for a unit's events (its whole subtree): a robot of a group chat, or any JSON receiver."""

    unit = models.ForeignKey(
        "ledger.Unit", on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name="单位"
    )
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=WebhookKind.choices)
    url = models.URLField("地址", max_length=500, help_text="机器人的 Webhook 地址（含 access_token 或 key）")
    secret = models.CharField(
        "签名密钥",
        max_length=200,
        blank=True,
        help_text="钉钉机器人“加签”的密钥（SEC 开头）；通用 JSON 的 HMAC 密钥",
    )
    events = models.JSONField("事件", default=list, blank=True, help_text="为空表示全部事件")
    active = models.BooleanField("启用", default=True)
    failures = models.PositiveIntegerField("连续失败次数", default=0, editable=False)
    disabled_at = models.DateTimeField("因连续失败停用于", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "Webhook 推送地址"
        verbose_name_plural = "Webhook 推送地址"

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENT = "sent", "已送达"
    FAILED = "failed", "已放弃"


class WebhookDelivery(models.Model):
    """One message to one endpoint: the queue the sweep (or `zhenggai webhooks deliver`) drains, and its log."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name="推送地址"
    )
    event = models.CharField("事件", max_length=20, choices=WebhookEvent.choices)
    payload = models.JSONField("内容")
    status = models.CharField(
        "状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("已尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试时间")
    last_status = models.PositiveSmallIntegerField("最近响应码", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "Webhook 推送记录"
        verbose_name_plural = "Webhook 推送记录"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="api_delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_event_display()} → {self.endpoint}"


class DirectoryGrant(models.Model):
    """A membership that the directory rules gave (zhenggai.directory): kept in step at every directory login."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="directory_grants",
        verbose_name="用户",
    )
    unit = models.ForeignKey("ledger.Unit", on_delete=models.CASCADE, related_name="+", verbose_name="单位")
    created_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "统一身份认证授予的角色"
        verbose_name_plural = "统一身份认证授予的角色"
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="api_directory_grant_once")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"
