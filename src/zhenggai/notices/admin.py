"""Admin: stored notice versions, read-only (a version is made by `publish_notice` and never edited)."""

from __future__ import annotations

from django.contrib import admin

from zhenggai.ledger.admin import ReadOnlyAdmin
from zhenggai.notices.models import Notice


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "version", "audience", "notice_date", "created_by", "created_at")
    list_filter = ("audience",)
    search_fields = ("title",)
    list_select_related = ("created_by",)
    exclude = ("html", "markdown")
    readonly_fields = ("inspection", "figures", "redaction", "exclusions", "docx_sha256", "docx_size")
    list_per_page = 50
