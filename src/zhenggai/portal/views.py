"""The public pages: no login, no intranet menu, cached per publication state."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from zhenggai.ledger.models import Round, Unit
from zhenggai.notices.choices import NoticeState
from zhenggai.notices.models import Notice
from zhenggai.portal.public import public_notices, publication_stamp

PAGE_SIZE = 30
CACHE_SECONDS = 600
Q_MAX = 50


def cached_fragment(request: HttpRequest, name: str, build: Callable[[], str]) -> SafeString:
    """The page's public content, rendered once per (page, query, publication state).

    Only what every visitor sees alike is cached; the feedback form (CSRF token, captcha) is rendered fresh.
    """
    digest = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    key = f"portal:{name}:{publication_stamp()}:{digest}"
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


@login_not_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:Q_MAX]
    round_id = _int(request.GET.get("round"))
    year = _int(request.GET.get("year"))
    page_no = _int(request.GET.get("page")) or 1

    def build() -> str:
        notices = _listing()
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
        page = Paginator(notices, PAGE_SIZE).get_page(page_no)
        public = public_notices()
        rounds = Round.objects.filter(pk__in=public.values("inspection__round_id")).order_by("-year", "name")
        years = sorted({d.year for d in public.dates("notice_date", "year")}, reverse=True)
        context = {
            "page": page,
            "query": query,
            "round_id": round_id,
            "year": year,
            "rounds": rounds,
            "years": years,
        }
        return render_to_string("portal/_index.html", context)

    return render(request, "portal/index.html", {"content": cached_fragment(request, "index", build)})


def public_notice(pk: int) -> Notice:
    return get_object_or_404(
        public_notices().select_related("inspection__inspected_unit", "inspection__round"), pk=pk
    )


@login_not_required
@require_GET
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    found = public_notice(pk)

    def build() -> str:
        return render_to_string("portal/_notice.html", {"notice": found, "withdrawn": _withdrawn(found)})

    context = {"notice": found, "content": cached_fragment(request, f"notice{pk}", build)}
    context.update(feedback_context(request, unit=found.inspection.inspected_unit, notice=found))
    return render(request, "portal/notice.html", context)


def _withdrawn(found: Notice) -> bool:
    return found.state == NoticeState.WITHDRAWN


def unit_notices(unit: Unit) -> list[Notice]:
    return list(_listing().filter(inspection__inspected_unit=unit).order_by("-published_at", "-pk"))


@login_not_required
@require_GET
def unit(request: HttpRequest, pk: int) -> HttpResponse:
    found = get_object_or_404(Unit, pk=pk)

    def build() -> str:
        notices = unit_notices(found)
        if not notices:
            return ""
        rows = [
            {
                "notice": n,
                "withdrawn": _withdrawn(n),
                "problems": n.figures.get("problems"),
                "measures": n.figures.get("measures"),
                "done": n.figures.get("done"),
                "rate": n.figures.get("completion_rate"),
            }
            for n in notices
        ]
        return render_to_string("portal/_unit.html", {"unit": found, "rows": rows})

    content = cached_fragment(request, f"unit{pk}", build)
    if not content:
        raise Http404("该单位暂无公开的整改情况通报。")
    context: dict[str, Any] = {"unit": found, "content": content}
    context.update(feedback_context(request, unit=found, notice=None))
    return render(request, "portal/unit.html", context)


def feedback_context(request: HttpRequest, *, unit: Unit, notice: Notice | None) -> dict[str, Any]:
    """The feedback form's context (added with 群众意见)."""
    return {}


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
