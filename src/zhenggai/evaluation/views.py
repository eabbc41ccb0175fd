"""Pages of 整改评估: the coverage check, 纸面整改 signals, the rubric and its evaluations, 回头看.

Views parse, authorize (visible_to), call a service, render.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zhenggai.evaluation.coverage import check_ledger
from zhenggai.evaluation.signals.load import load
from zhenggai.evaluation.signals.scan import KIND_LABELS, scan
from zhenggai.ledger.models import Inspection, Measure


def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related("inspected_unit"), pk=pk
    )
    return render(
        request, "evaluation/coverage.html", {"inspection": inspection, "coverage": check_ledger(inspection)}
    )


def signals(request: HttpRequest) -> HttpResponse:
    """纸面整改 signals over the measures the user may see, optionally one inspection's."""
    measures = Measure.objects.visible_to(request.user)
    inspection = None
    raw = request.GET.get("inspection", "").strip()
    if raw:
        if not raw.isdigit():
            raise Http404("巡察不存在。")
        inspection = get_object_or_404(Inspection.objects.visible_to(request.user), pk=int(raw))
        measures = measures.filter(inspection=inspection)
    data = load(measures)
    found = scan(data)
    codes = {m.id: (m.unit_name, m.code) for m in data.measures}
    kind = request.GET.get("kind", "")
    counts = Counter(s.kind for s in found)
    shown = [s for s in found if not kind or s.kind == kind]
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    rows = [(s, [(pk, *codes[pk]) for pk in s.measure_ids[:20]]) for s in page.object_list]
    context = {
        "inspection": inspection,
        "rows": rows,
        "page": page,
        "kinds": [(k, label, counts.get(k, 0)) for k, label in KIND_LABELS.items()],
        "kind": kind,
        "total": len(found),
        "measures": len(data.measures),
        "extra": urlencode({k: v for k, v in (("kind", kind), ("inspection", raw)) if v}) + "&",
    }
    return render(request, "evaluation/signals.html", context)
