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
from zhenggai.notices.normalise import arabic_dates, cn_to_int, fold, make_date

_N = P.NUM
# The word a notice uses for its measures, in the stated figures ("制定整改举措8条", "任务清单6项", "9条具体措施")
_MEASURE_WORDS = r"整改措施|整改举措|整改任务|整改事项|任务清单|具体措施|具体举措|整改清单"
# Each pattern with the words it cannot match without (any of them): a long text without them is not searched.
# The first mention of a figure wins; patterns of one figure are tried in this order.
_INT_FIGURES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    # several levels in one sentence: "2个方面3项问题4个具体问题" (the finest level is the problem count)
    (
        "chain",
        ("个方面",),
        re.compile(
            rf"(?P<a>{_N})个方面(?:的)?,?(?P<p>{_N})(?:项|个|条|类|大项)(?:问题)?,?(?:共|计|合计|共计)?"
            rf"(?P<d>{_N})(?:个|项|条)(?:具体)?问题"
        ),
    ),
    ("aspects", ("个方面",), re.compile(rf"(?P<n>{_N})个方面")),
    (
        "problems",
        ("共", "计"),
        re.compile(
            rf"(?P<n>{_N})(?:项|个|条|类)(?:,)?(?:共|计|合计|共计)(?P<d>{_N})(?:个|项|条)(?:具体)?问题"
        ),
    ),
    (
        "details",
        ("具体问题",),
        re.compile(rf"(?P<n>{_N})个具体问题|具体问题(?:表现)?(?P<n2>{_N})(?:个|项|条)"),
    ),
    ("problems", ("类问题",), re.compile(rf"(?P<n>{_N})类问题")),
    ("problems", ("问题清单",), re.compile(rf"问题清单(?:共|计|共计)?(?P<n>{_N})(?:个|项|条)")),
    ("problems", ("反馈",), re.compile(rf"反馈(?:的)?(?:意见|问题)(?:共|计|共计)?(?P<n>{_N})(?:个|项|条)")),
    (
        "problems",
        ("反馈",),
        re.compile(rf"反馈(?:的)?(?:意见)?(?:共|计|共计)?(?P<n>{_N})(?:个|项|条)(?:方面)?问题"),
    ),
    # opens with \d (scanned for in C), its look-behind after the first digit: the same leftmost match as
    # (?<!\d)\d+, which is tried at every character
    ("problems", ("问题",), re.compile(r"(?P<n>\d(?<!\d\d)\d*)(?:个|项|条)问题")),
    (
        "measures",
        ("整改", "清单", "具体"),
        re.compile(rf"(?P<label>{_MEASURE_WORDS})(?:共|计|共计)?(?P<n>{_N})(?:条|项|个)"),
    ),
    (
        "measures",
        ("整改", "具体", "任务"),
        re.compile(
            rf"(?P<n>{_N})(?:条|项|个)(?P<label>(?:具体)?整改(?:措施|举措|任务)|具体(?:措施|举措)|任务)"
        ),
    ),
    (
        "completed",
        ("已",),
        re.compile(rf"已(?:完成|整改到位|整改|办结|销号)(?:整改)?(?P<n>{_N})(?:条|项|个)"),
    ),
    ("completed", ("完成整改", "整改完成"), re.compile(rf"(?:完成整改|整改完成)(?P<n>{_N})(?:条|项|个)")),
    (
        "in_progress",
        ("正在", "持续整改", "整改中", "推进中"),
        re.compile(rf"(?:正在整改|正在推进|持续整改|整改中|推进中)(?:的)?(?:问题)?(?P<n>{_N})(?:条|项|个)"),
    ),
    ("regulations", ("建章立制",), re.compile(rf"建章立制(?:共|计)?(?P<n>{_N})(?:项|个|条|件)")),
    (
        "regulations",
        ("制度",),
        re.compile(
            rf"(?:建立|完善|制定|新建)(?:健全|完善|修订|和新建)?(?:各项|相关)?(?:规章)?制度(?P<n>{_N})(?:项|个|条|件)"
        ),
    ),
    ("regulations_new", ("新",), re.compile(rf"新(?:制定|建立|出台)(?:制度)?(?P<n>{_N})(?:项|个|条|件)")),
    ("regulations_revised", ("修订",), re.compile(rf"修订(?:完善)?(?:制度)?(?P<n>{_N})(?:项|个|条|件)")),
)
# An opening sentence states its dates and groups within its first few hundred characters; a longer line (a
# notice pasted as one paragraph, or a hostile one) is only read that far.
OPENING_MAX_LEN = 2000
_RATE = re.compile(r"(?:完成率|整改率|销号率)(?:达到?|为|是)?\s*(?P<n>\d+(?:\.\d+)?)\s*%")
_ALL_DONE = re.compile(
    r"(?:已|均已|已经)?全部(?:完成|整改到位|整改完毕|办结|销号)|全部(?:完成)?整改(?:到位|完毕)"
)
# Which count the completed figure is of: the nearest word before it in the same sentence
_COMPLETED_OF = re.compile(rf"问题|{_MEASURE_WORDS}|措施|举措|任务")


def _completed_of(folded: str, end: int) -> str | None:
    start = max(folded.rfind("。", 0, end), end - 60, 0)
    words = _COMPLETED_OF.findall(folded, start, end)
    if not words:
        return None
    return "problems" if words[-1] == "问题" else "measures"


def stated_figures(texts: Iterable[str], folded: bool = False) -> StatedFigures:
    """The totals a notice states about itself, from its non-finding text; the first mention wins.
    `folded`: the texts are folded already (normalise.fold), as the parser's lines are."""
    stated = StatedFigures()
    folded_texts = list(texts) if folded else [fold(text) for text in texts]
    # the words each pattern needs, looked for once in the whole text: most patterns are then not tried at all
    whole = "\n".join(folded_texts)
    figures = [figure for figure in _INT_FIGURES if any(word in whole for word in figure[1])]
    for folded_text in folded_texts:
        for name, needs, pattern in figures:
            if name == "chain":
                if stated.aspects is not None or not any(word in folded_text for word in needs):
                    continue
            elif getattr(stated, name) is not None or not any(word in folded_text for word in needs):
                continue
            match = pattern.search(folded_text)
            if match is None:
                continue
            groups = match.groupdict()
            if name == "chain":
                stated.aspects = cn_to_int(groups["a"])
                stated.problems = stated.problems if stated.problems is not None else cn_to_int(groups["p"])
                stated.details = stated.details if stated.details is not None else cn_to_int(groups["d"])
                continue
            value = cn_to_int(groups.get("n") or groups.get("n2") or "")
            if value is None:
                continue
            setattr(stated, name, value)
            if name == "measures" and groups.get("label"):
                stated.measures_label = groups["label"]
            if name == "completed":
                stated.completed_of = _completed_of(folded_text, match.start())
            if groups.get("d") and stated.details is None:
                stated.details = cn_to_int(groups["d"])
        if stated.completion_rate is None and "率" in folded_text and (rate := _RATE.search(folded_text)):
            stated.completion_rate = float(rate.group("n"))
        if stated.all_completed is None and "全部" in folded_text and _ALL_DONE.search(folded_text):
            stated.all_completed = True
    if stated.all_completed and stated.completed is None and stated.measures is not None:
        stated.completed = stated.measures
        stated.completed_of = "measures"
    if (
        stated.completed is not None
        and stated.measures is not None
        and stated.completed == stated.measures
        and stated.completed_of is None
    ):
        stated.completed_of = "measures"
    return stated


def _year(text: str | None) -> int | None:
    return int(text) if text and text.isdecimal() else None


def _day(match: re.Match[str], prefix: str, year: int | None) -> str | None:
    month, day = match.group(prefix + "m"), match.group(prefix + "d")
    if not (month.isdecimal() and day.isdecimal()):
        return None
    return make_date(year, int(month), int(day))


_WHOLE_ROUND_NOTE = "本通报汇总一轮巡察，涉及多个巡察组和被巡察单位，未填写单一的巡察组和被巡察单位。"


def inspection_info(opening: str) -> InspectionInfo:
    """Groups and dates from the opening sentence ("…,2024年1月4日至2月2日,区委巡察二组对区社科联开展了巡察…")."""
    info = InspectionInfo()
    opening = opening[:OPENING_MAX_LEN]
    folded = fold(opening)
    # dates in Chinese numerals are read from a copy in Arabic digits (its indexes differ from the original's)
    dates = arabic_dates(folded, P.CN_DATE) if "月" in folded and P.CN_DATE.search(folded) else folded
    same_indexes = dates is folded
    after = 0
    span = P.SPAN.search(dates)
    if span:
        start_year = _year(span.group("sy"))
        info.start = _day(span, "s", start_year)
        end_year = _year(span.group("ey")) if span.group("ey") else start_year
        info.end = _day(span, "e", end_year)
        if info.start and info.end and info.end < info.start and not span.group("ey") and end_year:
            info.end = _day(span, "e", end_year + 1)
        after = span.end() if same_indexes else 0
    who = P.INSPECTOR.search(folded, after) or P.INSPECTOR.search(folded)
    info.follow_up = bool(P.FOLLOW_UP.search(folded))
    if P.WHOLE_ROUND.search(folded[: who.start() if who else len(folded)]) or (
        who and "、" in folded[who.start("whom") : who.end("whom")]
    ):
        info.whole_round = True
        info.note = _WHOLE_ROUND_NOTE
    elif who:
        info.inspector = opening[who.start("who") : who.end("who")]
        info.inspected = opening[who.start("whom") : who.end("whom")].strip()
        recipient = P.RECIPIENT.search(folded)
        if P.SELF_REFERENCE.match(info.inspected) and recipient:
            info.inspected = opening[recipient.start("to") : recipient.end("to")]
    period_year: int | None = None
    if span is None and (period := P.PERIOD_MONTHS.search(dates)):
        info.period_text = period.group()
        period_year = int(period.group()[:4])
    feedback = P.FEEDBACK.search(dates, span.end() if span else 0)
    if feedback:
        year = _year(feedback.group("fy"))
        base = info.end or info.start
        if year is None and feedback.group("fy") is None:
            if base:
                year = int(base[:4])
            elif period_year is not None:
                year = period_year
            else:  # the year is in the sentence before
                years = P.YEAR.findall(dates, 0, feedback.start())
                year = int(years[-1]) if years else None
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


def read_contact(contact: Contact, text: str, folded: str | None = None) -> None:
    """Fill the contact fields still empty from one line of the supervision paragraph (`folded`: its folded
    form, when the caller has it)."""
    folded = fold(text) if folded is None else folded
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


def done_findings(findings: list[NoticeFinding]) -> int:
    """Problems (or their details, where they have some) whose measures are all done."""
    done = 0
    pending = list(findings)
    while pending:
        node = pending.pop()
        pending.extend(node.children)
        leaf = node.level == "detail" or (
            node.level == "problem" and not any(child.level == "detail" for child in node.children)
        )
        if leaf and node.measures and all(measure.status == "done" for measure in node.measures):
            done += 1
    return done


def checks(
    stated: StatedFigures, counts: Counts, unmarked: bool = False, findings_done: int = 0
) -> list[Check]:
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
    phrases = dict(_PHRASES)
    if stated.completed_of == "problems":  # "反馈25个问题，已完成整改19个": completed problems, not measures
        found["completed"] = findings_done
        found["completion_rate"] = round(findings_done * 100 / counts.details, 1) if counts.details else None
        phrases["completed"] = "已完成整改{}个问题"
    result = []
    for claim, phrase in phrases.items():
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
