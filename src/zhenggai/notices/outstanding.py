"""Section 四、 (需要进一步整改的事项): unfinished items with their reason, next steps and deadline, placed back
into the finding tree as open measures."""

from __future__ import annotations

import bisect
import re
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


Path = tuple[int, ...]  # a node's place in the tree: child indexes from the roots; sorts in reading order

# Characters the containment pass may compare over one notice. A real notice compares a few thousand; a hostile
# one (thousands of unfinished items against thousands of findings) stops matching by containment there.
FUZZY_BUDGET = 4_000_000


class _Index:
    """The problems and details of the tree by key, in reading order; kept up to date as details are added."""

    def __init__(self, roots: list[NoticeFinding]) -> None:
        self.entries: list[tuple[Path, str, NoticeFinding]] = []
        self.first: dict[tuple[str, str], tuple[Path, NoticeFinding]] = {}
        self.paths: dict[int, Path] = {}
        self.budget = FUZZY_BUDGET
        pending: list[tuple[Path, NoticeFinding]] = [((i,), node) for i, node in enumerate(roots)]
        while pending:
            path, node = pending.pop()
            self._add(path, node)
            pending.extend(((*path, i), child) for i, child in enumerate(node.children))
        self.entries.sort(key=lambda entry: entry[0])

    def _add(self, path: Path, node: NoticeFinding) -> None:
        self.paths[id(node)] = path
        if node.level == "aspect":
            return
        key = _key(node.title)
        self.entries.append((path, key, node))
        best = self.first.get((node.level, key))
        if best is None or path < best[0]:
            self.first[(node.level, key)] = (path, node)

    def add_child(self, parent: NoticeFinding, child: NoticeFinding) -> None:
        """Append `child` (a node without children) to `parent` and to the index."""
        path = (*self.paths[id(parent)], len(parent.children))
        parent.children.append(child)
        before = len(self.entries)
        self._add(path, child)
        if len(self.entries) > before:
            self.entries.pop()
            bisect.insort(self.entries, (path, _key(child.title), child), key=lambda entry: entry[0])

    def find(self, title: str) -> NoticeFinding | None:
        """The first detail, else problem, whose key equals the title's; else one whose key contains it or
        is contained in it (both at least 4 characters)."""
        key = _key(title)
        if len(key) < 2:
            return None
        for level in ("detail", "problem"):
            if (hit := self.first.get((level, key))) is not None:
                return hit[1]
        if len(key) < 4:
            return None
        for level in ("detail", "problem"):
            for _path, other, node in self.entries:
                if node.level != level or len(other) < 4:
                    continue
                self.budget -= len(other) + len(key) + 16
                if self.budget < 0:
                    return None
                if other in key or key in other:
                    return node
        return None


def attach(
    roots: list[NoticeFinding], builder: OutstandingBuilder
) -> tuple[list[OutstandingItem], list[ParseWarning]]:
    """Record each unfinished item and mark it in the tree: a new detail with one open measure under the problem
    it names; under a detail it names, its unmarked measures become open (or it gets one open measure)."""
    result: list[OutstandingItem] = []
    warnings = list(builder.warnings)
    if not builder.items:
        return result, warnings
    index = _Index(roots)
    opened: set[int] = set()
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
        target = index.find(item.finding) if item.finding else None
        measure = NoticeMeasure(next_steps or description or item.finding, "open")
        if target is None:
            warnings.append(
                ParseWarning(
                    item.line, item.finding or description, "未完成整改事项在正文中找不到对应的问题。"
                )
            )
        elif target.level == "problem" and any(child.level == "detail" for child in target.children):
            index.add_child(
                target,
                NoticeFinding(level="detail", title=item.finding, text=description, measures=[measure]),
            )
        elif target.measures:
            # measures the text left unmarked are the unfinished ones; an explicit marker stands (once per
            # target: a second item naming it would change nothing, and many would make this quadratic)
            if id(target) in opened:
                continue
            opened.add(id(target))
            for existing in target.measures:
                if existing.status == "unknown":
                    existing.status = "open"
        else:
            target.measures.append(measure)
    return result, warnings
