"""Ongoing words that speak of part of the work or of another body's procedure, not of the measure itself.

A measure whose text says "其中关于市非遗馆建设选址工作……目前，市政府牵头相关部门正在走审批流程。" reads as
ongoing by its wording, though the notice may state that all its measures are complete. Such a phrase does not
override that statement (see parse._all_done_from_statement): the measure is imported as done, with a warning
so that the user checks it in the preview. A status word at the measure's own status position ("……，整改中。",
"持续推进。" closing it, "(整改中)") still counts.

All functions take folded text (normalise.fold) and the original text of the same length.
"""

from __future__ import annotations

import re

from zhenggai.notices import patterns as P

# A sub-clause about a part of the work: "其中关于……", "其中对……", "其中3项……"; it runs to the end of its paragraph.
PART_OF_THE_WORK = "其中"
# The steps of a procedure another body runs (approval, tendering, filing…), after the ongoing word in its clause.
PROCEDURE = re.compile(
    r"审批|报批|审核|审查|审定|流程|程序|手续|招标|招投标|采购|立项|评审|论证|公示|备案|报备|批复|会签"
)
_CLAUSE_END = ",。;!?\n"
_CLAUSE_MARKS = ",。;:!?\n"
# The measure's own status: its last clause is only a status word (目前整改中。/ 持续推进。/ 尚未完成。), or
# its first one is.
_OWN_STATUS_WORDS = "|".join(
    sorted((w for w, s in P.STATUS_WORDS.items() if s != "done"), key=len, reverse=True)
)
OWN_STATUS_CLAUSE = re.compile(rf"\s*(?:目前|当前|现|仍|仍在|还在)?\s*(?:{_OWN_STATUS_WORDS})\s*")
OWN_STATUS_FIRST = re.compile(rf"^\s*(?:目前|当前|现|仍)?\s*(?:{_OWN_STATUS_WORDS})\s*(?:[,。;:!]|$)")
PHRASE_MAX = 24
WARNING = "该措施表述中有“{phrase}”，请核对状态。"


def _clause_end(folded: str, at: int) -> int:
    """Where the clause holding `at` ends: at the next clause mark, or at the end of the text."""
    ends = [end for end in (folded.find(mark, at) for mark in _CLAUSE_END) if end != -1]
    return min(ends, default=len(folded))


def _about_part_or_procedure(folded: str, at: int, end: int) -> bool:
    """True when the ongoing word at `at` (its clause ending at `end`) stands in a 其中 sub-clause of its
    paragraph, or is followed in its clause by the step of a procedure (正在走审批流程)."""
    paragraph = folded.rfind("\n", 0, at) + 1
    if folded.find(PART_OF_THE_WORK, paragraph, at) != -1:
        return True
    return PROCEDURE.search(folded, at, end) is not None


def _own_status(folded: str) -> bool:
    """The measure's last clause (or its first) is only a status word: 目前整改中。/ 持续推进。"""
    body = folded.rstrip(" \n。.;!,")
    last = max(body.rfind(mark) for mark in _CLAUSE_MARKS) + 1
    return OWN_STATUS_CLAUSE.fullmatch(body, last) is not None or OWN_STATUS_FIRST.match(folded) is not None


def part_or_procedure_warning(folded: str, text: str) -> str:
    """The warning for a measure whose ongoing words all speak of part of the work or another body's
    procedure (none at its own status position), naming the first such phrase; "" otherwise."""
    if (PART_OF_THE_WORK not in folded and PROCEDURE.search(folded) is None) or _own_status(folded):
        return ""
    phrase = ""
    for match in P.ONGOING_TEXT.finditer(folded):
        clause_end = _clause_end(folded, match.start())
        if not _about_part_or_procedure(folded, match.start(), clause_end):
            return ""
        if not phrase:
            end = min(clause_end, match.start() + PHRASE_MAX)
            phrase = text[match.start() : end].strip()
    return WARNING.format(phrase=phrase) if phrase else ""
