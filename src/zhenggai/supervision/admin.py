"""Read-only admin pages: supervision records change only through the sweep and the services."""

from __future__ import annotations

from django.contrib import admin

from zhenggai.ledger.admin import ReadOnlyAdmin
from zhenggai.supervision.models import (
    DueSoonReminder,
    Indicator,
    IndicatorNotice,
    JobLock,
    NotificationPreference,
    SupervisionNotice,
    SupervisionRun,
    Warning,
)


@admin.register(SupervisionRun)
class SupervisionRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "kind", "period", "outcome", "finished_at")
    list_filter = ("kind", "outcome")


@admin.register(JobLock)
class JobLockAdmin(ReadOnlyAdmin):
    list_display = ("job", "period", "host", "pid", "acquired_at", "expires_at")


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


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    """Users change their own mutes on the settings page (set_email_mutes, audited); here they are only read."""

    list_display = ("user", "muted_kinds")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__first_name")


@admin.register(DueSoonReminder)
class DueSoonReminderAdmin(ReadOnlyAdmin):
    """Written by the daily sweep (one per measure and deadline); read-only."""

    list_display = ("sent_at", "measure", "deadline")
    list_select_related = ("measure",)
    raw_id_fields = ("measure",)
    date_hierarchy = "sent_at"


@admin.register(IndicatorNotice)
class IndicatorNoticeAdmin(ReadOnlyAdmin):
    """预算项目执行率预警单: issued on the 指标 page (issue_indicator_notices); read-only."""

    list_display = ("issued_at", "unit", "department", "number", "on_date", "reply_deadline")
    list_select_related = ("unit", "department")
    raw_id_fields = ("indicators",)
