from django.urls import path

from zhenggai.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("inspections/<int:pk>/coverage/", views.coverage, name="coverage"),
    path("signals/", views.signals, name="signals"),
]
