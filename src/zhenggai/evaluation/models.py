"""整改评估 (a rubric and its evaluations) and 回头看 (re-check of a random sample of done measures)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from zhenggai.evaluation.choices import Grade, RecheckResult, RuleKind
from zhenggai.ledger.models import Evidence, Inspection, Measure, Round, Unit
from zhenggai.ledger.querysets import ScopedByInspectionQuerySet, path_q, scope_paths


class Rubric(models.Model):
    """评估细则: owned by a supervising unit, applied to the inspections under it."""

    unit = models.OneToOneField(
        Unit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="rubric"
    )
    name = models.CharField("名称", max_length=200, default="巡察整改评估细则")
    good_from = models.DecimalField("“好”的最低分", max_digits=5, decimal_places=1, default=Decimal(90))
    fairly_good_from = models.DecimalField(
        "“较好”的最低分", max_digits=5, decimal_places=1, default=Decimal(80)
    )
    average_from = models.DecimalField("“一般”的最低分", max_digits=5, decimal_places=1, default=Decimal(60))
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "评估细则"
        verbose_name_plural = "评估细则"

    def __str__(self) -> str:
        return f"{self.unit.display_name}{self.name}"

    def grade(self, score: Decimal) -> Grade:
        if score >= self.good_from:
            return Grade.GOOD
        if score >= self.fairly_good_from:
            return Grade.FAIRLY_GOOD
        if score >= self.average_from:
            return Grade.AVERAGE
        return Grade.POOR


class RubricItem(models.Model):
    """One line of the rubric: up to `points` deducted, `per_case` for each case its rule finds."""

    rubric = models.ForeignKey(
        Rubric, verbose_name="评估细则", on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField("序号", default=0)
    rule = models.CharField("扣分规则", max_length=20, choices=RuleKind.choices)
    title = models.CharField("评估项目", max_length=200)
    points = models.DecimalField("分值", max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    per_case = models.DecimalField(
        "每处扣分", max_digits=5, decimal_places=1, validators=[MinValueValidator(0)]
    )
    # For 建章立制: the number of regulations expected; unused by the other rules.
    target = models.PositiveIntegerField("要求数量", default=0)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "评估项目"
        verbose_name_plural = "评估项目"
        ordering = ["rubric", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Evaluation(models.Model):
    """整改评估 of one inspection (so of one unit) by a rubric; deductions stored with their reasons."""

    inspection = models.ForeignKey(
        Inspection, verbose_name="巡察", on_delete=models.CASCADE, related_name="evaluations"
    )
    rubric = models.ForeignKey(Rubric, verbose_name="评估细则", on_delete=models.PROTECT, related_name="+")
    computed_at = models.DateTimeField("评估时间")
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="评估人", on_delete=models.PROTECT, related_name="+"
    )
    computed_score = models.DecimalField("计算得分", max_digits=5, decimal_places=1)
    # [{"item": id, "title": …, "points": max, "deducted": "3.0", "reasons": ["…", …]}, …]
    deductions = models.JSONField("扣分明细", default=list)
    adjustment = models.DecimalField("人工调整", max_digits=5, decimal_places=1, default=Decimal(0))
    adjustment_reason = models.TextField("调整理由", blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="调整人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    adjusted_at = models.DateTimeField("调整时间", null=True, blank=True)
    score = models.DecimalField("最终得分", max_digits=5, decimal_places=1)
    grade = models.CharField("等次", max_length=20, choices=Grade.choices)

    objects = ScopedByInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "整改评估"
        verbose_name_plural = "整改评估"
        ordering = ["-computed_at", "-id"]
        indexes = [models.Index(fields=["inspection", "computed_at"])]

    def __str__(self) -> str:
        return f"{self.inspection} {self.score}分（{self.get_grade_display()}）"


class RecheckQuerySet(models.QuerySet["Recheck"]):
    def visible_to(self, user: object) -> RecheckQuerySet:
        paths = scope_paths(user)  # type: ignore[arg-type]
        return self if paths is None else self.filter(path_q("unit__path", paths))


class Recheck(models.Model):
    """回头看 (抽查): a reproducible random sample of done measures under a unit, optionally of one round."""

    unit = models.ForeignKey(Unit, verbose_name="抽查范围", on_delete=models.PROTECT, related_name="rechecks")
    round = models.ForeignKey(
        Round, verbose_name="巡察轮次", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField("名称", max_length=200)
    seed = models.BigIntegerField("随机种子")
    size = models.PositiveIntegerField("抽查数量")
    population = models.PositiveIntegerField("可抽查措施数")
    drawn_at = models.DateTimeField("抽取时间")
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="抽取人", on_delete=models.PROTECT, related_name="+"
    )

    objects = RecheckQuerySet.as_manager()

    class Meta:
        verbose_name = "回头看"
        verbose_name_plural = "回头看"
        ordering = ["-drawn_at", "-id"]

    def __str__(self) -> str:
        return self.title


class RecheckItem(models.Model):
    recheck = models.ForeignKey(
        Recheck, verbose_name="回头看", on_delete=models.CASCADE, related_name="items"
    )
    measure = models.ForeignKey(
        Measure, verbose_name="整改措施", on_delete=models.CASCADE, related_name="rechecks"
    )
    stratum = models.CharField("抽样层", max_length=200)
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核查人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(
        "核查结论", max_length=20, choices=RecheckResult.choices, default=RecheckResult.PENDING, db_index=True
    )
    note = models.TextField("核查情况", blank=True)
    # The checker's own proof (photo, record of the visit), stored like 佐证材料 by SHA-256; not the measure's.
    evidence_file = models.FileField("核查佐证", upload_to="recheck/", max_length=300, blank=True)
    evidence_name = models.CharField("核查佐证文件名", max_length=255, blank=True)
    evidence_sha256 = models.CharField("核查佐证SHA-256", max_length=64, blank=True)
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)

    class Meta:
        verbose_name = "回头看核查项"
        verbose_name_plural = "回头看核查项"
        ordering = ["recheck", "id"]
        constraints = [models.UniqueConstraint(fields=["recheck", "measure"], name="recheck_measure_once")]

    def __str__(self) -> str:
        return f"{self.recheck} {self.measure.code}"


class EvidenceImageHash(models.Model):
    """The perceptual hash (dHash, 16 hex digits) of one image 佐证材料, computed once; "" when not readable."""

    evidence = models.OneToOneField(
        Evidence,
        verbose_name="佐证材料",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="image_hash",
    )
    dhash = models.CharField("感知哈希", max_length=16, blank=True)
    computed_at = models.DateTimeField("计算时间", auto_now_add=True)

    class Meta:
        verbose_name = "佐证图片感知哈希"
        verbose_name_plural = "佐证图片感知哈希"

    def __str__(self) -> str:
        return self.dhash


class SignalRun(models.Model):
    """One stored scan of 纸面整改 signals over the whole ledger (`zhenggai signals --store`): the pages read the
    latest instead of scanning at province scale."""

    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("完成时间", db_index=True)
    measures = models.PositiveIntegerField("检查措施数")
    signals = models.PositiveIntegerField("疑点数")
    seconds = models.FloatField("用时（秒）")

    class Meta:
        verbose_name = "疑点扫描"
        verbose_name_plural = "疑点扫描"
        ordering = ["-finished_at", "-id"]

    def __str__(self) -> str:
        return f"疑点扫描{self.pk}"


class StoredSignal(models.Model):
    """One signal of a stored run. `scope_path` is the nearest unit above all its inspections: a user sees
    the signal when that unit is in their scope, so it shows nothing of units they may not see."""

    run = models.ForeignKey(
        SignalRun, verbose_name="疑点扫描", on_delete=models.CASCADE, related_name="items"
    )
    kind = models.CharField("类别", max_length=20)
    summary = models.TextField("疑点")
    evidence = models.JSONField("依据", default=list)
    measure_ids = models.JSONField("措施", default=list)
    links = models.JSONField("措施链接", default=list)  # [[measure id, unit name, code], …], at most 20
    inspection_ids = models.JSONField("巡察", default=list)
    notice_id = models.IntegerField("通报", null=True, blank=True)
    scope_path = models.CharField("范围路径", max_length=400)

    class Meta:
        verbose_name = "疑点"
        verbose_name_plural = "疑点"
        ordering = ["run", "id"]
        indexes = [models.Index(fields=["run", "scope_path"]), models.Index(fields=["run", "kind"])]

    def __str__(self) -> str:
        return self.summary

    @property
    def label(self) -> str:
        from zhenggai.evaluation.signals.scan import KIND_LABELS

        return KIND_LABELS.get(self.kind, self.kind)
