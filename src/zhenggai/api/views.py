"""个人设置 → API 令牌: the user's own tokens, created (secret shown once) and revoked."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhenggai.api.models import ApiToken, TokenScope
from zhenggai.api.tokens import MAX_DAYS, create_token, revoke_token
from zhenggai.ledger.errors import DomainError
from zhenggai.web.form_messages import ChineseForm
from zhenggai.web.forms import attach_error


class TokenForm(ChineseForm):
    name = forms.CharField(label="名称", max_length=100, help_text="用途，例如：纪检监察平台取数")
    scope = forms.ChoiceField(label="权限", choices=TokenScope.choices, initial=TokenScope.READ)
    days = forms.IntegerField(label="有效期（天）", min_value=1, max_value=MAX_DAYS, initial=90)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def tokens(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = TokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = create_token(by=user, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            form = TokenForm()
    rows = ApiToken.objects.filter(user=user).order_by("-created_at", "-id")[:100]
    context = {"form": form, "tokens": rows, "secret": secret}
    return render(request, "api/tokens.html", context, status=400 if form.errors else 200)


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    revoke_token(by=user, token=get_object_or_404(ApiToken, pk=pk, user=user))
    return redirect("api_tokens")
