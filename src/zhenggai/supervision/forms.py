"""Forms at the edge: they parse and validate input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from zhenggai.ledger.models import Measure, Unit
from zhenggai.supervision.choices import NotificationKind
from zhenggai.web.form_messages import ChineseForm


class IssueNoticeForm(ChineseForm):
    measures = forms.ModelMultipleChoiceField(
        queryset=Measure.objects.none(),
        label="督办措施",
        error_messages={
            "required": "请勾选要督办的整改措施。",
            "invalid_choice": "所选整改措施不存在或无权查看。",
        },
    )
    title = forms.CharField(label="督办事项", max_length=200, error_messages={"required": "请填写督办事项。"})
    content = forms.CharField(
        label="督办要求",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "请填写督办要求。"},
    )
    reply_deadline = forms.DateField(
        label="回复时限",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写回复时限。", "invalid": "回复时限的日期格式应为 2025-04-30。"},
    )

    def __init__(self, *args: Any, measures: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["measures"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = measures


class ReplyForm(ChineseForm):
    reply = forms.CharField(
        label="办理情况",
        widget=forms.Textarea,
        max_length=5000,
        error_messages={"required": "请填写办理情况。"},
    )


class CloseNoticeForm(ChineseForm):
    closing_note = forms.CharField(
        label="办结意见",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        error_messages={"required": "请填写办结意见。"},
    )


class EmailMutesForm(ChineseForm):
    muted_kinds = forms.MultipleChoiceField(
        label="以下类别不发邮件",
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
        error_messages={"invalid_choice": "所选通知类别不存在。"},
    )


class MeasureChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A measure named by its inspection's 巡察组, its code and the start of its text."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.inspection.inspector} {obj.code} {obj.text[:30]}"


class IndicatorForm(ChineseForm):
    """Add or edit an indicator of a unit: the owner department is one of the unit's departments."""

    name = forms.CharField(label="指标名称", max_length=200, error_messages={"required": "请填写指标名称。"})
    department = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label="责任部门",
        required=False,
        empty_label="（不指定）",
        error_messages={"invalid_choice": "所选责任部门不属于该单位。"},
    )
    target = forms.DecimalField(
        label="目标值",
        max_digits=18,
        decimal_places=2,
        error_messages={"required": "请填写目标值。", "invalid": "目标值应为数字。"},
        help_text="如预算金额",
    )
    unit_label = forms.CharField(label="计量单位", max_length=20, required=False, help_text="如：万元")
    measure = MeasureChoiceField(
        queryset=Measure.objects.none(),
        label="关联整改措施",
        required=False,
        empty_label="（不关联）",
        help_text="指标用于考核某条整改措施时选择；不选责任部门则用该措施的牵头部门。",
        error_messages={"invalid_choice": "所选整改措施不属于该单位。"},
    )

    def __init__(self, *args: Any, unit: Unit, with_measure: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.filter(parent=unit).order_by("name", "pk")
        if not with_measure:
            del self.fields["measure"]
            return
        measure = self.fields["measure"]
        assert isinstance(measure, forms.ModelChoiceField)
        measure.queryset = (
            Measure.objects.filter(inspection__inspected_unit=unit)
            .select_related("inspection")
            .order_by("inspection_id", "code")
        )


class IndicatorActualForm(ChineseForm):
    on_date = forms.DateField(
        label="日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写日期。", "invalid": "日期格式应为 2025-04-30。"},
    )
    value = forms.DecimalField(
        label="实际值",
        max_digits=18,
        decimal_places=2,
        error_messages={"required": "请填写实际值。", "invalid": "实际值应为数字。"},
    )


class RetireIndicatorForm(ChineseForm):
    reason = forms.CharField(
        label="停用理由", max_length=500, error_messages={"required": "请填写停用理由。"}
    )


class IssueIndicatorNoticesForm(ChineseForm):
    per = forms.ChoiceField(
        label="发出方式",
        choices=[("project", "每个预警项目一份"), ("department", "每个责任部门一份")],
        initial="project",
        widget=forms.RadioSelect,
    )
    reply_deadline = forms.DateField(
        label="回复时限",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写回复时限。", "invalid": "回复时限的日期格式应为 2025-04-30。"},
    )


class ExecutionUploadForm(ChineseForm):
    file = forms.FileField(
        label="项目执行情况表（.xlsx）",
        required=False,
        help_text="财务系统导出的表：项目名称、预算金额、已执行金额（或执行率），可有责任部门列。",
    )
    on_date = forms.DateField(
        label="数据日期",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写数据日期。", "invalid": "数据日期的格式应为 2025-07-31。"},
        help_text="表中已执行金额截至的日期；同一日期再导入即更正。",
    )
    owner = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        label="表中未写责任部门的项目归属",
        required=False,
        empty_label="（不指定）",
        error_messages={
            "required": "请选择导入哪个部门的项目。",
            "invalid_choice": "所选部门不是您可以导入的部门。",
        },
    )

    def __init__(self, *args: Any, departments: list[Unit], leader: bool, **kwargs: Any) -> None:
        """`departments`: the unit's departments for a leader (optional); a department importer's own, one
        of which owns the new projects (required)."""
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Unit.objects.filter(pk__in=[d.pk for d in departments]).order_by("name", "pk")
        if not leader:
            field.required, field.empty_label = True, None
            field.label = "导入哪个部门的项目"
            field.help_text = "新增的指标归该部门；表中写了其他部门、或属于其他部门的已有指标的行不能导入。"
            if len(departments) == 1:
                field.initial = departments[0].pk
