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


ALL_ROUNDS = 0  # UnitTally.round_key of a unit's sums over all its inspections
# The overview's sortable figures: each has an index in both directions (the page sorts by it, then by unit id).
UNIT_TALLY_SORTS = (
    "name",
    "inspections",
    "problems",
    "measures",
    "done",
    "done_late",
    "ongoing",
    "overdue",
    "red",
    "yellow",
    "rate",
)


class UnitTally(models.Model):
    """One inspected unit's overview row: the sums of its inspections' tallies, over all rounds (round_key 0) and
    per round (round_key = the round's id), with the latest sweep's red and yellow counts of the unit.

    Kept with InspectionTally (`ledger.tally`): refreshed for the unit in the same transaction as its tally, rebuilt
    set-based after the sweep recounts `overdue`, its lights set when the sweep writes the day's snapshots. The
    overview reads a page of these rows along an index for every sort it offers instead of grouping the tallies.
    `name` and `path` are the unit's (kept by `rename_unit` and `Unit.save` on a move): the sort by name is an
    index too, ties are broken by path (the unit's order, as before), and the scope is a prefix of `path`
    checked along the sort's index (or read as a range of `ledger_ut_scope` for the totals), never a join.
    """

    unit = models.ForeignKey(
        Unit, verbose_name="被巡察单位", on_delete=models.CASCADE, related_name="unit_tallies"
    )
    round_key = models.PositiveBigIntegerField("巡察轮次", help_text="0 表示全部轮次")
    name = models.CharField("单位名称", max_length=200)
    path = models.CharField("单位路径", max_length=400)
    inspections = models.PositiveIntegerField("巡察次数", default=0)
    problems = models.PositiveIntegerField("反馈问题", default=0)
    details = models.PositiveIntegerField("具体问题", default=0)
    measures = models.PositiveIntegerField("整改措施", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    done_late = models.PositiveIntegerField("逾期完成", default=0)
    ongoing = models.PositiveIntegerField("推进中", default=0)
    overdue = models.PositiveIntegerField("已逾期", default=0)
    regulations_new = models.PositiveIntegerField("新制定制度", default=0)
    regulations_revised = models.PositiveIntegerField("修订完善制度", default=0)
    rate = models.FloatField("完成率", default=0.0)
    red = models.PositiveIntegerField("红灯", default=0)
    yellow = models.PositiveIntegerField("黄灯", default=0)

    class Meta:
        verbose_name = "单位统计"
        verbose_name_plural = "单位统计"
        constraints = [
            models.UniqueConstraint(fields=["unit", "round_key"], name="ledger_unittally_unit_round")
        ]
        indexes = [
            *(
                models.Index(fields=["round_key", name, "path"], name=f"ledger_ut_{name}")
                for name in UNIT_TALLY_SORTS
            ),
            *(
                models.Index(fields=["round_key", f"-{name}", "path"], name=f"ledger_ut_{name}_desc")
                for name in UNIT_TALLY_SORTS
            ),
            # the charts' lowest and highest completion rates, ties by name
            models.Index(fields=["round_key", "rate", "name", "path"], name="ledger_ut_rate_name"),
            models.Index(fields=["round_key", "-rate", "name", "path"], name="ledger_ut_rate_desc_name"),
            # the totals of a scope (and the rounds it has): a range of this index holds every figure they sum
            models.Index(
                fields=["round_key", "path", "measures", "done", "done_late", "overdue"],
                name="ledger_ut_scope",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.round_key}): {self.done}/{self.measures}"
