from django.urls import path

from zhenggai.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("notice.css", views.notice_css, name="notice_css"),
]
