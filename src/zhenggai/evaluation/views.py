"""Pages of 整改评估: the coverage check, 纸面整改 signals, the rubric and its evaluations, 回头看.

Views parse, authorize (visible_to), call a service, render.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zhenggai.evaluation.coverage import check_ledger
from zhenggai.ledger.models import Inspection


def coverage(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related("inspected_unit"), pk=pk
    )
    return render(
        request, "evaluation/coverage.html", {"inspection": inspection, "coverage": check_ledger(inspection)}
    )
