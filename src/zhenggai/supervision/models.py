"""Supervision records: current lights, warnings issued, indicators, 督办单, runs and in-app notifications.

Nothing here is typed by hand: lights and warnings come from the sweep (rules.py), everything else from the
services (services.py), which check permission and write one audit event each.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from zhenggai.ledger.models import Extension, Inspection, Measure, Unit
from zhenggai.ledger.models.measures import NO_DEADLINE
from zhenggai.ledger.querysets import path_q, scope_is_whole, scope_paths, user_reach_q
from zhenggai.supervision.choices import (
    SEVERITY,
    WARNING_COLOURS,
    Colour,
    IndicatorRule,
    NoticeLevel,
    NoticeStatus,
    NotificationKind,
    RunKind,
    RunOutcome,
)

if TYPE_CHECKING:
    from zhenggai.ledger.querysets import AnyUser


class SupervisionRun(models.Model):
    """One run of a scheduled command: what it did, and whether it failed (with the error)."""

    kind = models.CharField("类别", max_length=10, choices=RunKind.choices)
    period = models.DateField("对应日期", help_text="巡检的日期；每周汇总为发送当天（周一）")
    started_at = models.DateTimeField("开始时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    outcome = models.CharField("结果", max_length=10, choices=RunOutcome.choices, default=RunOutcome.RUNNING)
    counts = models.JSONField("统计", default=dict, blank=True)
    error = models.TextField("错误信息", blank=True)

    class Meta:
        verbose_name = "督查任务记录"
        verbose_name_plural = "督查任务记录"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "period"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} {self.get_outcome_display()}"


class JobLock(models.Model):
    """A scheduled job's lock on databases without advisory locks (SQLite): one row per job while it runs.

    Taken and released by zhenggai.supervision.jobs; a row whose holder crashed stops counting when it
    expires, or at once when its process is gone on this host.
    """

    job = models.CharField("任务", max_length=20, unique=True)
    period = models.DateField("对应日期")
    host = models.CharField("主机", max_length=255)
    pid = models.PositiveIntegerField("进程号")
    token = models.CharField("标识", max_length=32)
    acquired_at = models.DateTimeField("开始时间")
    expires_at = models.DateTimeField("失效时间")

    class Meta:
        verbose_name = "任务锁"
        verbose_name_plural = "任务锁"

    def __str__(self) -> str:
        return f"{self.job} {self.period} {self.host}:{self.pid}"


class LightQuerySet(models.QuerySet["MeasureLight"]):
    def visible_to(self, user: AnyUser) -> LightQuerySet:
        paths = scope_paths(user)
        if paths is None or scope_is_whole(user):  # every measure (querysets.scope_is_whole)
            return self
        return self.filter(user_reach_q(user, paths, "measure", "measure_id"))


class MeasureLight(models.Model):
    """A measure's current colour, kept by the sweep; done measures have none (no row).

    Derived data, written by the hundred thousand on a first sweep: no database constraint on the measure
    (PostgreSQL would check each at commit); deleting a measure still removes its light through Django.
    """

    measure = models.OneToOneField(
        Measure,
        verbose_name="整改措施",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="light",
        db_constraint=False,
    )
    colour = models.CharField("颜色", max_length=10, choices=Colour.choices)
    reasons = models.PositiveIntegerField("原因", default=0, help_text="choices.Reason 的位标志")
    since = models.DateTimeField("变色时间")
    # The warnings page's sort keys, stored so that a page is an index range: the colour's severity (computed
    # by the database from the colour) and the measure's deadline as the sweep found it (None last).
    rank = models.GeneratedField(
        expression=models.Case(
            *(models.When(colour=colour, then=models.Value(rank)) for colour, rank in SEVERITY.items()),
            default=models.Value(len(SEVERITY)),
        ),
        output_field=models.SmallIntegerField(),
        db_persist=True,
        verbose_name="严重程度",
    )
    due = models.DateField("排序时限", default=NO_DEADLINE)

    objects = LightQuerySet.as_manager()

    class Meta:
        verbose_name = "措施预警灯"
        verbose_name_plural = "措施预警灯"
        indexes = [
            models.Index(fields=["colour"]),
            models.Index(fields=["rank", "due", "measure"], name="light_rank_due"),
            models.Index(fields=["colour", "due", "measure"], name="light_colour_due"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.get_colour_display()}"


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def visible_to(self, user: AnyUser) -> IndicatorQuerySet:
        paths = scope_paths(user)
        if paths is None or scope_is_whole(user):  # every unit: every indicator (planning the OR took 2 ms)
            return self
        measures = Measure.objects.visible_to(user).values("pk")
        # Staff see their department's indicators (the department reports them) beside their measures'.
        return self.filter(
            path_q("unit__path", paths) | path_q("department__path", paths) | Q(measure__in=measures)
        )

    def current(self) -> IndicatorQuerySet:
        """Not retired (retire_indicator): listed, coloured by the sweep and open to reports."""
        return self.filter(retired_at__isnull=True)


class Indicator(models.Model):
    """指标: a target with dated actuals, e.g. a budget project's execution rate, judged by a built-in rule."""

    name = models.CharField("指标名称", max_length=200)
    unit = models.ForeignKey(
        Unit, verbose_name="所属单位", on_delete=models.PROTECT, related_name="indicators"
    )
    department = models.ForeignKey(
        Unit,
        verbose_name="责任部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="其经办人可以报送实际值",
    )
    inspection = models.ForeignKey(
        Inspection, verbose_name="巡察", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name="整改措施",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    rule = models.CharField(
        "预警规则", max_length=20, choices=IndicatorRule.choices, default=IndicatorRule.EXECUTION_RATE
    )
    year = models.PositiveIntegerField("年度", help_text="序时进度按该年度的天数计算")
    target = models.DecimalField("目标值", max_digits=18, decimal_places=2)
    unit_label = models.CharField("计量单位", max_length=20, blank=True, help_text="如：万元")
    colour = models.CharField("颜色", max_length=10, choices=Colour.choices, blank=True)
    colour_since = models.DateTimeField("变色时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    retired_at = models.DateTimeField(
        "停用时间", null=True, blank=True, help_text="停用的指标不再预警、不再报送，记录保留"
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["unit", "year", "name", "id"]
        indexes = [models.Index(fields=["year", "colour"])]
        constraints = [models.CheckConstraint(condition=Q(target__gt=0), name="indicator_target_positive")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"


class IndicatorActual(models.Model):
    """实际值 of an indicator on a date (e.g. the amount spent by the end of a month)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="actuals"
    )
    on_date = models.DateField("日期")
    value = models.DecimalField("实际值", max_digits=18, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("报送时间", auto_now_add=True)

    class Meta:
        verbose_name = "指标实际值"
        verbose_name_plural = "指标实际值"
        ordering = ["indicator", "on_date"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "on_date"], name="indicator_actual_one_per_date")
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.on_date} {self.value}"


class WarningQuerySet(models.QuerySet["Warning"]):
    def issued(self) -> WarningQuerySet:
        """Warnings proper (the all-clear, green, is recorded but not counted as a warning)."""
        return self.filter(colour__in=WARNING_COLOURS)

    def visible_to(self, user: AnyUser) -> WarningQuerySet:
        paths = scope_paths(user)
        if paths is None or scope_is_whole(user):  # every unit: every warning
            return self
        measures = Measure.objects.visible_to(user).values("pk")
        return self.filter(path_q("unit__path", paths) | Q(measure__in=measures))


class Warning(models.Model):  # the glossary's name (预警), shadowing the builtin on purpose
    """预警: one colour change of a measure or an indicator, as the sweep found it. Append-only.

    The sweep writes these by the hundred thousand on its first run, so the foreign keys carry neither an index
    of their own (the composite indexes below lead with the columns looked up) nor a database constraint
    (checking six per row costs PostgreSQL seconds at commit); deletes still cascade through Django.
    """

    run = models.ForeignKey(
        SupervisionRun,
        verbose_name="巡检",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    issued_at = models.DateTimeField("发出时间")
    unit = models.ForeignKey(
        Unit,
        verbose_name="单位",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name="巡察",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name="整改措施",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    department = models.ForeignKey(
        Unit,
        verbose_name="责任部门",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text="发出时措施的牵头部门",
    )
    indicator = models.ForeignKey(
        Indicator,
        verbose_name="指标",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    colour = models.CharField("颜色", max_length=10, choices=Colour.choices)
    previous = models.CharField("原颜色", max_length=10, choices=Colour.choices, blank=True)
    reasons = models.PositiveIntegerField("原因", default=0)

    objects = WarningQuerySet.as_manager()

    class Meta:
        verbose_name = "预警记录"
        verbose_name_plural = "预警记录"
        ordering = ["-issued_at", "-id"]
        indexes = [
            # Few indexes: each costs the first sweep a write per warning.
            models.Index(fields=["run", "colour"]),
            models.Index(fields=["measure", "run"]),
            models.Index(
                fields=["indicator", "run"],
                condition=Q(indicator__isnull=False),
                name="warning_indicator_run",
            ),
            # Counting for a unit's subtree or an inspection (whose warnings carry its inspected unit).
            models.Index(fields=["unit", "issued_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.issued_at:%Y-%m-%d} {self.get_colour_display()}"


class NoticeQuerySet(models.QuerySet["SupervisionNotice"]):
    def visible_to(self, user: AnyUser) -> NoticeQuerySet:
        paths = scope_paths(user)
        if paths is None:
            return self
        through = SupervisionNotice.measures.through
        covered = through.objects.filter(
            supervisionnotice=OuterRef("pk"), measure__in=Measure.objects.visible_to(user).values("pk")
        )
        return self.filter(path_q("unit__path", paths) | Q(Exists(covered)))

    def open(self) -> NoticeQuerySet:
        """Not yet 办结: still binding (e.g. on extensions of the measures it covers)."""
        return self.exclude(status=NoticeStatus.CLOSED)


class SupervisionNotice(models.Model):
    """督办单: issued by a supervisor on chosen measures; escalates blue → orange → red while unanswered."""

    unit = models.ForeignKey(
        Unit, verbose_name="被督办单位", on_delete=models.PROTECT, related_name="supervision_notices"
    )
    title = models.CharField("督办事项", max_length=200)
    content = models.TextField("督办要求")
    measures = models.ManyToManyField(Measure, verbose_name="督办措施", related_name="supervision_notices")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="督办人", on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField("督办时间")
    reply_deadline = models.DateField("回复时限")
    level = models.CharField("督办等级", max_length=10, choices=NoticeLevel.choices, default=NoticeLevel.BLUE)
    level_since = models.DateField("升级日期")
    status = models.CharField(
        "状态", max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN, db_index=True
    )
    reply = models.TextField("回复内容", blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="回复人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField("回复时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closing_note = models.TextField("办结意见", blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = "督办单"
        verbose_name_plural = "督办单"
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["status", "reply_deadline"])]

    def __str__(self) -> str:
        return f"{self.get_level_display()}：{self.title}"


class ExtensionApproval(models.Model):
    """The two signatures an extension needs while a 督办单 covers its measure (leader, then supervisor)."""

    extension = models.OneToOneField(
        Extension,
        verbose_name="延期申请",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="supervision_approval",
    )
    notice = models.ForeignKey(
        SupervisionNotice, verbose_name="督办单", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="单位领导",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    leader_at = models.DateTimeField("领导同意时间", null=True, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="巡察办",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supervisor_at = models.DateTimeField("巡察办同意时间", null=True, blank=True)

    class Meta:
        verbose_name = "延期双签"
        verbose_name_plural = "延期双签"

    def __str__(self) -> str:
        return f"延期申请{self.extension_id}"


class Notification(models.Model):
    """An in-app message; e-mailed too when e-mail is configured and the user has an address."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField("类别", max_length=12, choices=NotificationKind.choices)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    html = models.TextField("HTML内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    run = models.ForeignKey(
        SupervisionRun,
        verbose_name="巡检",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    emailed_at = models.DateTimeField("邮件发送时间", null=True, blank=True)
    email_error = models.TextField("邮件发送错误", blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"]), models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return self.title


class SnapshotBasis(models.TextChoices):
    UNIT = "unit", "被巡察单位"
    DEPARTMENT = "department", "牵头部门"
    TREE = "tree", "本级及下级合计"
    # The lights of the measures a member of the unit may see (visible_to: inspected in the subtree, or led or
    # co-led by a department in it), each measure once: the warnings page's colour counts.
    SCOPE = "scope", "可见范围合计"


class DailySnapshot(models.Model):
    """每日快照: one unit's figures at the end of a sweep, so trend charts read history as it was.

    Written by the sweep for every inspected unit (basis 被巡察单位), every lead department (basis 牵头部门), and
    every unit above an inspected unit with the sums of its subtree (basis 本级及下级合计, so that a province's
    trend reads one row a day); a day without a row is a day without data, never zero. A second sweep on the same day replaces the rows.
    """

    day = models.DateField("日期")
    unit = models.ForeignKey(
        Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="snapshots", db_constraint=False
    )
    basis = models.CharField("口径", max_length=10, choices=SnapshotBasis.choices, default=SnapshotBasis.UNIT)
    measures = models.PositiveIntegerField("整改措施", default=0)
    open = models.PositiveIntegerField("未完成", default=0)
    done = models.PositiveIntegerField("已完成", default=0)
    overdue = models.PositiveIntegerField("已逾期", default=0)
    red = models.PositiveIntegerField("红灯", default=0)
    yellow = models.PositiveIntegerField("黄灯", default=0)
    blue = models.PositiveIntegerField("蓝灯", default=0)
    stale = models.PositiveIntegerField("灰灯", default=0)
    green = models.PositiveIntegerField("绿灯", default=0)

    class Meta:
        verbose_name = "每日快照"
        verbose_name_plural = "每日快照"
        constraints = [
            models.UniqueConstraint(fields=["basis", "unit", "day"], name="snapshot_once_a_day"),
        ]
        indexes = [models.Index(fields=["basis", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.get_basis_display()}"


class NotificationPreference(models.Model):
    """A user's e-mail settings: the kinds they do not want by e-mail (the in-app message still arrives)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    muted_kinds = models.JSONField("不发邮件的类别", default=list, blank=True)

    class Meta:
        verbose_name = "通知设置"
        verbose_name_plural = "通知设置"

    def __str__(self) -> str:
        return f"{self.user}的通知设置"


class DueSoonReminder(models.Model):
    """A measure's due-soon reminder for one deadline: sent once, not again each day (a new deadline after an
    extension gets its own)."""

    measure = models.ForeignKey(
        "ledger.Measure", verbose_name="整改措施", on_delete=models.CASCADE, related_name="+"
    )
    deadline = models.DateField("整改时限")
    sent_at = models.DateTimeField("提醒时间", auto_now_add=True)

    class Meta:
        verbose_name = "到期提醒记录"
        verbose_name_plural = "到期提醒记录"
        constraints = [
            models.UniqueConstraint(fields=["measure", "deadline"], name="due_soon_once_per_deadline")
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.deadline}"


class IndicatorNotice(models.Model):
    """预算项目执行率预警单: issued to the department that owns one project (or all its red and yellow
    projects) on a date. Each project on it is also recorded as a Warning, which warnings_sent counts."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Unit, verbose_name="责任部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    indicators = models.ManyToManyField(Indicator, verbose_name="指标", related_name="notices")
    number = models.CharField("编号", max_length=40)
    on_date = models.DateField("数据日期")
    reply_deadline = models.DateField("回复时限")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发出人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField("发出时间", auto_now_add=True)

    class Meta:
        verbose_name = "预警单"
        verbose_name_plural = "预警单"
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"预算项目执行率预警单（{self.number}）"
