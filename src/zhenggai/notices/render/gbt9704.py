"""GB/T 9704-2012《党政机关公文格式》 numbers used by the .docx renderer.

Values and their basis: /work/shared/reference/conventions.md §0 and §1. Lengths are in twips (1/20 pt,
the unit OOXML stores), so what we write is exactly what the table there gives.
"""

from __future__ import annotations

# 5.1 / 5.2.1: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm → bottom 35 mm, right 26 mm.
PAGE_WIDTH_TW = 11906  # 210 mm
PAGE_HEIGHT_TW = 16838  # 297 mm
MARGIN_TOP_TW = 2098  # 37 mm
MARGIN_BOTTOM_TW = 1984  # 35 mm
MARGIN_LEFT_TW = 1587  # 28 mm
MARGIN_RIGHT_TW = 1474  # 26 mm
TEXT_WIDTH_TW = PAGE_WIDTH_TW - MARGIN_LEFT_TW - MARGIN_RIGHT_TW  # 版心 width, 156 mm

# 5.2.3: 22 lines × 28 characters. 28.95 pt (579 tw) is the largest exact spacing that fits 22 lines.
LINE_PITCH_TW = 579
LINE_SPACING_PT = 28.95
CHARS_PER_LINE = 28
# −0.25 pt character spacing lets 28 3号 characters fit in 156 mm (w:spacing is in twentieths of a point).
CONDENSE_TWENTIETHS = -5

# 字号 in points.
SIZE_TITLE_PT = 22.0  # 2号
SIZE_BODY_PT = 16.0  # 3号
SIZE_PAGE_NUMBER_PT = 14.0  # 4号

# 7.3.3: paragraphs start 左空二字 (2 × 16 pt).
FIRST_LINE_INDENT_TW = int(2 * SIZE_BODY_PT * 20)

# 7.5: page number "— 1 —", 一字线 7 mm below the 版心, odd pages 居右空一字, even pages 居左空一字.
PAGE_NUMBER_DASH = "—"  # U+2014 一字线
PAGE_NUMBER_INDENT_TW = int(SIZE_PAGE_NUMBER_PT * 20)  # one 4号 character
PAGE_NUMBER_LINE_TW = int(SIZE_PAGE_NUMBER_PT * 20)  # footer line set exactly to the font size
# The dash sits mid-line: footer distance = (35 mm − 7 mm) − half a 14 pt line ≈ 25.5 mm = 1446 tw.
FOOTER_DISTANCE_TW = round((35 - 7) / 25.4 * 1440 - PAGE_NUMBER_LINE_TW / 2)
HEADER_DISTANCE_TW = 851  # 15 mm; the notice has no header text

# 7.3.5.1: 成文日期右空四字, the 署名 centred over the date (以成文日期为准居中编排); this also leaves the room
# for the seal on a printed and sealed copy. Both are right-aligned paragraphs, so the date can never wrap.
DATE_RIGHT_CHARS = 4
# Arabic digits in a CJK font are about 0.64 字 wide (conventions §1.6), not the half of display_width.
DIGIT_WIDTH_CHARS = 0.64
