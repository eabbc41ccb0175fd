from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from zhenggai.api import views as api_views
from zhenggai.api.api import urlpatterns as api_urlpatterns
from zhenggai.health import healthz
from zhenggai.oidc import OIDCCallback, OIDCStart

admin.site.site_header = "巡察整改管理系统"
admin.site.site_title = "巡察整改管理系统"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", (api_urlpatterns(), "ninja", "api")),
    # 统一身份认证 (OpenID Connect): the button on the login page starts here; the provider returns to callback/.
    path("accounts/oidc/start/", login_not_required(OIDCStart.as_view()), name="oidc_start"),
    path("accounts/oidc/callback/", login_not_required(OIDCCallback.as_view()), name="oidc_callback"),
    path("accounts/tokens/", api_views.tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", api_views.revoke, name="api_token_revoke"),
    path("supervision/", include("zhenggai.supervision.urls")),
    path("admin/", admin.site.urls),
    path("notices/", include("zhenggai.notices.urls")),
    path("evaluation/", include("zhenggai.evaluation.urls")),
    path("gongkai/", include("zhenggai.portal.urls")),
    path("feedback/", include("zhenggai.portal.staff_urls")),
    path("", include("zhenggai.web.urls")),
]

handler404 = "zhenggai.portal.views.page_not_found"
