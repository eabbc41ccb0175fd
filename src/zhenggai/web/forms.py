"""Forms validate at the edge; the services check again and their errors land beside the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from zhenggai.ledger.choices import ClueStatus, MeasureKind, RegulationKind
from zhenggai.ledger.errors import DomainError, InvalidInput
from zhenggai.ledger.models import Unit
from zhenggai.ledger.services.evidence import ALLOWED_TYPES
from zhenggai.web.form_messages import ChineseForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[Any]]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ReportForm(ChineseForm):
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    progress = forms.IntegerField(label="完成进度（%）", min_value=0, max_value=100)
    evidence = MultipleFileField(
        label="佐证材料",
        required=False,
        help_text="可多选；允许 " + "、".join(sorted(ALLOWED_TYPES)) + "，单个文件不超过上限。",
    )


class SignoffRequestForm(ChineseForm):
    note = forms.CharField(label="申请说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    periodic_review = forms.CharField(
        label="定期复查安排",
        required=False,
        max_length=500,
        help_text="仅长期坚持的措施：未达100%时可按“持续推进”申请销号，须写明如何定期复查（如：每季度报送一次进展）。",
    )


class ExtensionForm(ChineseForm):
    new_deadline = forms.DateField(label="申请延至", widget=DATE_INPUT)
    reason = forms.CharField(label="延期理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ExtensionLimitsForm(ChineseForm):
    extension_max_days = forms.IntegerField(
        label="单次延期上限（天）",
        required=False,
        min_value=1,
        help_text="一次延期超过这个天数，单位领导同意后还须巡察办同意；不填则用系统默认值。",
    )
    extension_max_count = forms.IntegerField(
        label="延期次数上限",
        required=False,
        min_value=0,
        help_text="一条措施经同意的延期达到这个次数后，再申请须巡察办同意；不填则用系统默认值。",
    )


class ReasonForm(ChineseForm):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ApproveForm(ChineseForm):
    note = forms.CharField(label="审核意见", required=False, max_length=2000)


class ReviewForm(ChineseForm):
    """One 审核意见 box for both verdicts: optional to approve, required to return (checked by the view)."""

    note = forms.CharField(
        label="审核意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


def version_field() -> forms.IntegerField:
    """The version of the row the form showed: a save on a row changed since is refused (HTTP 409)."""
    return forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": "页面已过期，请刷新后重试。", "invalid": "页面已过期，请刷新后重试。"},
    )


class MeasureEditForm(ChineseForm):
    text = forms.CharField(label="整改措施", widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label="类型", choices=MeasureKind.choices)
    responsible_leader = forms.CharField(label="责任领导", required=False, max_length=100)
    lead_department = forms.ModelChoiceField(label="牵头部门", queryset=Unit.objects.none(), required=False)
    responsible_person = forms.CharField(label="责任人", required=False, max_length=100)
    start_date = forms.DateField(label="开始日期", required=False, widget=DATE_INPUT)
    version = version_field()

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["lead_department"].queryset = departments  # type: ignore[attr-defined]


class InspectionEditForm(ChineseForm):
    inspector = forms.CharField(label="巡察组", max_length=200)
    onsite_start = forms.DateField(label="进驻开始日期", required=False, widget=DATE_INPUT)
    onsite_end = forms.DateField(label="进驻结束日期", required=False, widget=DATE_INPUT)
    feedback_date = forms.DateField(label="反馈日期", required=False, widget=DATE_INPUT)
    organising_work = forms.CharField(
        label="整改组织工作情况", required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    version = version_field()


class FindingEditForm(ChineseForm):
    title = forms.CharField(label="标题", max_length=500)
    text = forms.CharField(label="问题表述", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    version = version_field()


class RegulationForm(ChineseForm):
    kind = forms.ChoiceField(label="类别", choices=RegulationKind.choices)
    title = forms.CharField(label="制度名称", max_length=300)
    issued_on = forms.DateField(label="印发日期", required=False, widget=DATE_INPUT)


class ClueForm(ChineseForm):
    summary = forms.CharField(label="线索摘要", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    received_on = forms.DateField(label="移交日期", required=False, widget=DATE_INPUT)
    deadline = forms.DateField(label="办理时限", required=False, widget=DATE_INPUT)


class ClueUpdateForm(ChineseForm):
    handling = forms.CharField(label="办理情况", widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    outcome = forms.CharField(label="处理结果", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(label="状态", choices=ClueStatus.choices)


# Service parameter names that a form shows under another field name.
FIELD_ALIASES = {"files": "evidence"}


def attach_error(form: forms.Form, error: DomainError) -> None:
    """Put a service's refusal beside the field it names, or at the top of the form."""
    field = error.field if isinstance(error, InvalidInput) else None
    field = FIELD_ALIASES.get(field or "", field)
    form.add_error(field if field in form.fields else None, error.message)
