"""Forms of the organisation pages: a unit's departments and users, and the bulk import."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import password_validation

from zhenggai.ledger.choices import Role
from zhenggai.web.form_messages import ChineseForm

MAX_ORG_BYTES = 20 * 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class UnitNameForm(ChineseForm):
    name = forms.CharField(label="名称", max_length=200)
    short_name = forms.CharField(label="简称", max_length=100, required=False)


def role_choices(*, supervisor: bool) -> list[tuple[str, str]]:
    return [(value, label) for value, label in Role.choices if supervisor or value != Role.SUPERVISOR]


class AddUserForm(ChineseForm):
    username = forms.CharField(label="用户名", max_length=150, help_text="登录用，字母、数字和 @ . + - _")
    full_name = forms.CharField(label="姓名", max_length=150, required=False)
    email = forms.EmailField(label="邮箱", required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices, initial=Role.STAFF)
    password = forms.CharField(
        label="初始密码",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="留空则由系统生成，保存后只显示一次。",
    )

    def __init__(self, *args: Any, supervisor: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not supervisor:  # only a supervisor above the unit (or a superuser) grants 巡察办
            self.fields["role"].choices = role_choices(supervisor=False)  # type: ignore[attr-defined]
        rules = "；".join(password_validation.password_validators_help_texts())
        self.fields["password"].help_text = f"留空则由系统生成，保存后只显示一次。自己设置时：{rules}。"


class RoleForm(ChineseForm):
    role = forms.ChoiceField(
        label="在本单位的角色", choices=[("", "（删除在本单位的角色）"), *Role.choices], required=False
    )


class PasswordResetForm(ChineseForm):
    password = forms.CharField(
        label="新密码",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="留空则由系统生成，只显示一次。",
    )


class OrgUploadForm(ChineseForm):
    file = forms.FileField(
        label="单位和用户文件",
        help_text=f"按导入模板填写的 Excel 工作簿（.xlsx），不超过 {MAX_ORG_BYTES // 1024 // 1024} MB。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ORG_BYTES:
            raise forms.ValidationError(
                f"文件过大（{upload.size / 1024 / 1024:.1f} MB），不能超过 {MAX_ORG_BYTES // 1024 // 1024} MB。"
            )
        return upload


class OrgConfirmForm(ChineseForm):
    sha256 = forms.CharField(widget=forms.HiddenInput)
    name = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def clean_sha256(self) -> str:
        value = str(self.cleaned_data["sha256"]).lower()
        if not _SHA256.match(value):
            raise forms.ValidationError("上传的文件标识无效，请重新选择文件。")
        return value
