"""Admin: units, rounds and roles are edited here (audited); the ledger itself is read-only here because its
changes must go through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from zhenggai.ledger.duties import is_security_admin
from zhenggai.ledger.models import (
    AuditEvent,
    Clue,
    Evidence,
    Extension,
    Finding,
    Inspection,
    InspectionTally,
    Measure,
    Membership,
    ProgressReport,
    Regulation,
    Round,
    SignOff,
    Unit,
)
from zhenggai.ledger.services.audit import record, snapshot


def _unit_of(obj: models.Model) -> Unit | None:
    if isinstance(obj, Unit):
        return obj
    unit = getattr(obj, "unit", None) or getattr(obj, "organiser", None)
    return unit if isinstance(unit, Unit) else None


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Admin edits of reference data leave an audit event in the admin view's transaction."""

    audit_fields: tuple[str, ...] = ()

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        before = None
        if change:
            before = snapshot(type(obj).objects.get(pk=obj.pk), self.audit_fields)
        super().save_model(request, obj, form, change)
        action = f"admin_{'change' if change else 'add'}_{obj._meta.model_name}"
        after = snapshot(obj, self.audit_fields)
        record(actor=_actor(request), action=action, obj=obj, unit=_unit_of(obj), before=before, after=after)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before = snapshot(obj, self.audit_fields)
        record(
            actor=_actor(request),
            action=f"admin_delete_{obj._meta.model_name}",
            obj=obj,
            unit=_unit_of(obj) if not isinstance(obj, Unit) else obj.parent,
            before=before,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Shown for reference; every change goes through a service function."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        return qs.visible_to(request.user) if hasattr(qs, "visible_to") else qs


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    audit_fields = ("name", "short_name", "kind", "parent_id", "path")
    list_display = ("name", "short_name", "kind", "parent")
    list_filter = ("kind",)
    search_fields = ("name", "short_name")
    autocomplete_fields = ("parent",)
    list_per_page = 50


@admin.register(Round)
class RoundAdmin(AuditedAdmin):
    audit_fields = ("name", "organiser_id", "year", "start_date", "end_date")
    list_display = ("name", "year", "organiser", "start_date", "end_date")
    search_fields = ("name",)
    autocomplete_fields = ("organiser",)


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    audit_fields = ("user_id", "unit_id", "role")
    list_display = ("user", "unit", "role")
    list_filter = ("role",)
    search_fields = ("user__username", "unit__name")
    autocomplete_fields = ("user", "unit")
    list_select_related = ("user", "unit")


class FindingInline(admin.TabularInline[Any, Any]):
    model = Finding
    fields = ("level", "position", "title", "parent")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "inspected_unit", "onsite_start", "onsite_end", "feedback_date")
    list_filter = ("kind", "round")
    search_fields = ("inspector", "inspected_unit__name")
    list_select_related = ("inspected_unit",)
    inlines = (FindingInline,)


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ("title", "level", "position", "inspection")
    list_filter = ("level",)
    search_fields = ("title", "text")
    list_select_related = ("inspection__inspected_unit",)


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ("code", "text", "kind", "lead_department", "deadline", "status", "progress")
    list_filter = ("status", "kind")
    search_fields = ("code", "text", "responsible_person", "responsible_leader")
    list_select_related = ("lead_department",)
    list_per_page = 50


@admin.register(ProgressReport)
class ProgressReportAdmin(ReadOnlyAdmin):
    list_display = ("measure", "reported_at", "progress", "reported_by")
    list_select_related = ("measure", "reported_by")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "measure", "size", "content_type", "uploaded_at")
    search_fields = ("original_name", "sha256")
    list_select_related = ("measure",)


@admin.register(SignOff)
class SignOffAdmin(ReadOnlyAdmin):
    list_display = ("measure", "requested_by", "requested_at", "decision", "reviewed_by", "reviewed_at")
    list_filter = ("decision",)
    list_select_related = ("measure", "requested_by", "reviewed_by")


@admin.register(Extension)
class ExtensionAdmin(ReadOnlyAdmin):
    list_display = ("measure", "old_deadline", "new_deadline", "decision", "reviewed_by")
    list_filter = ("decision",)
    list_select_related = ("measure", "reviewed_by")


@admin.register(Regulation)
class RegulationAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "issued_on", "inspection")
    list_filter = ("kind",)


@admin.register(Clue)
class ClueAdmin(ReadOnlyAdmin):
    list_display = ("summary", "status", "received_on", "deadline")
    list_filter = ("status",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr", "unit", "request_id")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id", "request_id")
    list_select_related = ("actor", "unit")
    date_hierarchy = "at"


@admin.register(InspectionTally)
class InspectionTallyAdmin(ReadOnlyAdmin):
    list_display = ("inspection", "unit", "measures", "done", "ongoing", "overdue", "as_of", "updated_at")
    list_select_related = ("inspection__inspected_unit", "unit")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        from zhenggai.ledger.querysets import path_q, scope_paths

        qs = super().get_queryset(request)
        paths = scope_paths(request.user)
        return qs if paths is None else qs.filter(path_q("unit__path", paths))


# --- accounts: 三员分立 in Django's user admin ----------------------------------------------------------------

# Who is superuser, which groups (system roles) and permissions a user has: the 安全管理员's (and the
# superuser's) to change, not the 系统管理员's, who manages the accounts themselves.
_SECURITY_FIELDS = ("is_superuser", "groups", "user_permissions")


class AccountAdmin(DjangoUserAdmin[User]):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if not is_security_admin(request.user):
            fields += _SECURITY_FIELDS
        return fields

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        """One admin log entry per user (each mirrored on the 全程纪实 chain), also for a bulk deletion."""
        from django.contrib.admin.models import DELETION, LogEntry

        by = request.user.pk
        assert by is not None  # the admin is for logged-in staff
        return [LogEntry.objects.log_actions(by, [obj], DELETION, single_object=True) for obj in queryset]


admin.site.unregister(User)
admin.site.register(User, AccountAdmin)
