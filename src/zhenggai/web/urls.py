from django.contrib.auth import views as auth_views
from django.urls import path

from zhenggai.web.form_messages import LoginForm, PasswordForm
from zhenggai.web.views import (
    audit,
    charts,
    documents,
    home,
    inspections,
    measures,
    notice_steps,
    overview,
    reviews,
    tasks,
)

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="web/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(
            template_name="web/password_change.html", form_class=PasswordForm
        ),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="web/password_change_done.html"),
        name="password_change_done",
    ),
    path("tasks/", tasks.my_tasks, name="tasks"),
    path("measures/<int:pk>/", measures.measure_detail, name="measure"),
    path("measures/<int:pk>/report/", measures.report, name="measure_report"),
    path("measures/<int:pk>/signoff/", measures.request_signoff, name="measure_signoff"),
    path("measures/<int:pk>/extension/", measures.request_extension, name="measure_extension"),
    path("measures/<int:pk>/reopen/", measures.reopen, name="measure_reopen"),
    path("measures/<int:pk>/edit/", measures.edit, name="measure_edit"),
    path("evidence/<int:pk>/", measures.evidence_file, name="evidence"),
    path("inspections/", inspections.inspection_list, name="inspections"),
    path("inspections/<int:pk>/", inspections.inspection_tree, name="inspection"),
    path("inspections/<int:pk>/edit/", inspections.inspection_edit, name="inspection_edit"),
    path("findings/<int:pk>/edit/", inspections.finding_edit, name="finding_edit"),
    path("inspections/<int:pk>/regulations/new/", inspections.add_regulation, name="regulation_add"),
    path("inspections/<int:pk>/clues/new/", inspections.add_clue, name="clue_add"),
    path("clues/<int:pk>/", inspections.update_clue, name="clue_update"),
    path("units/<int:pk>/", inspections.unit_detail, name="unit"),
    path("reviews/", reviews.queue, name="reviews"),
    path("signoffs/<int:pk>/approve/", reviews.approve_signoff, name="signoff_approve"),
    path("signoffs/<int:pk>/reject/", reviews.reject_signoff, name="signoff_reject"),
    path("extensions/<int:pk>/approve/", reviews.approve_extension, name="extension_approve"),
    path("extensions/<int:pk>/reject/", reviews.reject_extension, name="extension_reject"),
    path("overview/", overview.overview, name="overview"),
    path("overview/charts/", charts.charts, name="overview_charts"),
    path("overview.xlsx", overview.export, name="overview_export"),
    path("audit/<str:kind>/<int:pk>/", audit.audit_trail, name="audit"),
    path("inspections/<int:pk>/ledger.xlsx", documents.ledger_xlsx, name="ledger_export"),
    path("inspections/<int:pk>/ledger/import/", documents.ledger_import, name="ledger_import"),
    path("inspections/<int:pk>/notice.docx", documents.notice_docx, name="notice_docx"),
    path("inspections/<int:pk>/notices/", documents.notice_versions, name="notice_versions"),
    path("inspections/<int:pk>/notices/publish/", documents.notice_publish, name="notice_publish"),
    path("notices/<int:pk>/download/", documents.notice_download, name="notice_download"),
    path("notices/notice.css", notice_steps.notice_css, name="notice_css"),
    path("notices/<int:pk>/approve/", notice_steps.approve, name="notice_approve"),
    path("notices/<int:pk>/sign/", notice_steps.sign, name="notice_sign"),
    path("notices/<int:pk>/withdraw/", notice_steps.withdraw, name="notice_withdraw"),
]
