"""The 整改台账 columns: the order we write, the header words we accept when reading (conventions §3.2)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # as written on export
    synonyms: tuple[str, ...] = ()  # also accepted on import
    width: float = 12  # in Excel character units (a Chinese character takes about 2)
    centred: bool = False
    read_only: bool = False  # written for the reader, never read back on import


# Export order. 编号 (Measure.code) comes last, out of the way, so the file can come back in; 红黄灯 and
# 完成日期 (derived from the ledger) stand just before it and are ignored on import. The widths keep the
# printed table (编号 left out of the print area) one A4 landscape page wide at a body text of about 9.5 pt.
COLUMNS: tuple[Column, ...] = (
    Column("seq", "序号", ("问题序号", "问题编号"), 4, centred=True),
    Column("aspect", "方面", ("问题类别", "反馈意见方面", "反馈问题方面", "问题方面", "类别", "问题类型"), 9),
    Column(
        "problem", "问题", ("反馈问题", "巡察反馈问题", "反馈意见", "存在问题", "问题清单", "主要问题"), 13
    ),
    Column(
        "detail",
        "具体问题",
        ("问题表现", "具体表现", "问题描述", "问题简述", "主要表现", "具体问题表现"),
        13,
    ),
    Column("text", "整改措施", ("整改举措", "具体措施", "任务清单", "归零措施", "整改任务", "措施"), 24),
    Column("leader", "责任领导", ("牵头领导", "分管领导", "领导责任人"), 7, centred=True),
    Column(
        "department",
        "责任处室",
        ("责任部门", "牵头部门", "责任单位", "牵头单位", "责任科室", "牵头处室", "责任股室", "牵头科室"),
        10,
        centred=True,
    ),
    Column("person", "责任人", ("具体责任人", "经办人"), 7, centred=True),
    Column(
        "deadline",
        "整改时限",
        ("完成时限", "整改期限", "整改完成时限", "时限要求", "完成时间", "整改时间"),
        21,  # 2026年12月31日 on one line, also in LibreOffice's wider digits: a date cannot wrap
        centred=True,
    ),
    Column("kind", "类型", ("整改类型", "时限类型", "措施类型"), 6, centred=True),
    Column(
        "progress",
        "进展情况",
        ("整改进展", "推进情况", "整改落实情况", "整改情况", "整改措施完成情况", "进展"),
        24,
    ),
    Column("status", "完成情况", ("整改状态", "状态", "是否完成", "销号情况"), 6, centred=True),
    Column("evidence", "佐证材料", ("佐证资料", "支撑材料", "印证材料", "附件目录"), 10),
    Column("note", "备注", ("说明",), 8),
    Column("light", "红黄灯", ("预警", "预警灯", "红黄蓝灯", "预警等级"), 5, centred=True, read_only=True),
    Column("completed", "完成日期", ("实际完成日期", "销号日期"), 21, centred=True, read_only=True),
    Column("code", "编号", ("措施编号", "系统编号"), 8, centred=True),
)
BY_KEY = {column.key: column for column in COLUMNS}
# Recognised in a header (so they are not mistaken for anything else) and then never read.
READ_ONLY = frozenset(column.key for column in COLUMNS if column.read_only)

# An import needs these; the others are optional (a missing column leaves its field untouched).
REQUIRED = ("problem", "text")
# Only read on import, never written: a separate 配合 column some units keep.
EXTRA_IMPORT = (Column("cooperating", "配合部门", ("配合单位", "配合处室", "配合科室", "协办部门")),)

_BRACKETED = re.compile(r"\([^)]*\)|\[[^]]*\]|【[^】]*】")
_NOISE = re.compile(r"[\s*※:：]+")


def normalise_header(text: object) -> str:
    """Header text as compared: NFKC, no spaces or marks, bracketed remarks such as (必填) dropped."""
    if text is None:
        return ""
    folded = unicodedata.normalize("NFKC", str(text))
    return _NOISE.sub("", _BRACKETED.sub("", _NOISE.sub("", folded)))


_LOOKUP: dict[str, str] = {}
for _column in (*COLUMNS, *EXTRA_IMPORT):
    for _word in (_column.header, *_column.synonyms):
        _LOOKUP.setdefault(normalise_header(_word), _column.key)


def column_key(text: object) -> str | None:
    return _LOOKUP.get(normalise_header(text))


def match_header(cells: list[object]) -> dict[str, int]:
    """Map column keys to 1-based column numbers for one header row; the first occurrence of a key wins.

    编号 is the measure code when the sheet also has a 序号 column (as our export does); alone, units use it
    for the running number, so it is read as 序号.
    """
    found: dict[str, int] = {}
    for number, cell in enumerate(cells, start=1):
        key = column_key(cell)
        if key is not None and key not in found:
            found[key] = number
    if "code" in found and "seq" not in found and normalise_header(cells[found["code"] - 1]) == "编号":
        found["seq"] = found.pop("code")
    return found


def describe(key: str) -> str:
    """A column's name with its accepted alternatives, for messages about missing columns."""
    column = BY_KEY.get(key) or next(c for c in EXTRA_IMPORT if c.key == key)
    alternatives = "、".join(column.synonyms[:4])
    return f"“{column.header}”（也可写作{alternatives}）" if alternatives else f"“{column.header}”"


def header_of(key: str) -> str:
    column = BY_KEY.get(key) or next(c for c in EXTRA_IMPORT if c.key == key)
    return column.header
