from __future__ import annotations

from django.conf import settings
from django.db import models

from zhenggai.ledger.choices import ClueStatus, FindingLevel, InspectionKind, RegulationKind
from zhenggai.ledger.models.units import Round, Unit
from zhenggai.ledger.querysets import FindingQuerySet, InspectionQuerySet, ScopedByInspectionQuerySet


class Inspection(models.Model):
    round = models.ForeignKey(
        Round,
        verbose_name="巡察轮次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(
        "类别", max_length=20, choices=InspectionKind.choices, default=InspectionKind.XUNCHA
    )
    inspector = models.CharField("巡察组", max_length=200, help_text="如：区委巡察二组")
    inspected_unit = models.ForeignKey(
        Unit, verbose_name="被巡察单位", on_delete=models.PROTECT, related_name="inspections"
    )
    onsite_start = models.DateField("进驻开始日期", null=True, blank=True)
    onsite_end = models.DateField("进驻结束日期", null=True, blank=True)
    feedback_date = models.DateField("反馈日期", null=True, blank=True)
    organising_work = models.TextField("整改组织工作情况", blank=True)
    source_sha256 = models.CharField("导入文件SHA-256", max_length=64, blank=True, db_index=True)
    # Set by `complete_inspection` once every measure is done or ongoing (整改完成); empty while work remains.
    rectified_at = models.DateTimeField("整改完成时间", null=True, blank=True, editable=False)
    rectified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="标记整改完成的人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # Per-inspection 延期 limits set by the 巡察办; empty: the ZHENGGAI_EXTENSION_* defaults.
    extension_max_days = models.PositiveIntegerField("单次延期上限（天）", null=True, blank=True)
    extension_max_count = models.PositiveIntegerField("延期次数上限", null=True, blank=True)
    # Raised by every service that changes the row; an edit form carries the version it showed.
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "巡察"
        verbose_name_plural = "巡察"
        ordering = ["-feedback_date", "-id"]
        # The lists' order (home, /inspections/): a wide scope walks this index and checks each row's reach,
        # and the first page fills after a few rows instead of sorting every inspection.
        indexes = [models.Index(fields=["-feedback_date", "-id"], name="inspection_feedback_order")]

    def __str__(self) -> str:
        return f"{self.inspector}对{self.inspected_unit}的{self.get_kind_display()}"

    @property
    def max_extension_days(self) -> int:
        """How far one extension may move a deadline before the 巡察办 must agree too."""
        return self.extension_max_days if self.extension_max_days is not None else settings.EXTENSION_MAX_DAYS

    @property
    def max_extensions(self) -> int:
        """How many approved extensions a measure may have before the next needs the 巡察办 too."""
        return (
            self.extension_max_count if self.extension_max_count is not None else settings.EXTENSION_MAX_COUNT
        )


class Finding(models.Model):
    """One node of the feedback tree: 方面 → 问题 → 具体问题, ordered among its siblings."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="巡察", on_delete=models.CASCADE, related_name="findings"
    )
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    level = models.CharField("层级", max_length=10, choices=FindingLevel.choices)
    position = models.PositiveIntegerField("序号", default=0)
    title = models.CharField("标题", max_length=500)
    text = models.TextField("问题表述", blank=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = "反馈问题"
        verbose_name_plural = "反馈问题"
        ordering = ["inspection", "parent_id", "position", "id"]
        indexes = [models.Index(fields=["inspection", "level"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()}：{self.title}"


class Regulation(models.Model):
    """建章立制: a rule made or revised as part of rectification."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="巡察", on_delete=models.CASCADE, related_name="regulations"
    )
    kind = models.CharField("类别", max_length=10, choices=RegulationKind.choices)
    title = models.CharField("制度名称", max_length=300)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    measures = models.ManyToManyField(
        "ledger.Measure", verbose_name="关联整改措施", blank=True, related_name="regulations"
    )

    objects = ScopedByInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "建章立制"
        verbose_name_plural = "建章立制"
        ordering = ["inspection", "issued_on", "id"]

    def __str__(self) -> str:
        return self.title


class Clue(models.Model):
    """问题线索 transferred by the inspection group, and how it was handled."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="巡察", on_delete=models.CASCADE, related_name="clues"
    )
    received_on = models.DateField("移交日期", null=True, blank=True)
    summary = models.TextField("线索摘要")
    handling = models.TextField("办理情况", blank=True)
    outcome = models.TextField("处理结果", blank=True)
    deadline = models.DateField("办理时限", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=ClueStatus.choices, default=ClueStatus.RECEIVED)

    objects = ScopedByInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "问题线索"
        verbose_name_plural = "问题线索"
        ordering = ["inspection", "received_on", "id"]

    def __str__(self) -> str:
        return self.summary[:40]
