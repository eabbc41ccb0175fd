"""What a caller can choose when rendering a notice, beyond the NoticeDoc itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from zhenggai.notices.document import StatedFigures

PageNumbers = Literal["outside", "centre"]


@dataclass(frozen=True)
class Fonts:
    """Typeface names written into the .docx (GB/T 9704-2012 7.3.1, 7.3.3, 7.5; names as offices use them).

    The names are written as-is so the file looks right on the recipient's Windows/WPS machine; substitution
    on Linux is the renderer's (LibreOffice's) concern, not ours.
    """

    title: str = "方正小标宋简体"
    body: str = "仿宋_GB2312"
    heading1: str = "黑体"
    heading2: str = "楷体_GB2312"
    heading3: str = "仿宋_GB2312"
    page_number: str = "宋体"
    # Font for digits and Latin letters (w:ascii / w:hAnsi). None: the same face as the Chinese text.
    latin: str | None = None


@dataclass(frozen=True)
class RenderOptions:
    """Values the notice prints that the caller decides, and house-style switches.

    figures: the figures sentence (反馈问题X个，制定整改措施Y条，已完成Z条，整改完成率P%，建章立制N项，
        其中新制定a项、修订完善b项). None: use `doc.stated`. Each clause is printed only when its value is
        given; the values are printed exactly, nothing is computed (see `text.format_rate` for the rate).
    signature: 落款 (issuing unit). None: `doc.issuer`.
    date: 成文日期, ISO. None: `doc.date`.
    supervision: the whole public-supervision paragraph. None: built from `doc.contact`; "" omits it.
    closing: the closing paragraph(s), one per line. None: a standard sentence; "" omits it.
    page_numbers: "outside" (GB/T 9704 7.5: odd pages right, even pages left, 空一字) or "centre"
        (common for reports that are not formal 公文).
    bold_level3: set 1. headings in bold (a frequent house rule; the standard names no bold).
    fit_28_chars: condense runs by 0.25 pt so that 28 characters fit on a line (GB/T 9704 5.2.3).
    """

    figures: StatedFigures | None = None
    signature: str | None = None
    date: str | None = None
    supervision: str | None = None
    closing: str | None = None
    page_numbers: PageNumbers = "outside"
    bold_level3: bool = False
    fit_28_chars: bool = True
    fonts: Fonts = field(default_factory=Fonts)
