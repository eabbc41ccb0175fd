"""Read-only admin pages: supervision records change only through the sweep and the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from zhenggai.supervision.models import Indicator, SupervisionNotice, SupervisionRun, Warning


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if hasattr(qs, "visible_to") else qs


@admin.register(SupervisionRun)
class SupervisionRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "kind", "period", "outcome", "finished_at")
    list_filter = ("kind", "outcome")


@admin.register(Warning)
class WarningAdmin(ReadOnlyAdmin):
    list_display = ("issued_at", "unit", "measure", "indicator", "previous", "colour")
    list_filter = ("colour",)
    list_select_related = ("unit", "measure", "indicator")
    raw_id_fields = ("measure", "indicator", "unit", "inspection", "run")


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
    list_display = ("issued_at", "unit", "title", "level", "status", "reply_deadline")
    list_filter = ("level", "status")
    list_select_related = ("unit",)
    raw_id_fields = ("measures",)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("year", "unit", "name", "target", "unit_label", "colour")
    list_filter = ("year", "colour")
    list_select_related = ("unit",)
