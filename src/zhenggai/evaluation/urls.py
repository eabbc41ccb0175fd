from django.urls import path

from zhenggai.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("inspections/<int:pk>/coverage/", views.coverage, name="coverage"),
    path("signals/", views.signals, name="signals"),
    path("", views.index, name="index"),
    path("rubric/", views.rubric, name="rubric"),
    path("evaluate/", views.evaluate_round, name="evaluate_round"),
    path("inspections/<int:pk>/evaluate/", views.evaluate_inspection, name="evaluate"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation"),
    path("report.docx", views.report_docx, name="report_docx"),
    path("rechecks/", views.rechecks, name="rechecks"),
    path("rechecks/<int:pk>/", views.recheck_detail, name="recheck"),
]
