"""Forms at the edge of 整改评估 and 回头看: they parse; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import User

from zhenggai.evaluation.choices import RecheckResult
from zhenggai.evaluation.models import Rubric
from zhenggai.ledger.models import Round
from zhenggai.web.form_messages import ChineseForm


class AdjustForm(ChineseForm):
    adjustment = forms.DecimalField(
        label="调整分值", max_digits=5, decimal_places=1, min_value=Decimal(-100), max_value=Decimal(100),
        help_text="正数加分，负数减分；最终得分在0到100之间。",
    )  # fmt: skip
    reason = forms.CharField(label="调整理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class RubricForm(ChineseForm):
    good_from = forms.DecimalField(
        label="“好”的最低分", max_digits=5, decimal_places=1, min_value=0, max_value=100
    )
    fairly_good_from = forms.DecimalField(
        label="“较好”的最低分", max_digits=5, decimal_places=1, min_value=0, max_value=100
    )
    average_from = forms.DecimalField(
        label="“一般”的最低分", max_digits=5, decimal_places=1, min_value=0, max_value=100
    )

    def __init__(self, *args: Any, rubric: Rubric, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = list(rubric.items.all())
        for item in self.items:
            p = f"item{item.pk}_"
            self.fields[p + "title"] = forms.CharField(
                label=f"项目{item.position + 1}：名称", max_length=200, initial=item.title
            )
            self.fields[p + "points"] = forms.DecimalField(
                label="分值", max_digits=5, decimal_places=1, min_value=0, max_value=100, initial=item.points
            )
            self.fields[p + "per_case"] = forms.DecimalField(
                label="每处扣分",
                max_digits=5,
                decimal_places=1,
                min_value=0,
                max_value=100,
                initial=item.per_case,
            )
            if item.rule == "regulations":
                self.fields[p + "target"] = forms.IntegerField(
                    label="要求的建章立制数量", min_value=0, max_value=1000, initial=item.target
                )
            self.fields[p + "active"] = forms.BooleanField(label="启用", required=False, initial=item.active)

    def item_rows(self) -> list[list[Any]]:
        return [
            [self[name] for name in self.fields if name.startswith(f"item{item.pk}_")] for item in self.items
        ]


class DrawForm(ChineseForm):
    size = forms.IntegerField(label="抽查数量", min_value=1, max_value=500, initial=10)
    seed = forms.IntegerField(
        label="随机种子", required=False, min_value=1, max_value=2**31,
        help_text="不填则由系统随机生成并记录；填入以前的种子可重现同一次抽取。",
    )  # fmt: skip
    round = forms.ModelChoiceField(
        label="巡察轮次", queryset=Round.objects.all(), required=False, empty_label="全部轮次"
    )
    title = forms.CharField(label="名称", max_length=200, required=False)


class AssignForm(ChineseForm):
    checker = forms.ModelChoiceField(label="核查人", queryset=User.objects.none())

    def __init__(self, *args: Any, checkers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["checker"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = checkers
        field.label_from_instance = lambda u: u.get_full_name() or u.username  # type: ignore[method-assign,assignment]


class RecheckResultForm(ChineseForm):
    result = forms.ChoiceField(
        label="核查结论",
        choices=[(v, label) for v, label in RecheckResult.choices if v != RecheckResult.PENDING],
    )
    note = forms.CharField(label="核查情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    evidence = forms.FileField(label="核查佐证", required=False)
