"""Breaking a notice title (2号, 22 pt) into balanced lines at word boundaries.

A 2号 line holds 20 characters on the 156 mm 版心. Word would break a long title wherever the line is full
("…第四轮巡/察整改…"); a secretary breaks it where the words allow and keeps the lines about equally long,
e.g. 中共临江区文化和旅游局党组关于 / 十一届区委第四轮巡察整改进展情况的通报.

Every gap between two characters gets a cost:
- forbidden inside a word that must not be split (巡察, 整改, 情况的通报, 第四轮, 十一届, 区委 …), inside a
  run of digits or Latin letters, after an opening and before a closing mark, and inside a quoted name of up
  to 20 characters;
- free at natural boundaries: after 关于, before 关于, after the issuer's 党组/党委, before the inspection
  (十一届…, 区委/市委…), after 巡察/巡视, before 整改, before and after a quoted name;
- cheap after a unit-name suffix (区, 局, 委, 办 …);
- dear anywhere else (allowed only when nothing better fits).
Among the splits with the fewest lines of at most 20 characters, the cheapest wins; balance (the longest
line as short as possible) decides between splits of equal cost.
"""

from __future__ import annotations

import math
import re

from zhenggai.notices.render.text import display_width

MAX_TITLE_CHARS = 20  # 2号 (22 pt) characters on a 156 mm line

FORBIDDEN = math.inf
FREE = 0.0
CHEAP = 2.0
DEAR = 12.0

# Words that are never split, longest first where they overlap.
UNBREAKABLE = (
    "中国共产党",
    "情况的通报",
    "进展情况",
    "整改情况",
    "的通报",
    "巡察",
    "巡视",
    "整改",
    "情况",
    "通报",
    "进展",
    "关于",
    "中共",
    "党组",
    "党委",
    "党工委",
    "党总支",
    "党支部",
    "委员会",
    "回头看",
    "专项",
    "工作",
    "落实",
    "公告",
    "公示",
)
_PATTERNS = (
    # the inspection's name: 十一届区委第四轮巡察, 市委巡察, 区委第二轮巡视
    r"(?:[一二三四五六七八九十百零〇\d]+届)?[省市区县州旗]委(?:第[一二三四五六七八九十百零〇\d]+轮)?(?:巡察|巡视)",
    r"第[一二三四五六七八九十百零〇\d]+[轮届批次]",
    r"[一二三四五六七八九十百零〇\d]+届",
    r"[省市区县州旗镇乡]委",
    r"[A-Za-z0-9０-９.．]+",
    r"“[^“”]{1,20}”",
    r"《[^《》]{1,20}》",
)
_WORDS = re.compile("|".join([*_PATTERNS, *(re.escape(w) for w in UNBREAKABLE)]))
# Natural places for a break: (pattern, where) — the gap before or after each match.
_BEFORE_FREE = re.compile(r"关于|(?:[一二三四五六七八九十百\d]+届)|[省市区县州旗]委(?=.*巡)|整改|“|《")
_AFTER_FREE = re.compile(
    r"关于|党组|党委|党工委|党总支|党支部|委员会|巡察|巡视|”|》|第[一二三四五六七八九十百\d]+轮"
)
_UNIT_SUFFIX = "省市区县州旗镇乡局委办院馆站所厅部处科室社联会团校中心司"
_OPENING = "“‘《（(〔【"
_CLOSING = "”’》）)〕】、，。；：！？"


def gap_costs(title: str) -> list[float]:
    """cost[i] of a break between title[i - 1] and title[i], for 1 ≤ i < len(title) (cost[0] unused)."""
    n = len(title)
    costs = [DEAR] * (n + 1)
    for i in range(1, n):
        if title[i - 1] in _UNIT_SUFFIX:
            costs[i] = CHEAP
    for m in _BEFORE_FREE.finditer(title):
        costs[m.start()] = FREE
    for m in _AFTER_FREE.finditer(title):
        costs[m.end()] = FREE
    for m in _WORDS.finditer(title):
        for i in range(m.start() + 1, m.end()):
            costs[i] = FORBIDDEN
    for i in range(1, n):
        if title[i - 1] in _OPENING or title[i] in _CLOSING:
            costs[i] = FORBIDDEN
    costs[0] = costs[n] = FREE
    return costs


def break_title(title: str, max_chars: float = MAX_TITLE_CHARS) -> list[str]:
    """The title as lines of at most `max_chars` characters (display width), broken at word boundaries.

    A title that fits stays one line. When no split respects every word, the least bad one is taken
    (a forbidden gap only if nothing else fits).
    """
    title = title.strip()
    if display_width(title) <= max_chars or len(title) < 2:
        return [title] if title else []
    costs = gap_costs(title)
    n = len(title)
    widths = [0.0]
    for ch in title:
        widths.append(widths[-1] + display_width(ch))

    def width(i: int, j: int) -> float:
        return widths[j] - widths[i]

    def solve(penalty_cap: float) -> list[int] | None:
        # best[j] = (lines, cost, longest, previous break) for title[:j] ending a line at j.
        best: list[tuple[int, float, float, int] | None] = [None] * (n + 1)
        best[0] = (0, 0.0, 0.0, -1)
        for j in range(1, n + 1):
            if costs[j] > penalty_cap:
                continue
            for i in range(j - 1, -1, -1):
                if width(i, j) > max_chars:
                    break
                prior = best[i]
                if prior is None:
                    continue
                candidate = (prior[0] + 1, prior[1] + costs[j], max(prior[2], width(i, j)), i)
                current = best[j]
                if current is None or candidate[:3] < current[:3]:
                    best[j] = candidate
        if best[n] is None:
            return None
        cuts = []
        j = n
        while j > 0:
            entry = best[j]
            assert entry is not None
            cuts.append(j)
            j = entry[3]
        return sorted(cuts)

    cuts = solve(DEAR) or solve(math.inf)
    if cuts is None:  # a single unbreakable run longer than a line: cut by width
        cuts = _by_width(title, max_chars)
    lines, start = [], 0
    for cut in cuts:
        lines.append(title[start:cut])
        start = cut
    return lines


def _by_width(title: str, max_chars: float) -> list[int]:
    cuts, used = [], 0.0
    for i, ch in enumerate(title):
        w = display_width(ch)
        if used + w > max_chars:
            cuts.append(i)
            used = 0.0
        used += w
    return [*cuts, len(title)]
