from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhenggai.ledger.models.units import Unit
from zhenggai.ledger.querysets import AuditEventQuerySet


class AuditEvent(models.Model):
    """全程纪实: who did what to which object, when, from what to what. Written by services only."""

    # Set when written (not auto_now_add: the time is part of the hash, computed before the insert).
    at = models.DateTimeField("时间", default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField("操作", max_length=50, db_index=True)
    object_type = models.CharField("对象类型", max_length=50)
    object_id = models.CharField("对象ID", max_length=40)
    object_repr = models.CharField("对象", max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    note = models.TextField("说明", blank=True)
    request_id = models.CharField("请求ID", max_length=64, blank=True)
    # The hash chain (ledger.audit_chain): position, the previous event's hash, this event's hash.
    seq = models.BigIntegerField("序号", unique=True, editable=False)
    prev_hash = models.CharField("前一条哈希", max_length=64, editable=False)
    chain_hash = models.CharField("哈希", max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "全程纪实"
        verbose_name_plural = "全程纪实"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["unit", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"
