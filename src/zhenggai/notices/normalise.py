"""Punctuation folding, Chinese numerals and dates for the notice parser.

`fold` maps every character to exactly one character, so an index into the folded text is an index into the
original: the parser matches on the folded text and slices the original for its output.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

# Full-width and variant punctuation → the ASCII form the parser's patterns use. One character to one.
_FOLD_PAIRS = {
    "（": "(",
    "）": ")",
    "〔": "(",
    "〕": ")",
    "﹝": "(",
    "﹞": ")",
    "：": ":",
    "，": ",",
    "﹐": ",",
    "；": ";",
    "！": "!",
    "？": "?",
    "．": ".",
    "％": "%",
    "＠": "@",
    "＋": "+",
    "－": "-",
    "—": "-",
    "–": "-",
    "‘": "'",
    "’": "'",
    "「": "“",
    "」": "”",
    "『": "“",
    "』": "”",
    "＂": '"',
    "\u3000": " ",
    "\xa0": " ",
    "\t": " ",
}
_FOLD_PAIRS.update({chr(0xFF10 + i): str(i) for i in range(10)})  # full-width digits
_FOLD_PAIRS.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})  # full-width A-Z
_FOLD_PAIRS.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})  # full-width a-z
# str.translate looks every character up (~0.2 µs each), and a substitution calls back into Python for each run
# of marks. A notice holds only a few distinct foldable characters: finding which (one scan in C) and replacing
# each in one more pass is faster still, and stays linear (at most len(_FOLD_PAIRS) passes).
_FOLDABLE = re.compile("[" + "".join(re.escape(ch) for ch in _FOLD_PAIRS) + "]")
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# The same scan also notes the circled numbers of enumerations (not folded): a notice without any is then not
# searched for them block by block.
_FOLDABLE_OR_CIRCLED = re.compile("[" + "".join(re.escape(ch) for ch in [*_FOLD_PAIRS, *CIRCLED]) + "]")


def fold(line: str) -> str:
    """Fold punctuation, digits and letters of one line to one canonical form, keeping its length.

    Straight double quotes become opening and closing Chinese quotes in turn, so `"…"` matches `“…”`.
    """
    return fold_quotes(fold_chars(line))


def fold_chars(text: str) -> str:
    """`fold` without the quotes: character by character, so a whole text can be folded at once and cut into
    lines afterwards (no character becomes or stops being whitespace or a line break)."""
    for ch in set(_FOLDABLE.findall(text)):
        text = text.replace(ch, _FOLD_PAIRS[ch])  # targets are never sources: the order does not matter
    return text


def fold_text(text: str) -> tuple[str, bool]:
    """`fold_chars` of a whole text, and whether it holds a circled number (①…⑳)."""
    seen = set(_FOLDABLE_OR_CIRCLED.findall(text))
    circled = False
    for ch in seen:
        if ch in _FOLD_PAIRS:
            text = text.replace(ch, _FOLD_PAIRS[ch])
        else:
            circled = True
    return text, circled


def fold_quotes(folded: str) -> str:
    """Straight double quotes of one line (already folded by `fold_chars`) → “ and ” in turn."""
    if '"' not in folded:
        return folded
    pieces = folded.split('"')
    out = [pieces[0]]
    for index, piece in enumerate(pieces[1:]):
        out.append("“" if index % 2 == 0 else "”")
        out.append(piece)
    return "".join(out)


_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
CN_NUMERAL = "[一二三四五六七八九十〇零两百]+"


def cn_to_int(text: str) -> int | None:
    """Small Chinese or Arabic numbers as used in headings and totals (一 … 九十九, 一百 …); None if not one."""
    if text.isdecimal():
        return int(text)
    if not text:
        return None
    total = 0
    current = 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = current * 10 + _CN_DIGITS[ch] if current else _CN_DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    return total + current


_DATE_RE = re.compile(
    r"(?:(\d{4}|[*]{2,4})年)?(\d{1,2}|[*]{1,2})月(?:(\d{1,2}|[*]{1,2})日|(底|末|上旬|中旬|下旬))?"
)


def make_date(year: int | None, month: int | None, day: int | None) -> str | None:
    """An ISO date, or None when a part is missing or the date does not exist."""
    if year is None or month is None or day is None:
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _int_or_none(text: str | None) -> int | None:
    if text is None or not text.isdecimal():
        return None
    return int(text)


def parse_date(text: str, default_year: int | None = None) -> str | None:
    """The first date in `text` as ISO: 2025年3月1日, 2025年3月底 (last day), 2024年12月 (last day)."""
    folded = fold(text)
    match = _DATE_RE.search(folded)
    if match is None:
        iso = re.search(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", folded)
        if iso:
            return make_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        year_end = re.search(r"(\d{4})年(?:底|末)", folded)
        if year_end:
            return make_date(int(year_end.group(1)), 12, 31)
        return None
    year = _int_or_none(match.group(1)) if match.group(1) else default_year
    month = _int_or_none(match.group(2))
    if match.group(3):
        return make_date(year, month, _int_or_none(match.group(3)))
    if year is None or month is None or not 1 <= month <= 12:
        return None
    if match.group(4) == "上旬":
        return make_date(year, month, 10)
    if match.group(4) == "中旬":
        return make_date(year, month, 20)
    return make_date(year, month, calendar.monthrange(year, month)[1])


def _arabic_date(match: re.Match[str]) -> str:
    year, month, day = match.group("y"), match.group("m"), match.group("d")
    parts = []
    if year:
        parts.append("".join(str(_CN_DIGITS[ch]) for ch in year) + "年")
    parts.append(f"{cn_to_int(month)}月")
    if day:
        parts.append(f"{cn_to_int(day)}日")
    return "".join(parts)


def arabic_dates(text: str, pattern: re.Pattern[str]) -> str:
    """Dates in Chinese numerals (二〇二四年十二月二十六日) written in Arabic digits (2024年12月26日)."""
    return pattern.sub(_arabic_date, text)
