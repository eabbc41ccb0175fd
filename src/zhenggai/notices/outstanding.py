"""Section 四、 (需要进一步整改的事项): unfinished items with their reason, next steps and deadline, placed back
into the finding tree as open measures."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from zhenggai.notices import patterns as P
from zhenggai.notices.document import NoticeFinding, NoticeMeasure, OutstandingItem, ParseWarning
from zhenggai.notices.findings import Line, heading
from zhenggai.notices.normalise import fold, parse_date


@dataclass
class _Item:
    line: int
    finding: str
    description: list[str] = field(default_factory=list)
    reason: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    deadline: list[str] = field(default_factory=list)


class OutstandingBuilder:
    def __init__(self) -> None:
        self.items: list[_Item] = []
        self.warnings: list[ParseWarning] = []
        self._field: list[str] | None = None

    def feed(self, line: Line) -> None:
        for pattern, name in (
            (P.OUTSTANDING_REASON, "reason"),
            (P.OUTSTANDING_NEXT, "next_steps"),
            (P.OUTSTANDING_DEADLINE, "deadline"),
        ):
            m = pattern.match(line.folded)
            if m is None:
                continue
            if not self.items:
                self.items.append(_Item(line.no, ""))
            self._field = getattr(self.items[-1], name)
            rest = line.text[m.start("rest") :].strip()
            if rest:
                self._field.append(rest)
            return
        found = heading(line, in_problem=True)
        numbered = P.NUMBERED.match(line.folded)
        if found is not None and found.level != "aspect":
            item = _Item(line.no, found.title)
            if found.rest is not None:
                item.description.append(found.rest.text)
        elif numbered is not None:
            title, _, rest = line.text[numbered.end() :].partition("。")
            item = _Item(line.no, title.strip().strip("“”"))
            if rest.strip():
                item.description.append(rest.strip())
        elif self._field is not None:
            self._field.append(line.text)
            return
        elif self.items:
            self.items[-1].description.append(line.text)
            return
        elif P.OUTSTANDING_NONE.match(line.folded):
            return  # "无" / "暂无": nothing is outstanding
        else:
            self.warnings.append(ParseWarning(line.no, line.text, "未能识别的未完成整改事项内容。"))
            return
        self.items.append(item)
        self._field = None


_KEY_STRIP = re.compile(r"[“”\"'‘’\s。.,;:!?、()]|的?问题$")


def _key(title: str) -> str:
    return _KEY_STRIP.sub("", re.sub(r"的?问题[。.]?$", "", fold(title).strip()))


def _walk(nodes: list[NoticeFinding]) -> Iterator[NoticeFinding]:
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _find(roots: list[NoticeFinding], title: str) -> NoticeFinding | None:
    key = _key(title)
    if len(key) < 2:
        return None
    nodes = [node for node in _walk(roots) if node.level != "aspect"]
    for exact in (True, False):
        for level in ("detail", "problem"):
            for node in nodes:
                other = _key(node.title)
                if node.level == level and (
                    other == key
                    if exact
                    else len(other) >= 4 and len(key) >= 4 and (other in key or key in other)
                ):
                    return node
    return None


def attach(
    roots: list[NoticeFinding], builder: OutstandingBuilder
) -> tuple[list[OutstandingItem], list[ParseWarning]]:
    """Record each unfinished item and mark it in the tree: a new detail with one open measure under the problem
    it names; under a detail it names, its unmarked measures become open (or it gets one open measure)."""
    result: list[OutstandingItem] = []
    warnings = list(builder.warnings)
    for item in builder.items:
        reason = "\n".join(item.reason)
        next_steps = "\n".join(item.next_steps)
        deadline_text = "\n".join(item.deadline)
        description = "\n".join(item.description)
        result.append(
            OutstandingItem(
                finding=item.finding or description,
                reason=reason,
                next_steps=next_steps,
                deadline=parse_date(deadline_text) if deadline_text else None,
            )
        )
        target = _find(roots, item.finding) if item.finding else None
        measure = NoticeMeasure(next_steps or description or item.finding, "open")
        if target is None:
            warnings.append(
                ParseWarning(
                    item.line, item.finding or description, "未完成整改事项在正文中找不到对应的问题。"
                )
            )
        elif target.level == "problem" and any(child.level == "detail" for child in target.children):
            target.children.append(
                NoticeFinding(level="detail", title=item.finding, text=description, measures=[measure])
            )
        elif target.measures:
            # measures the text left unmarked are the unfinished ones; an explicit marker stands
            for existing in target.measures:
                if existing.status == "unknown":
                    existing.status = "open"
        else:
            target.measures.append(measure)
    return result, warnings
