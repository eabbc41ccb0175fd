"""Forms of the leader's document pages: publishing a notice (通报) and importing a ledger (整改台账) .xlsx."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.http import QueryDict

from zhenggai.ledger.errors import DomainError, InvalidInput
from zhenggai.notices.choices import Audience, Exemption
from zhenggai.notices.document import Contact
from zhenggai.notices.redact import Redactions
from zhenggai.notices.services import Exclusion
from zhenggai.web.form_messages import ChineseForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_LEDGER_BYTES = 20 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Item:
    """A finding or a measure of the inspection that the leader may leave out of the notice."""

    kind: str  # ExcludedKind
    id: int
    label: str  # the finding's title or the measure's code and text
    depth: int  # indentation in the tree: 0 for a top finding

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def reason_field(self) -> str:
        return f"reason-{self.kind}-{self.id}"


def _lines(text: str) -> tuple[str, ...]:
    """One value per line, blanks and duplicates dropped, in the order written."""
    return tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


class PublishForm(ChineseForm):
    audience = forms.ChoiceField(
        label="通报范围", choices=Audience.choices, initial=Audience.INTERNAL, widget=forms.RadioSelect
    )
    names = forms.CharField(
        label="另外需要脱敏的姓名",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一个；只用于向社会公开的版本（张三 → 张某）。台账中责任领导、责任人栏里的姓名已自动脱敏。",
    )
    spans = forms.CharField(
        label="需要遮盖的文字",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行一段；只用于向社会公开的版本，正文中每处出现都遮盖为 ***。",
    )
    phone = forms.CharField(label="监督电话", required=False, max_length=50)
    address = forms.CharField(label="通信地址", required=False, max_length=200)
    postcode = forms.CharField(
        label="邮政编码",
        required=False,
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", "邮政编码应为6位数字。")],
    )
    # A text box (styled like the others) that still checks the address.
    email = forms.EmailField(
        label="电子邮箱", required=False, max_length=100, widget=forms.TextInput(attrs={"inputmode": "email"})
    )
    date = forms.DateField(label="成文日期", required=False, widget=DATE_INPUT, help_text="不填为今天。")
    exclude = forms.MultipleChoiceField(label="不予公开的事项", required=False)

    def __init__(self, *args: Any, items: list[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        self.fields["exclude"].choices = [(item.key, item.label) for item in items]  # type: ignore[attr-defined]
        reasons = [("", "（请选择理由）"), *Exemption.choices]
        for item in items:
            self.fields[item.reason_field] = forms.ChoiceField(
                label=f"{item.label}不予公开的理由", choices=reasons, required=False
            )

    def main_fields(self) -> Iterator[forms.BoundField]:
        """The fields shown as a plain form; the exclusion table is drawn separately."""
        for name in ("audience", "names", "spans", "phone", "address", "postcode", "email", "date"):
            yield self[name]

    def exclusion_rows(self) -> list[tuple[Item, bool, forms.BoundField]]:
        chosen = set(self.data.getlist("exclude")) if isinstance(self.data, QueryDict) else set()
        return [(item, item.key in chosen, self[item.reason_field]) for item in self.items]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("audience") == Audience.INTERNAL:
            # 党内 versions print everything: the exemptions of the disclosure rules apply to the public one
            cleaned["exclude"] = []
            return cleaned
        missing = 0
        for key in cleaned.get("exclude", []):
            item = next(i for i in self.items if i.key == key)
            if not cleaned.get(item.reason_field):
                self.add_error(item.reason_field, "请选择不予公开的理由。")
                missing += 1
        if missing:
            self.add_error("exclude", f"有{missing}项不予公开的事项没有选择理由。")
        return cleaned

    def notice_arguments(self) -> dict[str, Any]:
        """What `preview_notice` and `publish_notice` take, from the cleaned values."""
        data = self.cleaned_data
        names, spans = _lines(data["names"]), _lines(data["spans"])
        by_key = {item.key: item for item in self.items}
        exclusions = [
            Exclusion(kind=by_key[key].kind, id=by_key[key].id, reason=data[by_key[key].reason_field])
            for key in data["exclude"]
        ]
        contact = Contact(
            phone=data["phone"].strip() or None,
            address=data["address"].strip() or None,
            postcode=data["postcode"].strip() or None,
            email=data["email"].strip() or None,
        )
        date: dt.date | None = data["date"]
        return {
            "audience": data["audience"],
            "redactions": Redactions(names=names, spans=spans) if names or spans else None,
            "exclusions": exclusions,
            "contact": contact,
            "date": date,
        }


# Service field names → the form field that shows the service's refusal.
_PUBLISH_FIELDS = {"audience": "audience", "redactions": "names", "exclusions": "exclude"}


def attach_publish_error(form: PublishForm, error: DomainError) -> None:
    field = _PUBLISH_FIELDS.get(error.field or "") if isinstance(error, InvalidInput) else None
    form.add_error(field, error.message)


class LedgerUploadForm(ChineseForm):
    file = forms.FileField(
        label="整改台账文件",
        help_text=f"Excel 工作簿（.xlsx），不超过 {MAX_LEDGER_BYTES // 1024 // 1024} MB；"
        "可以是本系统导出后修改过的台账，也可以是本单位自己填写的台账。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_LEDGER_BYTES:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），整改台账文件不能超过 "
                f"{MAX_LEDGER_BYTES // 1024 // 1024} MB。"
            )
        return upload


class LedgerConfirmForm(ChineseForm):
    sha256 = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def clean_sha256(self) -> str:
        value = str(self.cleaned_data["sha256"]).lower()
        if not _SHA256.match(value):
            raise forms.ValidationError("上传的文件标识无效，请重新选择文件。")
        return value
