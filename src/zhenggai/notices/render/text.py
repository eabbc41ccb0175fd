"""Small text helpers shared by the renderers: Chinese dates, numerals, percentages, punctuation.

Everything here is deterministic and dependency-free; the renderers call it on every piece of text that
comes from a NoticeDoc so that the three output formats print exactly the same words.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_DOWN, Decimal

from zhenggai.notices.document import MeasureStatus

_DIGITS = "零一二三四五六七八九"

# The marker printed after a measure, by status. "unknown" prints nothing: the renderer never claims a
# status the data does not have ("不把未完成写成已完成").
STATUS_MARKERS: dict[MeasureStatus, str] = {
    "done": "已完成",
    "ongoing": "持续推进",
    "open": "未完成",
    "unknown": "",
}

# Words a source text may already carry as a trailing marker; stripped before the canonical one is added.
_MARKER_WORDS = (
    "已完成|已整改|已完成整改|整改完成|已销号|已办结|已整改到位|基本完成|阶段性完成|部分完成|"
    "持续推进|正在推进|正在整改|整改中|推进中|持续整改|进行中|长期坚持|需长期坚持|"
    "未完成|未整改|尚未完成|未开始|待整改"
)
# Each starts only where its run of punctuation starts, so that a long run is not rescanned from every position.
_TRAILING_MARKER = re.compile(rf"(?<![\s。；;，,])[\s。；;，,]*[（(](?:{_MARKER_WORDS})[）)][\s。；;，,]*$")
_TRAILING_PUNCT = re.compile(r"(?<![\s。；;，,、：:.])[\s。；;，,、：:.]+$")
_SENTENCE_END = ("。", "！", "？", "”", "…", "）")


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 20 → 二十, 99 → 九十九, 101 → 一百零一, 1010 → 一千零一十 (heading numbers,
    n ≥ 1; from 10,000 on in Arabic digits: a notice parsed from any text may have that many items)."""
    if n < 1:
        raise ValueError(f"heading numbers start at 1, got {n}")
    if n >= 10_000:
        return str(n)
    if n >= 100:
        digits = str(n)
        out = ""
        zero = False
        for ch, unit in zip(digits, ("千", "百", "十", "")[4 - len(digits) :], strict=True):
            if ch == "0":
                zero = True
                continue
            out += ("零" if zero else "") + _DIGITS[int(ch)] + unit
            zero = False
        return out
    tens, units = divmod(n, 10)
    if tens == 0:
        return _DIGITS[units]
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[units] if units else "")


def chinese_date(iso: str | None) -> str:
    """'2024-01-04' → '2024年1月4日' (GB/T 9704 7.3.5.4: arabic digits, no zero padding).

    Text that is not an ISO date (e.g. '2024年12月底前', '长期坚持') is returned unchanged.
    """
    if not iso:
        return ""
    try:
        d = date.fromisoformat(iso.strip())
    except ValueError:
        return iso.strip()
    return f"{d.year}年{d.month}月{d.day}日"


def format_rate(rate: float) -> str:
    """A completion rate as printed: '76%', '76.5%', '99.9%'.

    At most one decimal place, trailing '.0' dropped. The value is cut, never rounded up, so a notice
    cannot print 100% while one measure is still open (99.96 → '99.9%').
    """
    value = Decimal(str(rate)).quantize(Decimal("0.1"), rounding=ROUND_DOWN)
    text = format(value.normalize(), "f")
    return f"{text}%"


def is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3400 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0x3000 <= code <= 0x303F  # CJK punctuation
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x2018 <= code <= 0x201D  # curly quotes, used as Chinese quotes
    )


_ASCII_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}


def fullwidth(text: str) -> str:
    """Turn ASCII punctuation used inside Chinese text into its full-width form.

    A mark is converted when a neighbour is a Chinese character or Chinese punctuation, so '0595-22355908',
    'a@b.com', '1.5万元' and '17:46' stay as they are, while '巡察组,对' and '(已完成)' become '巡察组，对'
    and '（已完成）'. Straight double quotes in Chinese text become “ ” in alternation.
    """
    if not text:
        return text
    chars = list(text.strip())
    n = len(chars)
    for i, ch in enumerate(chars):
        if ch not in _ASCII_TO_FULL:
            continue
        before = chars[i - 1] if i > 0 else ""
        after = chars[i + 1] if i + 1 < n else ""
        near_cjk = (before != "" and is_cjk(before)) or (after != "" and is_cjk(after))
        if ch == ":" and before.isdigit() and after.isdigit():
            near_cjk = False
        if near_cjk:
            chars[i] = _ASCII_TO_FULL[ch]
    out = "".join(chars)
    out = _pair_brackets(out)
    if '"' in out and any(is_cjk(c) for c in out) and out.count('"') % 2 == 0:
        parts = out.split('"')
        out = parts[0] + "".join(("“" if k % 2 == 0 else "”") + p for k, p in enumerate(parts[1:]))
    return out


def _pair_brackets(text: str) -> str:
    """Make bracket pairs consistent: '（已完成)' → '（已完成）' and '(1）' → '（1）'."""
    out = list(text)
    stack: list[int] = []
    for i, ch in enumerate(out):
        if ch in "(（":
            stack.append(i)
        elif ch in ")）" and stack:
            j = stack.pop()
            if out[j] == "（" or ch == "）":
                out[j], out[i] = "（", "）"
    return "".join(out)


def strip_status_marker(text: str) -> str:
    """Drop a trailing status marker such as '(已完成)' and the punctuation around it."""
    return _TRAILING_MARKER.sub("", text)


def strip_end(text: str) -> str:
    """Drop trailing punctuation so the renderer can add its own '；' or '。'."""
    return _TRAILING_PUNCT.sub("", text)


def sentence(text: str) -> str:
    """Text ending with a full stop (unless it already ends a sentence)."""
    text = text.strip()
    if not text:
        return text
    if text.endswith(_SENTENCE_END):
        return text
    return strip_end(text) + "。"


def paragraphs(text: str) -> list[str]:
    """Split free text into non-empty paragraphs (one per line)."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def display_width(text: str) -> float:
    """Width in 字: Chinese characters and punctuation (including “”—…) 1, ASCII and half-width digits 0.5."""
    return sum(1.0 if is_cjk(ch) or ch in "—…·" else 0.5 for ch in text)
