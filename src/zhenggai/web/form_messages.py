"""Our own Chinese messages for every form error, instead of Django's defaults ("输入一个有效的 Email 地址。").

Forms inherit `ChineseForm` (or mix `ChineseErrors` into Django's auth forms): each field gets messages that name
its label ("请填写延期理由。", "申请延至的日期格式应为 2024-03-18。"). A message a form declares itself is kept.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError


def _invalid(field: forms.Field, label: str) -> str:
    if isinstance(field, forms.DateTimeField):
        return f"{label}的格式应为 2024-03-18 09:30。"
    if isinstance(field, forms.DateField):
        return f"{label}的日期格式应为 2024-03-18。"
    if isinstance(field, forms.IntegerField) and not isinstance(field, forms.FloatField | forms.DecimalField):
        return f"{label}应为整数。"
    if isinstance(field, forms.FloatField | forms.DecimalField):
        return f"{label}应为数字。"
    if isinstance(field, forms.EmailField):
        return f"{label}不是有效的电子邮箱地址（例如 name@example.gov.cn）。"
    if isinstance(field, forms.FileField):
        return "上传的文件无效，请重新选择。"
    return f"{label}的格式不正确。"


def messages_for(field: forms.Field) -> dict[str, str]:
    """The messages a field of this kind can show, in our words, naming its label."""
    # "完成进度（%）" → "完成进度": the unit reads badly in a sentence, and "%" would break the formatting.
    label = re.sub(r"（[^（）]*）$", "", str(field.label or "此项")).replace("%", "％") or "此项"
    if isinstance(field, forms.FileField):
        required = f"请选择要上传的{label}。"
    elif isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
        required = f"请选择{label}。"
    else:
        required = f"请填写{label}。"
    messages = {
        "required": required,
        "invalid": _invalid(field, label),
        "max_length": f"{label}不能超过 %(limit_value)d 个字（现有 %(show_value)d 个字）。",
        "min_length": f"{label}至少要有 %(limit_value)d 个字（现有 %(show_value)d 个字）。",
        "min_value": f"{label}不能小于 %(limit_value)s。",
        "max_value": f"{label}不能大于 %(limit_value)s。",
        "step_size": f"{label}应为 %(limit_value)s 的整数倍。",
        "max_digits": f"{label}最多 %(max)s 位数字。",
        "max_decimal_places": f"{label}最多 %(max)s 位小数。",
        "invalid_choice": f"所选的{label}不在可选范围内，请重新选择。",
        "invalid_list": f"{label}的选择无效，请重新选择。",
        "invalid_pk_value": f"所选的{label}不存在，请重新选择。",
    }
    if isinstance(field, forms.FileField):
        messages |= {
            "missing": "没有收到上传的文件，请重新选择。",
            "empty": f"上传的{label}是空文件。",
            "max_length": "文件名不能超过 %(max)d 个字（现有 %(length)d 个字）。",
            "contradiction": "请选择新文件或勾选清除，不能同时进行。",
        }
    return messages


def _defaults(field: forms.Field) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for cls in reversed(type(field).__mro__):
        found.update(getattr(cls, "default_error_messages", {}))
    return found


def use_chinese_messages(field: forms.Field) -> None:
    """Replace the Django defaults among a field's messages by ours; messages the form declared stay."""
    defaults = _defaults(field)
    # A validator given its own message (e.g. "邮政编码应为6位数字。") keeps it: ours would replace it by code.
    own = {
        str(getattr(validator, "code", ""))
        for validator in field.validators
        if getattr(validator, "code", None)
        and str(getattr(validator, "message", "")) != str(getattr(type(validator), "message", ""))
    }
    for key, text in messages_for(field).items():
        if key in own:
            continue
        current = field.error_messages.get(key)
        if current is None or (key in defaults and str(current) == str(defaults[key])):
            field.error_messages[key] = text


class ChineseErrors:
    """Mix into a form: every field's error messages are our own Chinese ones."""

    fields: dict[str, forms.Field]
    labels: dict[str, str] = {}  # field name → our label, for forms that come from Django

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in self.labels.items():
            self.fields[name].label = label
        for field in self.fields.values():
            use_chinese_messages(field)


class ChineseForm(ChineseErrors, forms.Form):
    """The base of the project's forms."""


class LoginForm(ChineseErrors, AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确，请重新输入（密码区分大小写）。",
        "inactive": "该账号已停用，请联系系统管理员。",
    }
    labels = {"username": "用户名", "password": "密码"}


class PasswordForm(ChineseErrors, PasswordChangeForm):
    error_messages = {
        "password_mismatch": "两次输入的新密码不一致。",
        "password_incorrect": "原密码不正确，请重新输入。",
    }
    labels = {"old_password": "原密码", "new_password1": "新密码", "new_password2": "再次输入新密码"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = "；".join(
            password_validation.password_validators_help_texts()
        )
        self.fields["new_password2"].help_text = "再输入一遍新密码，两次须一致。"


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短，至少要有 {self.min_length} 个字符。"

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 个字符"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def validate(self, password: str, user: Any = None) -> None:
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(self.get_help_text(), code="password_too_similar") from None

    def get_help_text(self) -> str:
        return "密码不能与用户名、姓名或邮箱相近。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "这个密码太常见，容易被猜到，请换一个。"

    def get_help_text(self) -> str:
        return "不能是常见密码"
