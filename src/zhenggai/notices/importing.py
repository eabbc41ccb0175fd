"""Importing a parsed notice (通报) into the ledger: read → plan (pure, no database) → apply (one transaction).

What the import does with each part of the notice:

- the opening sentence gives the inspection (巡察组, dates; 巡视/回头看/专项 from the wording), section 一、
  its organising-work text; the file's SHA-256 is stored so the same file is never imported twice;
- the finding tree becomes 方面 → 问题 → 具体问题 with the same titles (a title over 500 characters is shortened,
  the full text kept in the finding's text); the tree is fitted to the ledger's levels where the notice skips
  one, and every such change is listed in `ImportPlan.adjustments`;
- measures keep their text; their status maps done → 已完成, ongoing → 持续推进 (long-term wording, kind
  长期坚持) or 整改中, open/unknown → 未启动; an unfinished item's 整改时限 becomes the deadline of its unfinished
  measures;
- the clues section (三、) is not turned into 问题线索 rows: it is a summary paragraph, and one row per paragraph
  would misstate the number of clues in notices generated from the ledger. The plan shows it as a note.

Everything is written by `create_inspection` in one transaction with one audit event whose note names the file;
any refusal (permission, duplicate, validation) leaves nothing behind. A dry run does the same work and rolls it
back, so it refuses exactly what the real import would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.utils import timezone

from zhenggai.ledger import services
from zhenggai.ledger.choices import FindingLevel, InspectionKind, MeasureKind, MeasureStatus
from zhenggai.ledger.errors import InvalidInput
from zhenggai.ledger.figures import inspection_figures
from zhenggai.ledger.models import Inspection, Round, Unit
from zhenggai.ledger.permissions import require_manager
from zhenggai.ledger.services import FindingSpec, MeasureSpec
from zhenggai.notices.document import NoticeDoc, NoticeFinding, NoticeMeasure
from zhenggai.notices.normalise import fold
from zhenggai.notices.parse import MAX_BYTES, NoticeReadError
from zhenggai.notices.sandboxed import parse_untrusted

if TYPE_CHECKING:
    from django.contrib.auth.models import User

TITLE_MAX = 500  # Finding.title
INSPECTOR_MAX = 200  # Inspection.inspector
NO_FINDINGS = "未识别出问题清单：通报中没有找到“关于“…”的问题”“针对“…”的问题”等反馈问题，不能导入。"
UNKNOWN_INSPECTOR = "（通报未写明巡察组）"
# Wording that marks a measure as a standing commitment rather than a job that ends.
LONG_TERM_TEXT = re.compile(r"长期坚持|持续推进|常态化|长效|久久为功|持续整改")
_LEVEL = {"aspect": FindingLevel.ASPECT, "problem": FindingLevel.PROBLEM, "detail": FindingLevel.DETAIL}
# The level a node takes under its parent's level (None: at the top, where 方面 and 问题 may both stand).
_CHILD: dict[FindingLevel | None, FindingLevel] = {
    None: FindingLevel.PROBLEM,
    FindingLevel.ASPECT: FindingLevel.PROBLEM,
    FindingLevel.PROBLEM: FindingLevel.DETAIL,
}
# "未收到移交问题、线索。": the clues section says there is nothing to register.
NO_CLUES = re.compile(r"^(?:无|暂无)|未(?:收到|接到|发现)|没有(?:收到|接到)|无(?:移交|转交)|未(?:移交|转交)")
_KEY_STRIP = re.compile(r"[“”\"'‘’\s。.,;:!?、()]")


@dataclass
class PlanCounts:
    """What the ledger will hold, counted the way the ledger's figures count (a bare problem is one detail)."""

    aspects: int = 0
    problems: int = 0
    details: int = 0
    measures: int = 0
    done: int = 0
    ongoing: int = 0
    in_progress: int = 0
    draft: int = 0


@dataclass
class ImportPlan:
    doc: NoticeDoc
    filename: str
    sha256: str
    findings: list[FindingSpec]
    kind: InspectionKind
    inspector: str
    onsite_start: dt.date | None
    onsite_end: dt.date | None
    feedback_date: dt.date | None
    counts: PlanCounts = field(default_factory=PlanCounts)
    adjustments: list[str] = field(
        default_factory=list
    )  # how the tree or the dates were fitted to the ledger
    notes: list[str] = field(default_factory=list)  # what the notice says that the import leaves out
    status_changes: int = 0  # measures whose status the user changed in the preview
    # measure number (as plan_measures numbers them) → what the user should check (NoticeMeasure.warning)
    measure_warnings: dict[int, str] = field(default_factory=dict)

    @property
    def audit_note(self) -> str:
        changed = f"（导入前修改了{self.status_changes}条措施的状态）" if self.status_changes else ""
        return f"导入自 {self.filename}{changed}"


@dataclass
class ImportResult:
    plan: ImportPlan
    dry_run: bool
    inspection_id: int | None  # None after a dry run: the rows were rolled back
    figures: dict[str, int | float]  # the ledger's figures of the new inspection, read inside the transaction


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_bytes(path: Path) -> bytes:
    """The bytes of a notice file (the import hashes exactly what it parses); NoticeReadError in Chinese."""
    try:
        if path.is_dir():
            raise NoticeReadError(f"“{path}”是一个目录，不是通报文件。")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise NoticeReadError(
                f"文件过大（{size / 1024 / 1024:.1f} MB），通报文件不能超过 {MAX_BYTES // 1024 // 1024} MB。"
            )
        with path.open("rb") as handle:
            return handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise NoticeReadError(f"找不到文件“{path}”。") from None
    except PermissionError:
        raise NoticeReadError(f"没有权限读取文件“{path}”。") from None
    except OSError as exc:
        raise NoticeReadError(f"无法读取文件“{path}”：{exc.strerror or exc}。") from None


def read_notice(data: bytes, filename: str) -> ImportPlan:
    """Parse the file and plan its import. Raises NoticeReadError (unreadable) or InvalidInput (no findings)."""
    return plan_import(parse_untrusted(data, filename), filename=filename, sha256=sha256_of(data))


def plan_import(doc: NoticeDoc, *, filename: str, sha256: str) -> ImportPlan:
    """The ledger rows the notice will become; pure, touches no database."""
    if not doc.findings:
        raise InvalidInput(NO_FINDINGS, "file")
    info = doc.inspection
    plan = ImportPlan(
        doc=doc,
        filename=filename,
        sha256=sha256,
        findings=[],
        kind=_kind(doc),
        inspector=(info.inspector or "").strip()[:INSPECTOR_MAX] or UNKNOWN_INSPECTOR,
        onsite_start=iso_date(info.start),
        onsite_end=iso_date(info.end),
        feedback_date=iso_date(info.feedback_date),
    )
    if plan.inspector == UNKNOWN_INSPECTOR:
        plan.adjustments.append("通报未写明巡察组，导入后请在“修改巡察信息”中补填。")
    _fit_dates(plan)
    deadlines = _outstanding_deadlines(doc, plan)
    plan.findings = [_finding(node, None, deadlines, plan) for node in doc.findings]
    plan.measure_warnings = _measure_warnings(doc.findings)
    _count(plan.findings, plan.counts)
    if doc.status_note:
        plan.adjustments.append(doc.status_note)
    if doc.clues.strip() and not NO_CLUES.search(fold(doc.clues)):
        plan.notes.append("问题线索情况未导入为问题线索，请在台账中逐件登记：" + _excerpt(doc.clues, 80))
    return plan


# The statuses a user may give an imported measure in the preview (the ledger's initial statuses)
STATUS_CHOICES: tuple[MeasureStatus, ...] = (
    MeasureStatus.DONE,
    MeasureStatus.ONGOING,
    MeasureStatus.IN_PROGRESS,
    MeasureStatus.DRAFT,
)


def _measure_warnings(nodes: list[NoticeFinding]) -> dict[int, str]:
    """The warnings of the notice's measures by measure number: the plan keeps the notice's reading order
    (measures listed above sub-items go to a leaf placed first among the children)."""
    warnings: dict[int, str] = {}
    number = 0

    def walk(items: list[NoticeFinding]) -> None:
        nonlocal number
        for node in items:
            for measure in node.measures:
                if measure.warning:
                    warnings[number] = measure.warning
                number += 1
            walk(node.children)

    walk(nodes)
    return warnings


def plan_measures(plan: ImportPlan) -> list[MeasureSpec]:
    """The plan's measures in reading order (the order the preview numbers them)."""
    found: list[MeasureSpec] = []

    def walk(specs: list[FindingSpec]) -> None:
        for spec in specs:
            found.extend(spec.measures)
            walk(spec.children)

    walk(plan.findings)
    return found


def set_statuses(plan: ImportPlan, chosen: dict[int, str]) -> None:
    """Apply the statuses the user chose in the preview (measure number → status value); others are kept.
    Raises InvalidInput for a number or a status that does not exist."""
    measures = plan_measures(plan)
    allowed = {status.value: status for status in STATUS_CHOICES}
    for index, value in chosen.items():
        if not 0 <= index < len(measures) or value not in allowed:
            raise InvalidInput("所选的措施状态无效，请重新选择文件。", "file")
        measure = measures[index]
        status = allowed[value]
        if measure.status == status:
            continue
        measure.status = status
        if status == MeasureStatus.ONGOING:
            measure.kind = MeasureKind.LONG_TERM
        elif measure.kind == MeasureKind.LONG_TERM:
            measure.kind = MeasureKind.DEADLINE
        plan.status_changes += 1
    plan.counts = PlanCounts()
    _count(plan.findings, plan.counts)


def find_duplicate(sha256: str) -> Inspection | None:
    return Inspection.objects.filter(source_sha256=sha256).select_related("inspected_unit").first()


def duplicate_message(existing: Inspection, user: User) -> str:
    """Name the earlier import when the user may see it; otherwise say only that another unit has it."""
    if Inspection.objects.visible_to(user).filter(pk=existing.pk).exists():
        day = timezone.localdate(existing.created_at) if existing.created_at else None
        when = f"{day.year}年{day.month}月{day.day}日" if day else ""
        return f"这份通报已于{when}导入为“{existing}”（巡察编号 {existing.pk}），不能重复导入。"
    return "这份通报已被其他单位导入，不能重复导入。"


def import_notice(
    plan: ImportPlan, *, by: User, unit: Unit, round: Round | None = None, dry_run: bool = False
) -> ImportResult:
    """Write the plan through `create_inspection`, all or nothing. Raises DomainError (NotPermitted, InvalidInput)."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two imports of the same file at once: the second waits here, then finds the first.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int(plan.sha256[:15], 16)])
        # permission first, so a unit's outsiders learn nothing about which files were imported
        require_manager(by, unit, "录入巡察反馈")
        existing = find_duplicate(plan.sha256)
        if existing is not None:
            raise InvalidInput(duplicate_message(existing, by), "file")
        inspection = services.create_inspection(
            by=by,
            inspected_unit=unit,
            inspector=plan.inspector,
            kind=plan.kind,
            round=round,
            onsite_start=plan.onsite_start,
            onsite_end=plan.onsite_end,
            feedback_date=plan.feedback_date,
            organising_work=plan.doc.organising_work,
            findings=plan.findings,
            source_sha256=plan.sha256,
            note=plan.audit_note,
        )
        figures = inspection_figures(inspection.pk) or {}
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(plan, dry_run, None if dry_run else inspection.pk, figures)


def unit_mismatch(plan: ImportPlan, unit: Unit) -> str | None:
    """A warning when the notice names another inspected unit than the one chosen."""
    named = (plan.doc.inspection.inspected or "").strip()
    if not named:
        return None
    names = [n for n in (unit.name, unit.short_name) if n]
    if any(named in n or n in named for n in names):
        return None
    return f"通报中的被巡察单位是“{named}”，与所选单位“{unit.name}”不一致，请确认没有选错单位。"


# --- planning helpers -------------------------------------------------------------------------------------


def iso_date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _kind(doc: NoticeDoc) -> InspectionKind:
    words = fold(" ".join(filter(None, [doc.inspection.inspector, doc.title])))
    if "回头看" in words:
        return InspectionKind.REVISIT
    if "专项" in words:
        return InspectionKind.SPECIAL
    if "巡视" in words and "巡察" not in words:
        return InspectionKind.XUNSHI
    return InspectionKind.XUNCHA


def _fit_dates(plan: ImportPlan) -> None:
    start = plan.onsite_start
    if start and plan.onsite_end and plan.onsite_end < start:
        plan.adjustments.append(f"通报中的进驻结束日期{plan.onsite_end}早于开始日期，未导入结束日期。")
        plan.onsite_end = None
    if start and plan.feedback_date and plan.feedback_date < start:
        plan.adjustments.append(f"通报中的反馈日期{plan.feedback_date}早于进驻开始日期，未导入反馈日期。")
        plan.feedback_date = None


def _key(title: str) -> str:
    return _KEY_STRIP.sub("", re.sub(r"的?问题[。.]?$", "", fold(title).strip()))


def _walk(nodes: list[NoticeFinding]) -> Iterator[NoticeFinding]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _outstanding_deadlines(doc: NoticeDoc, plan: ImportPlan) -> dict[int, dt.date]:
    """For each unfinished item with a deadline, the node holding its unfinished measures (by id) → the
    deadline. An item may name a finding whose measures are still under way (持续推进 within the deadline),
    not only one whose measures are open."""
    candidates = [
        n for n in _walk(doc.findings) if n.level != "aspect" and any(m.status != "done" for m in n.measures)
    ]
    result: dict[int, dt.date] = {}
    for item in doc.outstanding:
        deadline = iso_date(item.deadline)
        if deadline is None:
            continue
        key = _key(item.finding)
        node = _match(candidates, key, exact=True) or _match(candidates, key, exact=False)
        if node is None:
            plan.adjustments.append(
                f"未完成事项“{_excerpt(item.finding, 30)}”的整改时限{deadline}找不到对应的问题，未导入。"
            )
            continue
        result[id(node)] = deadline
    return result


def _match(nodes: list[NoticeFinding], key: str, *, exact: bool) -> NoticeFinding | None:
    if len(key) < 2:
        return None
    for level in ("detail", "problem"):
        for node in nodes:
            other = _key(node.title)
            if node.level != level:
                continue
            if other == key if exact else (min(len(other), len(key)) >= 4 and (other in key or key in other)):
                return node
    return None


def _finding(
    node: NoticeFinding, parent: FindingLevel | None, deadlines: dict[int, dt.date], plan: ImportPlan
) -> FindingSpec:
    level = _LEVEL[node.level]
    if parent == FindingLevel.DETAIL:
        raise InvalidInput(f"“{_excerpt(node.title, 20)}”的层级超过三级，台账无法容纳。", "file")
    fits = level != FindingLevel.DETAIL if parent is None else level == _CHILD[parent]
    if not fits:
        fitted = _CHILD[parent]
        plan.adjustments.append(
            f"“{_excerpt(node.title, 30)}”在通报中是{level.label},"
            f"{'没有上级问题' if parent is None else '直接列在' + parent.label + '下'}，导入为{fitted.label}。"
        )
        level = fitted
    title, text = _title_and_text(node.title, node.text)
    if title != node.title.strip():
        plan.adjustments.append(
            f"“{_excerpt(node.title, 30)}”标题超过{TITLE_MAX}字，已缩短，全文保存在问题表述中。"
        )
    deadline = deadlines.get(id(node))
    measures = [_measure(m, deadline) for m in node.measures]
    children = [_finding(child, level, deadlines, plan) for child in node.children]
    if measures and (children or level == FindingLevel.ASPECT):
        # The ledger keeps measures on leaves: the ones listed above the sub-items get a leaf of their own.
        holder = _CHILD[level]
        children.insert(
            0, FindingSpec(level=holder, title=_shorten(f"{title}（总体整改措施）"), measures=measures)
        )
        plan.adjustments.append(
            f"“{_excerpt(node.title, 30)}”下直接列出的{len(measures)}条整改措施导入为单列的{holder.label}"
            "“（总体整改措施）”。"
        )
        measures = []
    return FindingSpec(level=level, title=title, text=text, children=children, measures=measures)


def _measure(measure: NoticeMeasure, deadline: dt.date | None) -> MeasureSpec:
    text = measure.text.strip() or "（通报未写明措施内容）"
    if measure.status == "done":
        return MeasureSpec(text=text, status=MeasureStatus.DONE)
    if measure.status == "ongoing":
        if LONG_TERM_TEXT.search(fold(text)):
            return MeasureSpec(
                text=text, kind=MeasureKind.LONG_TERM, status=MeasureStatus.ONGOING, deadline=deadline
            )
        return MeasureSpec(text=text, status=MeasureStatus.IN_PROGRESS, deadline=deadline)
    return MeasureSpec(text=text, status=MeasureStatus.DRAFT, deadline=deadline)


def _title_and_text(title: str, text: str) -> tuple[str, str]:
    title = title.strip() or _excerpt(text, 40) or "（未命名）"
    if len(title) <= TITLE_MAX:
        return title, text
    return _shorten(title), "\n".join(filter(None, [title, text.strip()]))


def _shorten(text: str) -> str:
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


def _excerpt(text: str, size: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[:size] + "…"


def _count(specs: list[FindingSpec], counts: PlanCounts) -> None:
    for spec in specs:
        if spec.level == FindingLevel.ASPECT:
            counts.aspects += 1
        elif spec.level == FindingLevel.PROBLEM:
            counts.problems += 1
            if not any(child.level == FindingLevel.DETAIL for child in spec.children):
                counts.details += 1
        else:
            counts.details += 1
        for measure in spec.measures:
            counts.measures += 1
            attribute = {
                MeasureStatus.DONE: "done",
                MeasureStatus.ONGOING: "ongoing",
                MeasureStatus.IN_PROGRESS: "in_progress",
            }.get(measure.status, "draft")
            setattr(counts, attribute, getattr(counts, attribute) + 1)
        _count(spec.children, counts)
