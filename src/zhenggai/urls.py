from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from zhenggai.health import healthz

admin.site.site_header = "巡察整改管理系统"
admin.site.site_title = "巡察整改管理系统"
admin.site.index_title = "数据管理"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Until the web application lands, the front door is the admin.
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
