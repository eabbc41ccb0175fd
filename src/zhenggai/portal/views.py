"""The public pages: no login, no intranet menu, cached per publication state."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from zhenggai.ledger.errors import DomainError
from zhenggai.ledger.models import Round, Unit
from zhenggai.ledger.services.evidence import UploadedEvidence
from zhenggai.notices.choices import NoticeState
from zhenggai.notices.models import Notice
from zhenggai.portal import captcha
from zhenggai.portal.choices import FeedbackState
from zhenggai.portal.forms import CodeForm, FeedbackForm
from zhenggai.portal.models import PublicFeedback
from zhenggai.portal.public import public_notices, publication_stamp, publication_state
from zhenggai.portal.services import Submission, find_by_code, normalise_code, show_code, submit_feedback
from zhenggai.web.forms import attach_error

PAGE_SIZE = 30
CACHE_SECONDS = 600
TOKEN_SLOT = "captcha-token-slot"
CSRF_SLOT = "csrf-token-slot"
Q_MAX = 50


def cached_fragment(
    request: HttpRequest, name: str, build: Callable[[], str], stamp: str | None = None
) -> SafeString:
    """The page's public content, rendered once per (page, query, publication state).

    Only what every visitor sees alike is cached; the feedback form (CSRF token, captcha) is rendered fresh.
    """
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    key = f"portal:{name}:{stamp or publication_stamp()}:{digest}"
    html: str | None = cache.get(key)
    if html is None:
        html = build()
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # rendered by our own autoescaping templates


def _listing() -> QuerySet[Notice]:
    return (
        public_notices()
        .select_related("inspection__inspected_unit", "inspection__round")
        .defer("html", "markdown", "redaction", "exclusions")
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _choices(stamp: str) -> tuple[list[Round], list[int]]:
    """The search form's rounds and years: alike on every list page, so read once per publication state."""
    key = f"portal:choices:{stamp}"
    found: tuple[list[Round], list[int]] | None = cache.get(key)
    if found is None:
        public = public_notices()
        rounds = list(
            Round.objects.filter(pk__in=public.values("inspection__round_id")).order_by("-year", "name")
        )
        years = sorted({d.year for d in public.dates("notice_date", "year")}, reverse=True)
        found = (rounds, years)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _page_of(notices: QuerySet[Notice], page_no: int, *, search: bool, count_key: str) -> Page[Any]:
    """A page of the list: first the page's ids, read from the notices alone (no join sorts every notice with
    its inspection and unit), then those rows with what they show. A search takes all matching ids in one scan
    (the count is their number): it reads every notice's text, and a count and a page query would read it twice.
    Without a search the count is alike on every page of the same filters: read once per publication state."""
    ids: Any = notices.values_list("pk", flat=True)
    paginator = Paginator(list(ids) if search else ids, PAGE_SIZE)
    if not search:
        count = cache.get(count_key)
        if count is None:
            count = paginator.count
            cache.set(count_key, count, CACHE_SECONDS)
        paginator.count = count  # Paginator.count is a cached_property: set, it is not counted again
    page: Page[Any] = paginator.get_page(page_no)
    rows = _listing().in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list if pk in rows]  # one deleted in between: left out
    return page


def _last_modified(changed: dt.datetime | None) -> int | None:
    """Last-Modified in whole seconds, given only once that second is over: a copy stamped with it then
    predates any later change by a whole second, so If-Modified-Since never hides a change."""
    if changed is None or time.time() < int(changed.timestamp()) + 1:
        return None
    return int(changed.timestamp())


@functools.cache
def _release() -> str:
    """A digest of the portal's templates: a new release's layout is not hidden behind an old ETag."""
    digest = hashlib.sha256()
    for template in sorted((Path(__file__).parent / "templates" / "portal").glob("*.html")):
        digest.update(template.read_bytes())
    return digest.hexdigest()[:12]


def _etag(stamp: str) -> str:
    return f'"p{stamp}-{_release()}"'


def _validated(request: HttpRequest, stamp: str, changed: dt.datetime | None) -> HttpResponse | None:
    """304 Not Modified when the visitor's copy is of this publication state, else None."""
    return get_conditional_response(request, etag=_etag(stamp), last_modified=_last_modified(changed))


def _cacheable(response: HttpResponse, stamp: str, changed: dt.datetime | None) -> HttpResponse:
    """The same for every visitor until a publication or withdrawal: shared caches may keep it, but ask each
    time (the ETag and Last-Modified move with the publication state, so a withdrawal shows at once)."""
    response["ETag"] = _etag(stamp)
    if (seconds := _last_modified(changed)) is not None:
        response["Last-Modified"] = http_date(seconds)
    response["Cache-Control"] = "public, no-cache"
    return response


def _per_visitor(response: HttpResponse) -> HttpResponse:
    """A page with the feedback form: its CSRF and captcha tokens are the visitor's own, never to be reused."""
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:Q_MAX]
    round_id = _int(request.GET.get("round"))
    year = _int(request.GET.get("year"))
    page_no = _int(request.GET.get("page")) or 1
    stamp, changed = publication_state()
    not_modified = _validated(request, stamp, changed)
    if not_modified is not None:
        return _cacheable(not_modified, stamp, changed)

    def build() -> str:
        notices = public_notices()
        if round_id:
            notices = notices.filter(inspection__round_id=round_id)
        if year:
            notices = notices.filter(notice_date__year=year)
        if query:
            notices = notices.filter(
                Q(title__icontains=query)
                | Q(markdown__icontains=query)
                | Q(inspection__inspected_unit__name__icontains=query)
            )
        notices = notices.order_by("-published_at", "-pk")
        count_key = f"portal:count:{stamp}:{round_id or ''}:{year or ''}"
        page = _page_of(notices, page_no, search=bool(query), count_key=count_key)
        rounds, years = _choices(stamp)
        context = {
            "page": page,
            "query": query,
            "round_id": round_id,
            "year": year,
            "rounds": rounds,
            "years": years,
        }
        return render_to_string("portal/_index.html", context)

    content = cached_fragment(request, "index", build, stamp)
    return _cacheable(render(request, "portal/index.html", {"content": content}), stamp, changed)


def public_notice(pk: int) -> Notice:
    # The HTML is read only when the cached fragment is built.
    return get_object_or_404(
        public_notices()
        .select_related("inspection__inspected_unit", "inspection__round")
        .defer("html", "markdown", "redaction", "exclusions"),
        pk=pk,
    )


def notice_page(pk: int) -> dict[str, Any]:
    """What the notice page shows, cached per publication state: no notice query on a cache hit."""

    def build() -> dict[str, Any]:
        found = (
            public_notices()
            .select_related("inspection__inspected_unit", "inspection__round")
            .filter(pk=pk)
            .first()
        )
        if found is None:
            return {"missing": True}
        unit = found.inspection.inspected_unit
        return {
            "missing": False,
            "pk": found.pk,
            "title": found.title,
            "unit_id": unit.pk,
            "unit_name": unit.name,
            "withdrawn": _withdrawn(found),
            "html": _notice_fragment(found),
        }

    key = f"portal:notice:{publication_stamp()}:{pk}"
    page: dict[str, Any] | None = cache.get(key)
    if page is None:
        page = build()
        cache.set(key, page, CACHE_SECONDS)
    if page["missing"]:
        raise Http404("通报不存在或尚未公开。")
    return page


@login_not_required
@require_GET
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    page = notice_page(pk)
    context: dict[str, Any] = {"notice": page, "content": mark_safe(page["html"])}
    if not page["withdrawn"]:
        unit = Unit(pk=page["unit_id"], name=page["unit_name"])
        context.update(feedback_context(request, unit=unit, notice_id=pk))
    return _per_visitor(render(request, "portal/notice.html", context))


def _notice_fragment(found: Notice) -> str:
    return render_to_string("portal/_notice.html", {"notice": found, "withdrawn": _withdrawn(found)})


def _withdrawn(found: Notice) -> bool:
    return found.state == NoticeState.WITHDRAWN


def _unit_fragment(found: Unit) -> str:
    notices = unit_notices(found)
    if not notices:
        return ""
    rows = [
        {
            "notice": n,
            "withdrawn": _withdrawn(n),
            "problems": n.figures.get("problems"),
            "measures": n.figures.get("measures"),
            "done": n.figures.get("completed", n.figures.get("done")),
            "rate": n.figures.get("completion_rate"),
        }
        for n in notices
    ]
    answers = (
        PublicFeedback.objects.filter(unit=found, state=FeedbackState.PUBLISHED)
        .only("category", "answer", "answered_at")
        .order_by("-answered_at")[:PAGE_SIZE]
    )
    return render_to_string("portal/_unit.html", {"unit": found, "rows": rows, "answers": answers})


def unit_notices(unit: Unit) -> list[Notice]:
    return list(_listing().filter(inspection__inspected_unit=unit).order_by("-published_at", "-pk"))


@login_not_required
@require_GET
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Unit, pk=pk)
    content = cached_fragment(request, f"unit{pk}", lambda: _unit_fragment(found))
    if not content:
        raise Http404("该单位暂无公开的整改情况通报。")
    context: dict[str, Any] = {"unit": found, "content": content}
    context.update(feedback_context(request, unit=found, notice_id=None))
    return _per_visitor(render(request, "portal/unit.html", context))


def feedback_context(
    request: HttpRequest, *, unit: Unit, notice_id: int | None, form: FeedbackForm | None = None
) -> dict[str, Any]:
    """The feedback form, rendered fresh on every page (its captcha and CSRF token are per visitor)."""
    token = captcha.new_token()
    action = (
        reverse("portal:notice_feedback", args=[notice_id])
        if notice_id is not None
        else reverse("portal:unit_feedback", args=[unit.pk])
    )
    if form is None:
        # The empty form is the same for everyone but for two tokens: rendered once, the tokens put in after.
        def blank() -> str:
            context = {
                "form": FeedbackForm(initial={"token": TOKEN_SLOT}),
                "captcha_token": TOKEN_SLOT,
                "feedback_action": action,
                "feedback_unit": unit,
                "csrf_token": CSRF_SLOT,
            }
            return render_to_string("portal/_feedback_slot.html", context)

        key = "portal:form:" + hashlib.sha256(f"{action}\n{unit.name}".encode()).hexdigest()[:32]
        html = str(cache.get_or_set(key, blank, CACHE_SECONDS))
        filled = html.replace(TOKEN_SLOT, token).replace(CSRF_SLOT, get_token(request))
        return {"feedback_html": mark_safe(filled)}  # our template; the tokens are URL-safe
    data = cast(QueryDict, form.data).copy()
    data["token"] = token
    data["captcha"] = ""
    form.data = data
    return {"form": form, "captcha_token": token, "feedback_action": action, "feedback_unit": unit}


def _client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR as the web server saw it; behind the DMZ reverse proxy set ZHENGGAI_TRUSTED_PROXY_HEADER.
    header = settings.PORTAL_CLIENT_IP_HEADER
    if header and (value := request.META.get(header, "")):
        return str(value).split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def _submit(
    request: HttpRequest, unit: Unit, notice: Notice | None, page: str, base: dict[str, Any]
) -> HttpResponse:
    form = FeedbackForm(request.POST, request.FILES)
    notice_id = notice.pk if notice is not None else None
    if request.POST.get("website"):
        # a robot filled the hidden field: nothing is stored, and nothing says why
        form.is_valid()
        form.add_error(None, "提交未成功，请稍后重试。")
        return render(
            request,
            page,
            base | feedback_context(request, unit=unit, notice_id=notice_id, form=form),
            status=400,
        )
    if form.is_valid():
        data = form.cleaned_data
        nonce = captcha.check(data["token"], data["captcha"])
        if nonce is None:
            form.add_error("captcha", "验证码不正确或已过期，请输入新图片中的数字。")
        else:
            try:
                feedback, code = submit_feedback(
                    Submission(
                        unit=unit,
                        notice=notice,
                        category=data["category"],
                        content=data["content"],
                        name=data["name"],
                        phone=data["phone"],
                        email=data["email"],
                        files=[UploadedEvidence(f.name or "附件", f) for f in data["attachments"]],
                        captcha_nonce=nonce,
                        ip=_client_ip(request),
                    )
                )
            except DomainError as error:
                attach_error(form, error)
            else:
                response = render(
                    request,
                    "portal/feedback_sent.html",
                    {
                        "feedback": feedback,
                        "code": show_code(code),
                        "unit": unit,
                        "notice": notice,
                        "days": settings.PORTAL_FEEDBACK_DAYS,
                    },
                )
                response["Cache-Control"] = "no-store"
                return response
    return render(
        request, page, base | feedback_context(request, unit=unit, notice_id=notice_id, form=form), status=400
    )


@login_not_required
@require_POST
def notice_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    page = notice_page(pk)
    if page["withdrawn"]:
        raise Http404("已撤回的通报不再接收意见。")
    found = public_notice(pk)
    base = {"notice": page, "content": mark_safe(page["html"])}
    return _submit(request, found.inspection.inspected_unit, found, "portal/notice.html", base)


@login_not_required
@require_POST
def unit_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Unit, pk=pk)
    if not public_notices().filter(inspection__inspected_unit=found).exists():
        raise Http404("该单位暂无公开的整改情况通报。")
    content = cached_fragment(request, f"unit{pk}", lambda: _unit_fragment(found))
    return _submit(request, found, None, "portal/unit.html", {"unit": found, "content": content})


@login_not_required
@require_GET
def captcha_image(request: HttpRequest, token: str) -> HttpResponse:
    png = captcha.image_png(token)
    if png is None:
        raise Http404("验证码已过期，请刷新页面。")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
def lookup(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.GET or None)
    if form.is_valid():
        code = normalise_code(form.cleaned_data["code"])
        return redirect("portal:feedback_status", code=code)
    return render(request, "portal/lookup.html", {"form": form})


@login_not_required
@require_GET
def feedback_status(request: HttpRequest, code: str) -> HttpResponse:
    """What the sender may read by code: the state and the public answer, nothing else."""
    found = find_by_code(code)
    if found is None:
        response = render(request, "portal/lookup.html", {"form": CodeForm(), "not_found": True}, status=404)
    else:
        response = render(request, "portal/feedback_status.html", {"feedback": found})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


@login_not_required
@require_GET
def notice_css(request: HttpRequest) -> HttpResponse:
    from zhenggai.notices.render.to_html import NOTICE_STYLE

    response = HttpResponse(NOTICE_STYLE, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "max-age=3600"
    return response


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The portal-only server's 404 page (the intranet one links to pages this server does not have)."""
    return render(request, "portal/404.html", status=404)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The full server's 404: the public layout under /gongkai/, the intranet one elsewhere."""
    if request.path.startswith("/gongkai/"):
        return render(request, "portal/404.html", status=404)
    return render(request, "404.html", status=404)
