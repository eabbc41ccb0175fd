from django.contrib import admin

from zhenggai.api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from zhenggai.ledger.admin import AuditedAdmin, ReadOnlyAdmin


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AuditedAdmin):
    # The secret is never written into 全程纪实.
    audit_fields = ("unit_id", "name", "kind", "url", "events", "active")
    list_display = ("name", "unit", "kind", "active", "failures", "disabled_at")
    list_filter = ("kind", "active")
    readonly_fields = ("failures", "disabled_at", "created_at")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event", "endpoint", "status", "attempts", "last_status", "sent_at")
    list_filter = ("status", "event")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Operators see who holds tokens; users create and revoke their own (个人设置 → API 令牌)."""

    list_display = ("name", "user", "prefix", "scope", "expires_at", "revoked_at", "last_used_at")
    exclude = ("digest",)
