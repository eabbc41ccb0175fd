from __future__ import annotations

from django.db import models

from zhenggai.ledger.models.inspections import Inspection
from zhenggai.ledger.models.units import Round, Unit


class InspectionTally(models.Model):
    """An inspection's figures, kept up to date by the services so overview pages never count measures.

    Status-driven counts change only through services, which refresh the tally in the same transaction;
    `overdue` also moves with the calendar, so the daily sweep recounts it (`as_of` says for which day).
    """

    inspection = models.OneToOneField(
        Inspection, verbose_name="巡察", primary_key=True, on_delete=models.CASCADE, related_name="tally"
    )
    unit = models.ForeignKey(
        Unit, verbose_name="被巡察单位", on_delete=models.CASCADE, related_name="tallies"
    )
    round = models.ForeignKey(
        Round,
        verbose_name="巡察轮次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tallies",
    )
    problems = models.PositiveIntegerField("反馈问题", default=0)
    details = models.PositiveIntegerField("具体问题", default=0)
    measures = models.PositiveIntegerField("整改措施", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    done_late = models.PositiveIntegerField("逾期完成", default=0, help_text="已完成中销号晚于整改时限的")
    ongoing = models.PositiveIntegerField("推进中", default=0)
    overdue = models.PositiveIntegerField("已逾期", default=0)
    regulations_new = models.PositiveIntegerField("新制定制度", default=0)
    regulations_revised = models.PositiveIntegerField("修订完善制度", default=0)
    as_of = models.DateField("逾期统计日期")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "巡察统计"
        verbose_name_plural = "巡察统计"
        indexes = [models.Index(fields=["unit", "round"])]

    def __str__(self) -> str:
        return f"{self.inspection_id}: {self.done}/{self.measures}"

    @property
    def completion_rate(self) -> float:
        return round(self.done * 100 / self.measures, 1) if self.measures else 0.0
