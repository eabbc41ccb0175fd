from django.urls import path

from zhenggai.notices import views

urlpatterns = [
    path("import/", views.import_page, name="notice_import"),
]
