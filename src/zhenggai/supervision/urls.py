from django.urls import path

from zhenggai.supervision import indicator_import_views, indicator_views, views

app_name = "supervision"

urlpatterns = [
    path("weekly/", views.weekly, name="weekly"),
    path("weekly.docx", views.weekly_docx, name="weekly_docx"),
    path("warnings/", views.warnings, name="warnings"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.mark_read, name="mark_read"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notices/", views.notices, name="notices"),
    path("notices/issue/", views.issue_notice, name="issue_notice"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/reply/", views.reply_notice, name="reply_notice"),
    path("notices/<int:pk>/close/", views.close_notice, name="close_notice"),
    path("indicators/", indicator_views.indicators, name="indicators"),
    path("indicators/add/", indicator_views.add, name="indicator_add"),
    path("indicators/import/", indicator_import_views.import_page, name="indicators_import"),
    path("indicators.xlsx", indicator_views.export, name="indicators_export"),
    path("indicators/<int:pk>/edit/", indicator_views.edit, name="indicator_edit"),
    path("indicators/<int:pk>/retire/", indicator_views.retire, name="indicator_retire"),
    path("indicators/<int:pk>/report/", indicator_views.report, name="indicator_report"),
    path("indicators/notices/issue/", indicator_views.issue_notices, name="indicator_notices_issue"),
    path("indicators/notices/<int:pk>.docx", indicator_views.notice_docx, name="indicator_notice_docx"),
]
