"""The holiday table is the system administrator's to keep (each year's 放假调休 arrangement), audited.

群众意见 are not in the admin: they change only through the handling pages, and their contact data is shown
only to the handler and the supervisors there.
"""

from __future__ import annotations

from django.contrib import admin

from zhenggai.ledger.admin import AuditedAdmin
from zhenggai.portal.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ("day", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "day"
    search_fields = ("note",)
