"""The user's own account: the password change, audited."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from zhenggai.ledger.security_audit import security_event
from zhenggai.web.form_messages import PasswordForm
from zhenggai.web.login_defence import CHANGE_REASONS, SESSION_KEY, password_changed


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    form_class = PasswordForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        password_changed(self.request, form.user)
        security_event("change_password", user=form.user, request=self.request)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["must_change"] = CHANGE_REASONS.get(self.request.session.get(SESSION_KEY, ""), "")
        return context
