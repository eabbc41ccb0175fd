from django.urls import path

from zhenggai.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.index, name="index"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("units/<int:pk>/", views.unit, name="unit"),
    path("notices/<int:pk>/feedback/", views.notice_feedback, name="notice_feedback"),
    path("units/<int:pk>/feedback/", views.unit_feedback, name="unit_feedback"),
    path("captcha/<str:token>.png", views.captcha_image, name="captcha"),
    path("feedback/", views.lookup, name="lookup"),
    path("feedback/<str:code>/", views.feedback_status, name="feedback_status"),
    path("notice.css", views.notice_css, name="notice_css"),
]
