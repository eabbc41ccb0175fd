from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Coalesce

from zhenggai.ledger.choices import OPEN_STATUSES, Decision, MeasureKind, MeasureStatus
from zhenggai.ledger.models.inspections import Finding, Inspection
from zhenggai.ledger.models.units import Unit
from zhenggai.ledger.querysets import MeasureQuerySet, ScopedByMeasureQuerySet

NO_DEADLINE = dt.date(9999, 12, 31)  # `due` of a measure without a deadline: sorts after every date


class Measure(models.Model):
    """整改措施: the unit of work, with its owners, deadline and sign-off."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="巡察", on_delete=models.CASCADE, related_name="measures"
    )
    finding = models.ForeignKey(
        Finding, verbose_name="反馈问题", on_delete=models.CASCADE, related_name="measures"
    )
    code = models.CharField("编号", max_length=40)
    position = models.PositiveIntegerField("序号", default=0)
    text = models.TextField("整改措施")
    kind = models.CharField("类型", max_length=20, choices=MeasureKind.choices, default=MeasureKind.DEADLINE)
    responsible_leader = models.CharField("责任领导", max_length=100, blank=True)
    lead_department = models.ForeignKey(
        Unit,
        verbose_name="牵头部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_measures",
    )
    cooperating_departments = models.ManyToManyField(
        Unit, verbose_name="配合部门", blank=True, related_name="cooperating_measures"
    )
    responsible_person = models.CharField("责任人", max_length=100, blank=True)
    start_date = models.DateField("开始日期", null=True, blank=True)
    deadline = models.DateField("整改时限", null=True, blank=True, help_text="长期坚持的措施可不填")
    original_deadline = models.DateField("原定整改时限", null=True, blank=True, editable=False)
    status = models.CharField(
        "状态", max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.DRAFT, db_index=True
    )
    progress = models.PositiveSmallIntegerField("进度（%）", default=0, validators=[MaxValueValidator(100)])
    completed_date = models.DateField("完成日期", null=True, blank=True)
    last_reported_at = models.DateTimeField("最近报送时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Raised by every service that changes the row; an edit form carries the version it showed.
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    # Sort keys the lists' indexes serve, computed by the database from status and deadline (no service can
    # forget them): open work (0) before closed (1), then the deadline with "none" last.
    urgency = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=OPEN_STATUSES, then=models.Value(0)), default=models.Value(1)
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
        verbose_name="紧急程度",
    )
    due = models.GeneratedField(
        expression=Coalesce("deadline", models.Value(NO_DEADLINE)),
        output_field=models.DateField(),
        db_persist=True,
        verbose_name="排序时限",
    )

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "整改措施"
        verbose_name_plural = "整改措施"
        ordering = ["inspection", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "code"], name="measure_code_unique_per_inspection"),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="measure_progress_at_most_100"
            ),
        ]
        indexes = [
            models.Index(fields=["inspection", "status"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["lead_department", "status"]),
            # One per order the measure lists offer (web.filters.SORTS); the 未完成 filter (urgency = 0) is checked
            # along the order's index (half the measures are open: a page fills after about 100 rows).
            models.Index(fields=["urgency", "due", "id"], name="measure_urgency_due"),
            models.Index(fields=["status", "due", "id"], name="measure_status_due"),
            models.Index(fields=["due", "id"], name="measure_due"),
            models.Index(fields=["progress", "id"], name="measure_progress"),
            models.Index(fields=["code", "id"], name="measure_code"),
            models.Index(fields=["updated_at", "id"], name="measure_updated"),
            # The search box, a name of one or two characters on PostgreSQL: the distinct people are walked
            # along it, then the matching ones' measures read by equality (web.search.people).
            models.Index(fields=["responsible_person"], name="measure_person"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:40]}"

    @property
    def is_done_late(self) -> bool:
        """逾期完成: signed off as done after its (possibly extended) deadline."""
        return (
            self.status == MeasureStatus.DONE
            and self.deadline is not None
            and self.completed_date is not None
            and self.completed_date > self.deadline
        )

    @property
    def status_label(self) -> str:
        """The status as lists show it: 已完成 signed off after the deadline reads 逾期完成."""
        return "逾期完成" if self.is_done_late else self.get_status_display()


class ProgressReport(models.Model):
    """整改进展: append-only; a correction is a new report, never an edit."""

    measure = models.ForeignKey(
        Measure, verbose_name="整改措施", on_delete=models.CASCADE, related_name="reports"
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField("报送时间", auto_now_add=True)
    text = models.TextField("进展情况")
    progress = models.PositiveSmallIntegerField("进度（%）", validators=[MaxValueValidator(100)])

    objects = ScopedByMeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "整改进展"
        verbose_name_plural = "整改进展"
        ordering = ["measure", "reported_at", "id"]

    def __str__(self) -> str:
        return f"{self.measure.code} {self.reported_at:%Y-%m-%d} {self.progress}%"


def evidence_path(instance: Evidence, filename: str) -> str:
    # Named by content hash: a file is never overwritten, an identical upload is stored once.
    suffix = (
        "".join(c for c in filename.rsplit(".", 1)[-1].lower() if c.isalnum())[:10] if "." in filename else ""
    )
    name = instance.sha256 + (f".{suffix}" if suffix else "")
    return f"evidence/{instance.sha256[:2]}/{name}"


class Evidence(models.Model):
    """佐证材料: a file under the data directory with its SHA-256, size and type."""

    measure = models.ForeignKey(
        Measure, verbose_name="整改措施", on_delete=models.CASCADE, related_name="evidence"
    )
    report = models.ForeignKey(
        ProgressReport,
        verbose_name="所属进展",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField("文件", upload_to=evidence_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedByMeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["measure", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class SignOff(models.Model):
    """销号: requested by one person, decided by another."""

    measure = models.ForeignKey(
        Measure, verbose_name="整改措施", on_delete=models.CASCADE, related_name="signoffs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    note = models.TextField("申请说明", blank=True)
    decision = models.CharField(
        "审核结果", max_length=10, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    outcome = models.CharField("销号结论", max_length=20, choices=MeasureStatus.choices, blank=True)
    periodic_review = models.CharField(
        "定期复查安排", max_length=500, blank=True, help_text="长期坚持的措施按“持续推进”销号时必填"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True)

    objects = ScopedByMeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "销号申请"
        verbose_name_plural = "销号申请"
        ordering = ["measure", "requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.measure.code} 销号 {self.get_decision_display()}"


class Extension(models.Model):
    """延期: the old deadline stays recorded here whatever the decision."""

    measure = models.ForeignKey(
        Measure, verbose_name="整改措施", on_delete=models.CASCADE, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    reason = models.TextField("延期理由")
    old_deadline = models.DateField("原整改时限", null=True, blank=True)
    new_deadline = models.DateField("申请整改时限")
    decision = models.CharField(
        "审核结果", max_length=10, choices=Decision.choices, default=Decision.PENDING, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.TextField("审核意见", blank=True)

    objects = ScopedByMeasureQuerySet.as_manager()

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["measure", "requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.measure.code} 延期至 {self.new_deadline}"


class Reach(models.Model):
    """Which units reach a measure or an inspection: the scope of `visible_to` as rows, kept by database triggers.

    One row per (measure, unit, source): the inspected unit ("i"), the lead department ("l"), each cooperating
    department ("c"); and one row per inspection for its inspected unit ("u", no measure). "Visible to a user whose
    subtrees are P" is then one semi-join: a reach row of the measure whose unit's path starts with P, instead of a
    UNION of three id sets. Written only by the triggers of migration 0008 (inserts, bulk loads and updates all
    fire them); never by the application.
    """

    INSPECTED = "i"
    LEAD = "l"
    COOPERATING = "c"
    INSPECTION = "u"

    # No database constraints and no Django cascade: the delete triggers remove the rows with their source.
    inspection = models.ForeignKey(
        Inspection, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    measure = models.ForeignKey(
        Measure, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    unit = models.ForeignKey(Unit, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    source = models.CharField(max_length=1)

    class Meta:
        verbose_name = "可见范围"
        verbose_name_plural = "可见范围"
        indexes = [
            models.Index(fields=["measure", "unit"], name="reach_measure_unit"),
            models.Index(fields=["inspection", "unit"], name="reach_inspection_unit"),
            models.Index(fields=["unit", "measure"], name="reach_unit_measure"),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.measure_id or self.inspection_id} ← {self.unit_id}"
