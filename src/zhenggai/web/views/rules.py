"""The 巡察办 sets an inspection's 延期 limits (docs/用户手册.md: 整改措施的生命周期)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render

from zhenggai.ledger import services
from zhenggai.ledger.choices import Role
from zhenggai.ledger.errors import DomainError, NotPermitted
from zhenggai.ledger.models import Inspection
from zhenggai.ledger.permissions import has_role
from zhenggai.web.forms import ExtensionLimitsForm, attach_error
from zhenggai.web.views.common import actor


def extension_limits(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related("inspected_unit"), pk=pk
    )
    user = actor(request)
    if not has_role(user, inspection.inspected_unit, Role.SUPERVISOR):
        raise PermissionDenied("只有巡察办可以设置延期限额。")
    if request.method == "POST":
        form = ExtensionLimitsForm(request.POST)
        if form.is_valid():
            try:
                services.set_extension_limits(
                    by=user,
                    inspection=inspection,
                    max_days=form.cleaned_data["extension_max_days"],
                    max_count=form.cleaned_data["extension_max_count"],
                )
            except NotPermitted as error:
                return HttpResponseForbidden(error.message)
            except DomainError as error:
                attach_error(form, error)
            else:
                messages.success(request, "延期限额已保存。")
                return redirect("inspection", pk=pk)
    else:
        form = ExtensionLimitsForm(
            initial={
                "extension_max_days": inspection.extension_max_days,
                "extension_max_count": inspection.extension_max_count,
            }
        )
    title = (
        f"延期限额（系统默认：单次{settings.EXTENSION_MAX_DAYS}天，每条措施{settings.EXTENSION_MAX_COUNT}次）"
    )
    context = {"inspection": inspection, "form": form, "title": title}
    return render(request, "web/simple_form.html", context, status=400 if form.is_bound else 200)
