from __future__ import annotations

import re
from typing import Any

from django import forms

from zhenggai.ledger.services.evidence import ALLOWED_TYPES
from zhenggai.portal.choices import FeedbackCategory
from zhenggai.portal.services import CONTENT_MAX, MAX_ATTACHMENTS
from zhenggai.web.form_messages import ChineseForm
from zhenggai.web.forms import MultipleFileField

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


class FeedbackForm(ChineseForm):
    category = forms.ChoiceField(
        label="意见类别",
        choices=FeedbackCategory.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    content = forms.CharField(
        label="意见内容",
        max_length=CONTENT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=f"请写明事实、时间、地点，不超过{CONTENT_MAX}字。",
    )
    name = forms.CharField(label="姓名（选填）", required=False, max_length=50)
    phone = forms.CharField(
        label="联系电话（选填）",
        required=False,
        max_length=20,
        help_text="留下手机号或固定电话，便于承办人员联系您；不会公开。",
    )
    email = forms.EmailField(label="电子邮箱（选填）", required=False, max_length=200)
    attachments = MultipleFileField(
        label="附件（选填）",
        required=False,
        help_text=f"最多{MAX_ATTACHMENTS}个；允许 " + "、".join(sorted(ALLOWED_TYPES)) + "。",
    )
    captcha = forms.CharField(label="验证码", max_length=10, help_text="请输入图片中的5位数字。")
    token = forms.CharField(widget=forms.HiddenInput)
    # Honeypot: hidden from people (CSS and aria-hidden), filled in by robots.
    website = forms.CharField(label="网址", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["captcha"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone") or "").replace(" ", "")
        if phone and not PHONE.match(phone):
            raise forms.ValidationError("联系电话应为11位手机号或带区号的固定电话（如 0571-88776655）。")
        return phone

    def visible_fields_but_honeypot(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name not in ("website", "captcha")]


class CodeForm(ChineseForm):
    code = forms.CharField(label="查询码", max_length=40)
