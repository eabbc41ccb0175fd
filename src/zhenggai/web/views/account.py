"""The user's own account: the password change, audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from zhenggai.ledger.security_audit import security_event
from zhenggai.web.form_messages import PasswordForm


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    form_class = PasswordForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        security_event("change_password", user=form.user, request=self.request)
        return response
