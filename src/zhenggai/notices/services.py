"""Publishing a notice: build it from the ledger, redact a public version, store it as a new version.

`preview_notice` and `publish_notice` go through the same `prepare_notice`, so the preview is exactly the
HTML that the stored version holds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.models import Finding, Inspection, Measure
from zhenggai.ledger.permissions import require_manager
from zhenggai.ledger.services.audit import record
from zhenggai.notices.choices import Audience, ExcludedKind, Exemption
from zhenggai.notices.document import Contact, NoticeDoc
from zhenggai.notices.from_ledger import LedgerNotice, notice_from_ledger
from zhenggai.notices.models import Notice
from zhenggai.notices.redact import RedactionReport, Redactions, policy_for, redact_notice
from zhenggai.notices.render import RenderOptions, render_docx, render_html, render_markdown


@dataclass(frozen=True)
class Exclusion:
    """A finding (with everything under it) or a measure that a leader leaves out, and why."""

    kind: str  # ExcludedKind
    id: int
    reason: str  # Exemption
    note: str = ""


@dataclass
class PreparedNotice:
    ledger: LedgerNotice
    doc: NoticeDoc  # what is printed: redacted when public
    options: RenderOptions
    html: str  # the <article> fragment, as stored and as previewed
    redaction: dict[str, Any]
    exclusions: list[dict[str, Any]]


def prepare_notice(
    inspection: Inspection,
    *,
    audience: str,
    redactions: Redactions | None = None,
    exclusions: Sequence[Exclusion] = (),
    contact: Contact | None = None,
    date: dt.date | None = None,
    today: dt.date | None = None,
) -> PreparedNotice:
    """The notice a version would hold; checks the inputs, not the user (callers do)."""
    if audience not in Audience.values:
        raise InvalidInput("通报范围应为“党内（内部）”或“向社会公开”。", "audience")
    public = audience == Audience.PUBLIC
    if redactions is not None and (redactions.names or redactions.spans) and not public:
        raise InvalidInput("内部通报不做脱敏，脱敏只用于向社会公开的版本。", "redactions")
    excluded = _check_exclusions(inspection, exclusions)
    ledger = notice_from_ledger(
        inspection,
        public=public,
        contact=contact,
        date=date,
        today=today,
        exclude_findings={e.id for e in exclusions if e.kind == ExcludedKind.FINDING},
        exclude_measures={e.id for e in exclusions if e.kind == ExcludedKind.MEASURE},
    )
    doc = ledger.doc
    redaction: dict[str, Any] = {}
    if public:
        extra = redactions or Redactions()
        policy = policy_for(
            names=[*ledger.names, *extra.names],
            spans=extra.spans,
            keep_phones=[doc.contact.phone],
        )
        doc, report = redact_notice(doc, policy)
        redaction = _redaction_record(report, extra)
    options = RenderOptions()
    html = render_html(doc, options, standalone=False)
    return PreparedNotice(ledger, doc, options, html, redaction, excluded)


def preview_notice(
    *,
    by: User,
    inspection: Inspection,
    audience: str,
    redactions: Redactions | None = None,
    exclusions: Sequence[Exclusion] = (),
    contact: Contact | None = None,
    date: dt.date | None = None,
) -> str:
    """Exactly the HTML `publish_notice` would store with the same arguments (on the same day)."""
    _require_publisher(by, inspection)
    prepared = prepare_notice(
        inspection,
        audience=audience,
        redactions=redactions,
        exclusions=exclusions,
        contact=contact,
        date=date,
    )
    return prepared.html


def publish_notice(
    *,
    by: User,
    inspection: Inspection,
    audience: str,
    redactions: Redactions | None = None,
    exclusions: Sequence[Exclusion] = (),
    contact: Contact | None = None,
    date: dt.date | None = None,
) -> Notice:
    """Store the next version of the inspection's notice (.docx file, HTML, Markdown, figures), audited."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            notice = _publish(by, inspection, audience, redactions, exclusions, contact, date, stored)
    except BaseException:
        # The row is gone with the transaction; the file must not outlive it.
        for name in stored:
            default_storage.delete(name)
        raise
    return notice


def _publish(
    by: User,
    inspection: Inspection,
    audience: str,
    redactions: Redactions | None,
    exclusions: Sequence[Exclusion],
    contact: Contact | None,
    date: dt.date | None,
    stored: list[str],
) -> Notice:
    # Lock the inspection so that two publishers cannot take the same version number.
    locked = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("inspected_unit")
        .filter(pk=inspection.pk)
        .first()
    )
    if locked is None:
        raise InvalidInput("这次巡察不存在或已被删除。", "inspection")
    _require_publisher(by, locked)
    day = date or timezone.localdate()
    prepared = prepare_notice(
        locked,
        audience=audience,
        redactions=redactions,
        exclusions=exclusions,
        contact=contact,
        date=day,
    )
    docx = render_docx(prepared.doc, prepared.options)
    last = Notice.objects.filter(inspection=locked).aggregate(v=Max("version"))["v"] or 0
    notice = Notice(
        inspection=locked,
        version=last + 1,
        audience=audience,
        title=prepared.doc.title or "",
        notice_date=day,
        docx_sha256=hashlib.sha256(docx).hexdigest(),
        docx_size=len(docx),
        html=prepared.html,
        markdown=render_markdown(prepared.doc, prepared.options),
        figures=asdict(prepared.ledger.figures),
        redaction=prepared.redaction,
        exclusions=prepared.exclusions,
        created_by=by,
    )
    notice.docx.save("notice.docx", ContentFile(docx), save=False)
    stored.append(str(notice.docx.name))
    notice.save()
    record(
        actor=by,
        action="publish_notice",
        obj=notice,
        unit=locked.inspected_unit,
        after={
            "inspection_id": locked.pk,
            "version": notice.version,
            "audience": audience,
            "title": notice.title,
            "notice_date": day,
            "figures": notice.figures,
            "redaction": notice.redaction,
            "exclusions": notice.exclusions,
            "docx": notice.docx.name,
            "docx_sha256": notice.docx_sha256,
        },
    )
    return notice


def _require_publisher(by: User, inspection: Inspection) -> None:
    if not Inspection.objects.visible_to(by).filter(pk=inspection.pk).exists():
        raise NotPermitted("您无权查看这次巡察。")
    require_manager(by, inspection.inspected_unit, "发布整改情况通报")


def _check_exclusions(inspection: Inspection, exclusions: Sequence[Exclusion]) -> list[dict[str, Any]]:
    """Every excluded item belongs to the inspection and carries a reason; returns what to record."""
    if not exclusions:
        return []
    reasons = "、".join(str(label) for label in Exemption.labels)
    for e in exclusions:
        if e.kind not in ExcludedKind.values:
            raise InvalidInput(f"不予公开的只能是反馈问题或整改措施（收到“{e.kind}”）。", "exclusions")
        if e.reason not in Exemption.values:
            raise InvalidInput(f"请为不予公开的事项选择理由：{reasons}。", "exclusions")
    finding_ids = {e.id for e in exclusions if e.kind == ExcludedKind.FINDING}
    measure_ids = {e.id for e in exclusions if e.kind == ExcludedKind.MEASURE}
    findings = dict(
        Finding.objects.filter(inspection=inspection, pk__in=finding_ids).values_list("pk", "title")
    )
    measures = dict(
        Measure.objects.filter(inspection=inspection, pk__in=measure_ids).values_list("pk", "text")
    )
    result: list[dict[str, Any]] = []
    seen: set[tuple[str, int]] = set()
    for e in exclusions:
        texts = findings if e.kind == ExcludedKind.FINDING else measures
        if e.id not in texts:
            label = ExcludedKind(e.kind).label
            raise InvalidInput(f"要删减的{label}（编号 {e.id}）不属于这次巡察。", "exclusions")
        if (e.kind, e.id) in seen:
            continue
        seen.add((e.kind, e.id))
        result.append(
            {
                "kind": e.kind,
                "id": e.id,
                "text": texts[e.id],
                "reason": e.reason,
                "reason_label": str(Exemption(e.reason).label),
                "note": e.note.strip(),
            }
        )
    return result


def _redaction_record(report: RedactionReport, extra: Redactions) -> dict[str, Any]:
    return {
        "counts": report.to_dict(),
        "summary": report.summary(),
        "names_given": len(extra.names),
        "spans_marked": len(extra.spans),
    }
