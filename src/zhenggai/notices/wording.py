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
_CLAUSE_MARK = re.compile(r"[,。;!?\n]")  # where a clause ends
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


def _own_status(folded: str) -> bool:
    """The measure's last clause (or its first) is only a status word: 目前整改中。/ 持续推进。"""
    body = folded.rstrip(" \n。.;!,")
    last = max(body.rfind(mark) for mark in _CLAUSE_MARKS) + 1
    return OWN_STATUS_CLAUSE.fullmatch(body, last) is not None or OWN_STATUS_FIRST.match(folded) is not None


def part_or_procedure_warning(folded: str, text: str) -> str:
    """The warning for a measure whose ongoing words all speak of part of the work or another body's
    procedure (none at its own status position), naming the first such phrase; "" otherwise.

    An ongoing word stands in a 其中 sub-clause when 其中 comes before it in its paragraph, and speaks of a
    procedure when a procedure word follows it in its clause. The paragraph, its first 其中, the clause end and
    the next procedure word are found once and kept while the words run on through them: linear in the text,
    however many ongoing words it holds."""
    if (PART_OF_THE_WORK not in folded and PROCEDURE.search(folded) is None) or _own_status(folded):
        return ""
    size = len(folded)
    phrase = ""
    paragraph_end = -1  # the paragraph known so far: [.., paragraph_end), its first 其中 at part
    part = -1
    clause_end = -1
    procedure: re.Match[str] | None = None
    procedure_from = size + 1  # `procedure` is the first procedure word at or after this index in the clause
    for match in P.ONGOING_TEXT.finditer(folded):
        at = match.start()
        if at >= paragraph_end:
            paragraph = folded.rfind("\n", 0, at) + 1
            newline = folded.find("\n", at)
            paragraph_end = size if newline == -1 else newline
            part = folded.find(PART_OF_THE_WORK, paragraph, paragraph_end)
        if at >= clause_end:
            mark = _CLAUSE_MARK.search(folded, at)
            clause_end = size if mark is None else mark.start()
            procedure, procedure_from = None, size + 1
        if not (part != -1 and part + len(PART_OF_THE_WORK) <= at):
            if procedure_from > at or (procedure is not None and procedure.start() < at):
                procedure, procedure_from = PROCEDURE.search(folded, at, clause_end), at
            if procedure is None:
                return ""
        if not phrase:
            phrase = text[at : min(clause_end, at + PHRASE_MAX)].strip()
    return WARNING.format(phrase=phrase) if phrase else ""
