from django.contrib import admin
from django.urls import include, path

from zhenggai.health import healthz

admin.site.site_header = "巡察整改管理系统"
admin.site.site_title = "巡察整改管理系统"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("supervision/", include("zhenggai.supervision.urls")),
    path("admin/", admin.site.urls),
    path("notices/", include("zhenggai.notices.urls")),
    path("evaluation/", include("zhenggai.evaluation.urls")),
    path("gongkai/", include("zhenggai.portal.urls")),
    path("feedback/", include("zhenggai.portal.staff_urls")),
    path("", include("zhenggai.web.urls")),
]

handler404 = "zhenggai.portal.views.page_not_found"
