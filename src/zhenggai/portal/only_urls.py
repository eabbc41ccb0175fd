"""ZHENGGAI_PORTAL_ONLY=1: a server in the DMZ serves the public pages and nothing else.

It shares the database with the intranet server; the intranet pages, the admin and the login are not routed
here at all (404), so the DMZ exposes no staff login.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import include, path

from zhenggai.health import healthz


@login_not_required
def to_portal(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect("/gongkai/")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("gongkai/", include("zhenggai.portal.urls")),
    path("", to_portal),
]

handler404 = "zhenggai.portal.views.not_found"
