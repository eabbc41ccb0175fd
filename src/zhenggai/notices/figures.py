"""What a notice says about itself: inspection dates and groups, stated totals, contact, and the checks of
those totals against the parsed tree."""

from __future__ import annotations

import re
from collections.abc import Iterable

from zhenggai.notices import patterns as P
from zhenggai.notices.document import (
    Check,
    Contact,
    Counts,
    InspectionInfo,
    NoticeFinding,
    StatedFigures,
)
from zhenggai.notices.normalise import cn_to_int, fold, make_date

_N = P.NUM
# Each pattern with the words it cannot match without (any of them): a long text without them is not searched.
_INT_FIGURES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("aspects", ("个方面",), re.compile(rf"(?P<n>{_N})个方面")),
    (
        "problems",
        ("共", "计"),
        re.compile(
            rf"(?P<n>{_N})(?:项|个|条|类)(?:,)?(?:共|计|合计|共计)(?P<d>{_N})(?:个|项|条)(?:具体)?问题"
        ),
    ),
    ("details", ("具体问题",), re.compile(rf"(?P<n>{_N})个具体问题|具体问题(?P<n2>{_N})(?:个|项|条)")),
    ("problems", ("类问题",), re.compile(rf"(?P<n>{_N})类问题")),
    ("problems", ("反馈",), re.compile(rf"反馈(?:的)?(?:意见|问题)(?:共|计|共计)?(?P<n>{_N})(?:个|项|条)")),
    (
        "problems",
        ("反馈",),
        re.compile(rf"反馈(?:的)?(?:意见)?(?:共|计|共计)?(?P<n>{_N})(?:个|项|条)(?:方面)?问题"),
    ),
    ("problems", ("问题",), re.compile(r"(?<!\d)(?P<n>\d+)(?:个|项|条)问题")),
    ("measures", ("整改",), re.compile(rf"整改(?:措施|举措|任务)(?:共|计|共计)?(?P<n>{_N})(?:条|项|个)")),
    ("measures", ("整改",), re.compile(rf"(?P<n>{_N})(?:条|项|个)(?:具体)?整改(?:措施|举措|任务)")),
    (
        "completed",
        ("已",),
        re.compile(rf"已(?:完成|整改到位|整改|办结|销号)(?:整改)?(?P<n>{_N})(?:条|项|个)"),
    ),
    ("completed", ("完成整改", "整改完成"), re.compile(rf"(?:完成整改|整改完成)(?P<n>{_N})(?:条|项|个)")),
    ("regulations", ("建章立制",), re.compile(rf"建章立制(?:共|计)?(?P<n>{_N})(?:项|个|条|件)")),
    (
        "regulations",
        ("制度",),
        re.compile(
            rf"(?:建立|完善|制定)(?:健全|完善|修订)?(?:各项|相关)?(?:规章)?制度(?P<n>{_N})(?:项|个|条|件)"
        ),
    ),
    ("regulations_new", ("新",), re.compile(rf"新(?:制定|建立|出台)(?:制度)?(?P<n>{_N})(?:项|个|条|件)")),
    ("regulations_revised", ("修订",), re.compile(rf"修订(?:完善)?(?:制度)?(?P<n>{_N})(?:项|个|条|件)")),
)
# An opening sentence states its dates and groups within its first few hundred characters; a longer line (a
# notice pasted as one paragraph, or a hostile one) is only read that far.
OPENING_MAX_LEN = 2000
_RATE = re.compile(r"完成率(?:达到?|为|是)?\s*(?P<n>\d+(?:\.\d+)?)\s*%")


def stated_figures(texts: Iterable[str]) -> StatedFigures:
    """The totals a notice states about itself, from its non-finding text; the first mention wins."""
    stated = StatedFigures()
    for text in texts:
        folded = fold(text)
        for name, needs, pattern in _INT_FIGURES:
            if getattr(stated, name) is not None or not any(word in folded for word in needs):
                continue
            match = pattern.search(folded)
            if match is None:
                continue
            groups = match.groupdict()
            value = cn_to_int(groups.get("n") or groups.get("n2") or "")
            if value is None:
                continue
            setattr(stated, name, value)
            if groups.get("d") and stated.details is None:
                stated.details = cn_to_int(groups["d"])
        if stated.completion_rate is None and "完成率" in folded and (rate := _RATE.search(folded)):
            stated.completion_rate = float(rate.group("n"))
    return stated


def _year(text: str | None) -> int | None:
    return int(text) if text and text.isdecimal() else None


def _day(match: re.Match[str], prefix: str, year: int | None) -> str | None:
    month, day = match.group(prefix + "m"), match.group(prefix + "d")
    if not (month.isdecimal() and day.isdecimal()):
        return None
    return make_date(year, int(month), int(day))


def inspection_info(opening: str) -> InspectionInfo:
    """Groups and dates from the opening sentence ("…,2024年1月4日至2月2日,区委巡察二组对区社科联开展了巡察…")."""
    info = InspectionInfo()
    opening = opening[:OPENING_MAX_LEN]
    folded = fold(opening)
    after = 0
    span = P.SPAN.search(folded)
    if span:
        start_year = _year(span.group("sy"))
        info.start = _day(span, "s", start_year)
        end_year = _year(span.group("ey")) if span.group("ey") else start_year
        info.end = _day(span, "e", end_year)
        if info.start and info.end and info.end < info.start and not span.group("ey") and end_year:
            info.end = _day(span, "e", end_year + 1)
        after = span.end()
    who = P.INSPECTOR.search(folded, after) or P.INSPECTOR.search(folded)
    if who:
        info.inspector = opening[who.start("who") : who.end("who")]
        info.inspected = opening[who.start("whom") : who.end("whom")].strip()
        recipient = P.RECIPIENT.search(folded)
        if P.SELF_REFERENCE.match(info.inspected) and recipient:
            info.inspected = opening[recipient.start("to") : recipient.end("to")]
    feedback = P.FEEDBACK.search(folded, after)
    if feedback:
        year = _year(feedback.group("fy"))
        base = info.end or info.start
        if year is None and feedback.group("fy") is None and base:
            year = int(base[:4])
        info.feedback_date = _day(feedback, "f", year)
        if (
            info.feedback_date
            and base
            and info.feedback_date < base
            and feedback.group("fy") is None
            and year
        ):
            info.feedback_date = _day(feedback, "f", year + 1)
    return info


def read_contact(contact: Contact, text: str) -> None:
    """Fill the contact fields still empty from one line of the supervision paragraph."""
    folded = fold(text)
    if contact.phone is None and (m := P.CONTACT_PHONE.search(folded)):
        contact.phone = m.group("v").strip()
    if contact.address is None and (m := P.CONTACT_ADDRESS.search(folded)):
        contact.address = text[m.start("v") : m.end("v")].strip()
    if contact.postcode is None and (m := P.CONTACT_POSTCODE.search(folded)):
        contact.postcode = m.group("v")
    if contact.email is None and (m := P.CONTACT_EMAIL.search(folded)):
        contact.email = m.group("v").rstrip(".")


def count(findings: list[NoticeFinding]) -> Counts:
    """Totals computed from the tree; a problem without details counts as its own detail."""
    counts = Counts()

    def walk(node: NoticeFinding) -> None:
        if node.level == "aspect":
            counts.aspects += 1
        elif node.level == "problem":
            counts.problems += 1
            if not any(child.level == "detail" for child in node.children):
                counts.details += 1
        else:
            counts.details += 1
        counts.measures += len(node.measures)
        counts.done += sum(1 for measure in node.measures if measure.status == "done")
        for child in node.children:
            walk(child)

    for node in findings:
        walk(node)
    return counts


_PHRASES = {
    "aspects": "{}个方面",
    "problems": "{}个问题",
    "details": "{}个具体问题",
    "measures": "{}条整改措施",
    "completed": "已完成{}条",
    "completion_rate": "整改完成率{}%",
    "regulations": "建章立制{}项",
}


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def checks(stated: StatedFigures, counts: Counts, unmarked: bool = False) -> list[Check]:
    """Each stated figure against what the tree holds; `ok` only when they agree.

    `unmarked` says that no measure in the text carries a status, so completion cannot be confirmed.
    """
    found: dict[str, float | None] = {
        "aspects": counts.aspects,
        "problems": counts.problems,
        "details": counts.details,
        "measures": counts.measures,
        "completed": counts.done,
        "completion_rate": round(counts.done * 100 / counts.measures, 1) if counts.measures else None,
        "regulations": (
            stated.regulations_new + stated.regulations_revised
            if stated.regulations_new is not None and stated.regulations_revised is not None
            else None
        ),
    }
    result = []
    for claim, phrase in _PHRASES.items():
        value = getattr(stated, claim)
        if value is None:
            continue
        have = found[claim]
        tolerance = 0.51 if claim == "completion_rate" else 0.01
        ok = have is not None and abs(float(value) - float(have)) < tolerance
        if have is None:
            note = f"通报称{phrase.format(_fmt(value))}，正文中无从核对。"
        else:
            verdict = "一致" if ok else "不一致"
            note = f"通报称{phrase.format(_fmt(value))}，正文统计为{phrase.format(_fmt(have))}，{verdict}。"
        if claim == "problems" and not ok and stated.details is None and value == counts.details:
            ok = True
            note = f"通报称{_fmt(value)}个问题，与正文的具体问题数一致（正文分为{counts.problems}项问题）。"
        elif claim == "regulations" and have is not None:
            note = (
                f"通报称建章立制{_fmt(value)}项，其中新制定{stated.regulations_new}项、"
                f"修订完善{stated.regulations_revised}项，合计{_fmt(have)}项，{'一致' if ok else '不一致'}。"
            )
        elif claim in ("completed", "completion_rate") and unmarked and not ok:
            note += "正文未逐条标注完成情况（如“已完成”）。"
        result.append(Check(claim=claim, stated=value, found=have, ok=ok, note=note))
    return result
