"""Cell values as units write them: dates, 类型, 完成情况 and 责任处室 text. Pure functions; errors are
`CellError` with the Chinese message that goes after “第N行“列名”列:”."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from zhenggai.ledger.choices import MeasureKind, MeasureStatus


class CellError(ValueError):
    """A cell's value cannot be used; the message names the value, not the place."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def fold(value: object) -> str:
    """A cell as text: NFKC (full-width digits and punctuation folded), line ends unified, outer space gone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def text_of(value: object) -> str:
    """A free-text cell (measure text, names): line ends unified and outer space stripped, otherwise as typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        value = chinese_date(value if isinstance(value, dt.date) else value.date())
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.strip().split("\n"))


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- 整改时限 ---------------------------------------------------------------------------------------------

LONG_TERM_WORDS = ("长期坚持", "需长期坚持", "长期整改", "持续整改", "长期", "持续推进")
_FULL_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s*前)?(?:\s+00:00(?::00)?)?$"
)
_MONTH_END = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(?:底|末)\s*前?$")
_YEAR_END = re.compile(r"^(\d{4})\s*年\s*(?:底|末|年底)\s*前?$")
DEADLINE_MAX_LEN = 40
_EXCEL_SERIALS = range(20000, 80000)  # 1954 … 2119: numbers in that range are dates without a date format
_EXCEL_EPOCH = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class Deadline:
    """A parsed 整改时限: a date, or none; `long_term` when the cell said 长期坚持."""

    date: dt.date | None
    long_term: bool = False


def parse_deadline(value: object) -> Deadline:
    if value is None or value == "":
        return Deadline(None)
    if isinstance(value, dt.datetime):
        return Deadline(value.date())
    if isinstance(value, dt.date):
        return Deadline(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if number == value and number in _EXCEL_SERIALS:
            return Deadline(_EXCEL_EPOCH + dt.timedelta(days=number))
        if number == value and 19000101 <= number <= 21001231:
            return Deadline(_checked(str(number), number // 10000, number // 100 % 100, number % 100))
        raise CellError(f"无法识别的日期“{fold(value)}”")
    text = fold(value)
    if not text:
        return Deadline(None)
    if len(text) > DEADLINE_MAX_LEN:  # no date is that long; the patterns below never see a long text
        raise CellError(
            f"无法识别的日期“{text[:20]}…”，请写成2024年3月1日、2024-03-01、2024/3/1、2024.3.1或“长期坚持”"
        )
    if text in LONG_TERM_WORDS:
        return Deadline(None, long_term=True)
    if match := _FULL_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
        return Deadline(_checked(text, year, month, day))
    if match := _MONTH_END.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise CellError(f"日期“{text}”无效")
        return Deadline(dt.date(year, month, calendar.monthrange(year, month)[1]))
    if match := _YEAR_END.match(text):
        return Deadline(dt.date(int(match.group(1)), 12, 31))
    raise CellError(f"无法识别的日期“{text}”，请写成2024年3月1日、2024-03-01、2024/3/1、2024.3.1或“长期坚持”")


def _checked(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(f"日期“{text}”无效") from None


# --- 类型 ------------------------------------------------------------------------------------------------

_KINDS: dict[str, MeasureKind] = {
    **dict.fromkeys(("立行立改", "即知即改", "立知立改", "立即整改"), MeasureKind.IMMEDIATE),
    **dict.fromkeys(("限期整改", "限时整改", "限期"), MeasureKind.DEADLINE),
    **dict.fromkeys(("长期坚持", "需长期坚持", "长期整改", "持续整改", "长期"), MeasureKind.LONG_TERM),
}


def parse_kind(value: object) -> MeasureKind | None:
    text = fold(value).replace(" ", "")
    if not text:
        return None
    kind = _KINDS.get(text)
    if kind is None:
        raise CellError(f"类型“{text}”无法识别，应为立行立改、限期整改或长期坚持")
    return kind


# --- 完成情况 ---------------------------------------------------------------------------------------------

_S = MeasureStatus
# Each word, and the statuses it agrees with; a status changes only through reports and sign-off.
_STATUS_WORDS: dict[str, frozenset[str]] = {
    **dict.fromkeys(
        ("已完成", "已整改", "已完成整改", "整改完成", "完成", "已销号", "已办结", "已整改到位"),
        frozenset({_S.DONE}),
    ),
    **dict.fromkeys(
        (
            "持续推进",
            "基本完成",
            "阶段性完成",
            "部分完成",
            "基本整改到位",
            "长期坚持",
            "需长期坚持",
            "持续深化",
        ),
        frozenset({_S.ONGOING}),
    ),
    **dict.fromkeys(
        ("整改中", "正在整改", "推进中", "正在推进", "持续整改", "进行中"),
        frozenset({_S.IN_PROGRESS, _S.PENDING_SIGNOFF, _S.ONGOING}),
    ),
    "待销号": frozenset({_S.PENDING_SIGNOFF}),
    **dict.fromkeys(("未启动", "未开始", "待整改", "未整改"), frozenset({_S.DRAFT})),
    **dict.fromkeys(
        ("未完成", "尚未完成", "逾期未完成"), frozenset({_S.DRAFT, _S.IN_PROGRESS, _S.PENDING_SIGNOFF})
    ),
}


def status_agrees(value: object, status: str) -> bool | None:
    """True when the 完成情况 text agrees with the status, False when it differs, None when unrecognised."""
    text = fold(value).replace(" ", "")
    if not text:
        return True
    statuses = _STATUS_WORDS.get(text)
    return None if statuses is None else status in statuses


# --- 责任处室 --------------------------------------------------------------------------------------------

_SPLIT = re.compile(r"[、,，;；/]+")
_COOPERATING = re.compile(r"^(?:配合(?:部门|处室|单位|科室|股室)?|协办(?:部门|单位)?)\s*[:：]\s*")
_LEAD = re.compile(r"^(?:牵头(?:部门|处室|单位|科室|股室)?|责任(?:部门|处室|单位))\s*[:：]\s*")
_ROLE_SUFFIX = re.compile(r"[(（](?:牵头|主责|配合|协办)[)）]$")


@dataclass
class Departments:
    """A 责任处室 cell: the lead department's name and the cooperating ones' names, as written."""

    lead: str | None = None
    cooperating: list[str] = field(default_factory=list)


def parse_departments(value: object) -> Departments:
    """`办公室` · `办公室\\n配合:财务股、人事股` · `牵头:办公室;配合:财务股` · `办公室(牵头)、财务股(配合)`.

    The first name not marked 配合 is the lead; every other name cooperates.
    """
    result = Departments()
    text = text_of(value)
    for line in re.split(r"\n|(?=配合\s*[:：])|(?=协办\s*[:：])", text):
        line = line.strip(" ;；,，")
        if not line:
            continue
        cooperating = bool(_COOPERATING.match(line))
        line = _COOPERATING.sub("", _LEAD.sub("", line))
        for name in (part.strip() for part in _SPLIT.split(line)):
            if not name:
                continue
            marked_cooperating = name.endswith(("(配合)", "（配合）", "(协办)", "（协办）"))
            name = _ROLE_SUFFIX.sub("", name)
            if cooperating or marked_cooperating or result.lead is not None:
                if name not in result.cooperating and name != result.lead:
                    result.cooperating.append(name)
            else:
                result.lead = name
    return result


def departments_text(lead: str | None, cooperating: list[str]) -> str:
    """The export form, read back by parse_departments."""
    lines = [lead] if lead else []
    if cooperating:
        lines.append("配合：" + "、".join(cooperating))
    return "\n".join(lines)
