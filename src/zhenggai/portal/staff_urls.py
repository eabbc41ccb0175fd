from django.urls import path

from zhenggai.portal import staff_views

app_name = "feedback"

urlpatterns = [
    path("", staff_views.queue, name="queue"),
    path("<int:pk>/", staff_views.detail, name="detail"),
    path("<int:pk>/files/<int:attachment_id>/", staff_views.attachment, name="attachment"),
    path("<int:pk>/<str:action>/", staff_views.act, name="act"),
]
