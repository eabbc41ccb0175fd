"""Pages: the weekly summary (HTML and .docx), current warnings, notifications and 督办单.

Views parse, authorize (visible_to), call a service, render; every list is paginated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape  # what django.utils.html.escape calls
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.decorators.http import require_GET, require_POST

from zhenggai.ledger.choices import MeasureStatus, Role
from zhenggai.ledger.errors import DomainError, NotPermitted
from zhenggai.ledger.models import AuditEvent, Measure, Membership
from zhenggai.ledger.security_audit import download_event
from zhenggai.supervision.alerts import severity
from zhenggai.supervision.choices import WARNING_COLOURS, Colour, NoticeStatus
from zhenggai.supervision.digest import digest_for
from zhenggai.supervision.digest_docx import digest_docx
from zhenggai.supervision.events import set_email_mutes
from zhenggai.supervision.forms import CloseNoticeForm, EmailMutesForm, IssueNoticeForm, ReplyForm
from zhenggai.supervision.indicators import rate
from zhenggai.supervision.models import (
    Indicator,
    MeasureLight,
    Notification,
    NotificationPreference,
    SupervisionNotice,
)
from zhenggai.supervision.notices import (
    blocking_measures,
    can_reply,
    close_supervision_notice,
    issue_supervision_notice,
)
from zhenggai.supervision.notices import reply_supervision_notice as reply_service
from zhenggai.supervision.rules import MeasureFlags, colour_of, reason_labels, rules
from zhenggai.supervision.snapshots import warning_counts
from zhenggai.web.forms import attach_error
from zhenggai.web.seek import seek_page
from zhenggai.web.views.common import SUPERVISORS, require_roles

PAGE_SIZE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


def _page(request: HttpRequest, items: Any, param: str = "page") -> Page[Any]:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))


def _day(request: HttpRequest) -> dt.date | None:
    raw = request.GET.get("date", "").strip()
    if not raw:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return None


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "supervision/error.html", {"message": message}, status=400)


def is_supervisor(user: User) -> bool:
    """Holds the 巡察办 role somewhere (a business role: the superuser issues nothing by rank)."""
    return Membership.objects.filter(user=user, role=Role.SUPERVISOR).exists()


@login_required
@require_GET
def weekly(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    if day is None:
        return _bad(request, "日期格式应为 2025-04-07。")
    digest = digest_for(_user(request), day)
    return render(request, "supervision/weekly.html", {"digest": digest, "totals": digest.totals})


@login_required
@require_GET
def weekly_docx(request: HttpRequest) -> HttpResponse:
    day = _day(request)
    if day is None:
        return _bad(request, "日期格式应为 2025-04-07。")
    content = digest_docx(digest_for(_user(request), day))
    name = f"整改工作每周汇总-{day.isoformat()}.docx"
    download_event(request, "download_weekly", None, None, name)
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_GET
def warnings(request: HttpRequest) -> HttpResponse:
    """One query for the page's keys along a stored-sort-key index (keyset pages), one for its rows with
    today's colours; the colour counts are the last sweep's stored totals of what the user may see (basis
    SCOPE: they equal the rows listed), not a count of the lights."""
    user = _user(request)
    colour = request.GET.get("colour", "")
    # A measure signed off since the last sweep has no warning left, whatever its stored light says.
    lights = MeasureLight.objects.visible_to(user).exclude(measure__status=MeasureStatus.DONE)
    counts = warning_counts(user)
    if colour in Colour.values:
        lights = lights.filter(colour=colour)
        order = ["colour", "due", "measure_id"]
        estimate = counts[colour]
    else:
        colour = ""
        lights = lights.filter(colour__in=WARNING_COLOURS)
        order = ["rank", "due", "measure_id"]
        estimate = sum(counts[c] for c in WARNING_COLOURS)
    page = seek_page(request, lights.order_by(*order), order, PAGE_SIZE, estimate=estimate, fetch=_as_of_now)
    rows: list[WarningRow] = page.rows
    indicators = (
        Indicator.objects.visible_to(user).current().filter(colour__in=WARNING_COLOURS).select_related("unit")
    )
    indicator_page = _page(request, indicators.order_by(severity(), "name", "pk"), "ipage")
    today = timezone.localdate()
    indicator_rows = [(i, rate(i, today)) for i in indicator_page]
    can_issue = is_supervisor(user)
    first: dict[str, str | int] = {"colour": colour} if colour else {}
    return render(
        request,
        "supervision/warnings.html",
        {
            "page": page,
            "rows": rows,
            "rows_html": _rows_html(rows, can_issue),
            "colour": colour,
            "first_query": urlencode(first),
            "next_query": urlencode({**first, "after": page.next_cursor, "page": page.number + 1}),
            "colours": [(c.value, c.label, counts[c.value]) for c in Colour],
            "indicator_page": indicator_page,
            "indicator_rows": indicator_rows,
            "can_issue": can_issue,
        },
    )


@dataclass(frozen=True)
class WarningRow:
    """One line of the warnings page, its text prepared here: the template reads each value by one name instead
    of walking light → measure → inspection → unit for every cell (the page's largest cost at 50 rows)."""

    measure_id: int
    href: str
    colour: str
    colour_label: str
    code: str
    unit: str
    text: str
    department: str
    deadline: str
    progress: int
    reasons: str
    since: str


def _rows_html(rows: list[WarningRow], can_issue: bool) -> SafeString:
    """The table's rows, written here rather than by the template's loop: the same HTML (escaped as the template
    escaped it) without ten variable lookups a row (a third of the page's CPU for 50 rows). Kept in step with the
    header in warnings.html."""
    parts: list[str] = []
    for row in rows:
        href, code, unit = escape(row.href), escape(row.code), escape(row.unit)
        check = (
            '<td><input class="form-check-input" type="checkbox" name="measures" '
            f'value="{row.measure_id}" aria-label="督办{code}"></td>'
            if can_issue
            else ""
        )
        parts.append(
            f"\n    <tr>\n      {check}\n"
            f'      <td class="nowrap"><span class="dot {escape(row.colour)}"></span> {escape(row.colour_label)}'
            f'<span class="d-md-none"> · <a href="{href}">{code}</a> · {unit}</span></td>\n'
            f'      <td class="d-none d-md-table-cell">{unit}</td>\n'
            f'      <td class="nowrap d-none d-md-table-cell"><a href="{href}">{code}</a></td>\n'
            f'      <td class="text"><a href="{href}">{escape(row.text)}</a></td>\n'
            f'      <td data-label="责任部门">{escape(row.department)}</td>\n'
            f'      <td class="nowrap" data-label="整改时限">{escape(row.deadline)}</td>\n'
            f'      <td class="num" data-label="进度">{row.progress}%</td>\n'
            f'      <td style="min-width:9em" data-label="原因">{escape(row.reasons)}</td>\n'
            f'      <td class="nowrap" data-label="变色时间">{escape(row.since)}</td>\n'
            "    </tr>\n  "
        )
    return mark_safe("".join(parts))  # every value above is escaped (or our own constant text)


def _chinese_date(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def _as_of_now(ids: list[int]) -> dict[int, WarningRow]:
    """The page's rows by measure id, recoloured by today's rules, in one query by primary key alone (values, no
    model instances): a measure that changed since the sweep (progress reported, deadline extended) shows its
    colour now. The stored lights are left to the sweep."""
    now, r = timezone.now(), rules()  # the rules read once for the page, not once a row
    found = (
        Measure.objects.filter(pk__in=ids)
        .order_by()  # the page's order is the keys' (seek_page)
        .annotate(flags=MeasureFlags(timezone.localdate(now), now, r))
        .values_list(
            "pk",
            "code",
            "text",
            "deadline",
            "progress",
            "inspection__inspected_unit__short_name",
            "inspection__inspected_unit__name",
            "lead_department__short_name",
            "lead_department__name",
            "light__since",
            "flags",
        )
    )
    rows: dict[int, WarningRow] = {}
    for pk, code, text, deadline, progress, unit_short, unit, dept_short, dept, since, flags in found:
        if since is None:  # the light is gone: the measure was signed off and a sweep ran in between
            continue
        colour = colour_of(int(flags or 0))
        rows[pk] = WarningRow(
            measure_id=pk,
            href=reverse("measure", args=[pk]),
            colour=colour.value,
            colour_label=str(colour.label),
            code=code,
            unit=unit_short or unit,
            text=Truncator(text).chars(60),
            department=dept_short or dept or "",
            deadline=_chinese_date(deadline) or "长期",
            progress=progress,
            reasons="、".join(reason_labels(int(flags or 0), r)),
            since=_chinese_date(timezone.localtime(since).date()),
        )
    return rows


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(user=_user(request))
    unread = mine.filter(read_at__isnull=True).count()
    return render(request, "supervision/notifications.html", {"page": _page(request, mine), "unread": unread})


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Each user mutes the e-mail copy per notification kind; the in-app message always arrives."""
    user = _user(request)
    saved = False
    if request.method == "POST":
        form = EmailMutesForm(request.POST)
        if form.is_valid():
            try:
                set_email_mutes(by=user, muted_kinds=form.cleaned_data["muted_kinds"])
            except NotPermitted as exc:
                raise PermissionDenied(exc.message) from None
            except DomainError as exc:
                attach_error(form, exc)
            else:
                return HttpResponseRedirect(reverse("supervision:notification_settings") + "?saved=1")
    else:
        preference = NotificationPreference.objects.filter(user=user).first()
        form = EmailMutesForm(initial={"muted_kinds": preference.muted_kinds if preference else []})
        saved = request.GET.get("saved") == "1"
    return render(
        request,
        "supervision/notification_settings.html",
        {"form": form, "saved": saved, "has_email": bool(user.email)},
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=_user(request), read_at__isnull=True).update(read_at=timezone.now())
    return HttpResponseRedirect(reverse("supervision:notifications"))


@login_required
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = SupervisionNotice.objects.visible_to(_user(request)).select_related("unit", "issued_by")
    if status in NoticeStatus.values:
        rows = rows.filter(status=status)
    # GROUP BY drops the model's default ordering: order explicitly for the paginator.
    rows = rows.annotate(n_measures=Count("measures")).order_by("-issued_at", "-id")
    return render(
        request,
        "supervision/notices.html",
        {"page": _page(request, rows), "status": status, "statuses": NoticeStatus.choices},
    )


def _notice_page(request: HttpRequest, notice: SupervisionNotice, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    measures = notice.measures.select_related("lead_department").order_by("code")
    return {
        "notice": notice,
        "page": _page(request, measures),
        "events": AuditEvent.objects.for_object(notice).select_related("actor")[:50],
        "can_reply": notice.status == NoticeStatus.OPEN and can_reply(user, notice),
        "can_close": notice.status == NoticeStatus.REPLIED and is_supervisor(user),
        "blocking": blocking_measures(notice) if notice.status != NoticeStatus.CLOSED else [],
        "form": extra.pop("form", ReplyForm()),
        "close_form": extra.pop("close_form", CloseNoticeForm()),
        **extra,
    }


@login_required
@require_GET
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        SupervisionNotice.objects.visible_to(_user(request)).select_related("unit"), pk=pk
    )
    return render(request, "supervision/notice.html", _notice_page(request, found))


@login_required
@require_POST
def reply_notice(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        SupervisionNotice.objects.visible_to(_user(request)).select_related("unit"), pk=pk
    )
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            reply_service(by=_user(request), notice=found, reply=form.cleaned_data["reply"])
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            context = _notice_page(request, found, form=form, error=exc.message)
            return render(request, "supervision/notice.html", context, status=400)
        return HttpResponseRedirect(reverse("supervision:notice", args=[pk]))
    return render(request, "supervision/notice.html", _notice_page(request, found, form=form), status=400)


@login_required
@require_POST
def close_notice(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(
        SupervisionNotice.objects.visible_to(_user(request)).select_related("unit"), pk=pk
    )
    form = CloseNoticeForm(request.POST)
    if form.is_valid():
        try:
            close_supervision_notice(
                by=_user(request), notice=found, closing_note=form.cleaned_data["closing_note"]
            )
        except NotPermitted as exc:
            raise PermissionDenied(exc.message) from None
        except DomainError as exc:
            attach_error(form, exc)
        else:
            return HttpResponseRedirect(reverse("supervision:notice", args=[pk]))
    return render(
        request, "supervision/notice.html", _notice_page(request, found, close_form=form), status=400
    )


@login_required
def issue_notice(request: HttpRequest) -> HttpResponse:
    require_roles(request, SUPERVISORS, "只有巡察办可以下发督办单。")
    user = _user(request)
    open_measures = Measure.objects.visible_to(user).exclude(status=MeasureStatus.DONE)
    if request.method == "POST":
        form = IssueNoticeForm(request.POST, measures=open_measures)
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = issue_supervision_notice(
                    by=user,
                    measures=list(data["measures"]),
                    title=data["title"],
                    content=data["content"],
                    reply_deadline=data["reply_deadline"],
                )
            except NotPermitted as exc:
                raise PermissionDenied(exc.message) from None
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                return HttpResponseRedirect(reverse("supervision:notice", args=[created.pk]))
        status = 400
    else:
        form = IssueNoticeForm(initial={"measures": request.GET.getlist("measures")}, measures=open_measures)
        status = 200
    ticked = [int(v) for v in form["measures"].value() or [] if str(v).isdigit()]
    chosen = open_measures.filter(Q(pk__in=ticked))
    return render(
        request,
        "supervision/issue_notice.html",
        {
            "form": form,
            "chosen": chosen.select_related("lead_department")[:PAGE_SIZE],
            "left_out": _left_out(user, ticked),
        },
        status=status,
    )


def _left_out(user: User, ticked: list[int]) -> list[str]:
    """Why a ticked measure is not on the 督办单: signed off already, or not the user's to see."""
    visible = {
        pk: (code, status)
        for pk, code, status in Measure.objects.visible_to(user)
        .filter(pk__in=ticked)
        .values_list("pk", "code", "status")
    }
    notes = [
        f"整改措施{visible[pk][0]}已完成，无需督办，未列入督办单。"
        for pk in ticked
        if pk in visible and visible[pk][1] == MeasureStatus.DONE
    ]
    missing = [pk for pk in ticked if pk not in visible]
    if missing:
        notes.append(f"有{len(missing)}条勾选的措施不存在或不在您的管理范围内，未列入督办单。")
    return notes
