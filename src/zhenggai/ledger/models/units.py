from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Concat, Length, Substr

from zhenggai.ledger.choices import Role, UnitKind
from zhenggai.ledger.querysets import UnitQuerySet

PATH_STEP = 10  # each level of Unit.path is the zero-padded id plus "/"


class Unit(models.Model):
    """A unit in the tree 市 → 区 → 单位 → 部门; `path` makes subtree queries one indexed prefix match."""

    name = models.CharField("名称", max_length=200)
    short_name = models.CharField("简称", max_length=100, blank=True)
    kind = models.CharField("类型", max_length=20, choices=UnitKind.choices, default=UnitKind.ORGAN)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField("路径", max_length=400, db_index=True, editable=False, default="")

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["path"]
        indexes = [
            # The list filter's unit choices (web.filters.units_for): the units one, two and three levels from
            # a root, each depth one index range within the subtree's path range.
            models.Index(Length("path"), "path", name="unit_depth_path"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        old_path = self.path
        if self.pk is None:
            super().save(*args, **kwargs)  # the path needs the id
            self.path = self._compute_path()
            Unit.objects.filter(pk=self.pk).update(path=self.path)
            return
        self.path = self._compute_path()
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:  # moved: rewrite every descendant's prefix in one statement
            Unit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1))
            )
            from zhenggai.ledger.models.tally import UnitTally  # the overview's rows keep their unit's path

            UnitTally.objects.filter(path__startswith=old_path).update(
                path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1))
            )

    def clean(self) -> None:
        if self.pk and self.parent_id and self.parent and self.parent.path.startswith(self.path):
            raise ValidationError({"parent": "上级单位不能是本单位或其下级单位。"})

    def _compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id and self.parent else ""
        return f"{prefix}{self.pk:0{PATH_STEP - 1}d}/"

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def ancestor_paths(self) -> list[str]:
        """Paths of this unit and all its ancestors, for role look-ups up the tree."""
        return [self.path[: end + PATH_STEP] for end in range(0, len(self.path), PATH_STEP)]


class Round(models.Model):
    name = models.CharField("轮次名称", max_length=200, help_text="如：十一届区委第四轮巡察")
    organiser = models.ForeignKey(
        Unit, verbose_name="组织单位", null=True, blank=True, on_delete=models.PROTECT, related_name="rounds"
    )
    year = models.PositiveIntegerField("年度", null=True, blank=True)
    start_date = models.DateField("开始日期", null=True, blank=True)
    end_date = models.DateField("结束日期", null=True, blank=True)

    class Meta:
        verbose_name = "巡察轮次"
        verbose_name_plural = "巡察轮次"
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in a unit; supervisors and leaders reach the unit's whole subtree."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = "用户角色"
        verbose_name_plural = "用户角色"
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.unit} · {self.get_role_display()}"


class UnitsRevision(models.Model):
    """One row whose `value` changes (to a random number) with every write to the unit table: database triggers
    (migration `ledger.0019_units_revision`) set it on any insert, update or delete of `ledger_unit`, bulk and raw
    writes included. Pages that build per-process caches of unit lists (the list filters' unit and department
    choices, `web.filters`) key them by this value: one primary-key read a request instead of a scan of the units.
    Random rather than a counter: a rolled-back transaction restores the old value together with the old units,
    and a later, different change never repeats it."""

    value = models.BigIntegerField("版本", default=0)

    class Meta:
        verbose_name = "单位表版本"
        verbose_name_plural = "单位表版本"

    def __str__(self) -> str:
        return f"单位表版本 {self.value}"


def units_revision(using: str = "default") -> int | None:
    """The unit table's current revision, or None when the row is missing (a flushed test database): no cache."""
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT value FROM ledger_unitsrevision WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else int(row[0])
