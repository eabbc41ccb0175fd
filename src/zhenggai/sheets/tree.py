"""The inspection's feedback tree in memory, to place an imported row under 方面 → 问题 → 具体问题.

Existing findings keep their ids; findings the import will create get negative ids, in the order they must be
created (a parent always before its children).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zhenggai.ledger.choices import FindingLevel
from zhenggai.sheets.read import title_key
from zhenggai.sheets.values import CellError

ASPECT, PROBLEM, DETAIL = FindingLevel.ASPECT.value, FindingLevel.PROBLEM.value, FindingLevel.DETAIL.value


@dataclass
class Node:
    id: int
    parent: int | None
    level: str
    title: str
    key: str = ""

    def __post_init__(self) -> None:
        self.key = self.key or title_key(self.title)


@dataclass
class Tree:
    nodes: dict[int, Node] = field(default_factory=dict)
    children: dict[tuple[int | None, str], dict[str, int]] = field(default_factory=dict)
    with_measures: set[int] = field(default_factory=set)  # findings holding measures, now or planned
    planned: list[Node] = field(default_factory=list)

    @classmethod
    def load(cls, findings: list[dict[str, Any]], with_measures: set[int]) -> Tree:
        tree = cls(with_measures=set(with_measures))
        for row in findings:
            tree._add(Node(row["id"], row["parent_id"], row["level"], row["title"]))
        return tree

    def _add(self, node: Node) -> None:
        self.nodes[node.id] = node
        self.children.setdefault((node.parent, node.level), {}).setdefault(node.key, node.id)

    def _child(self, parent: int | None, level: str, title: str) -> int:
        """The child with this title, planned as new when there is none."""
        found = self.children.get((parent, level), {}).get(title_key(title))
        if found is not None:
            return found
        node = Node(-(len(self.planned) + 1), parent, level, title)
        self._add(node)
        self.planned.append(node)
        return node.id

    def _has_details(self, problem: int) -> bool:
        return bool(self.children.get((problem, DETAIL)))

    def place(self, aspect: str, problem: str, detail: str, *, for_measure: bool) -> int:
        """The finding a row belongs to (planning what is missing); CellError when the tree forbids it."""
        problem_id = self._problem(aspect, problem)
        if detail:
            existing = self.children.get((problem_id, DETAIL), {}).get(title_key(detail))
            if existing is None and problem_id in self.with_measures:
                raise CellError(f"问题“{problem[:30]}”下直接列有整改措施，不能再细分具体问题“{detail[:30]}”")
            finding = existing if existing is not None else self._child(problem_id, DETAIL, detail)
        else:
            if for_measure and self._has_details(problem_id):
                raise CellError(
                    f"问题“{problem[:30]}”已细分具体问题，请在“具体问题”列写明这条措施属于哪个具体问题"
                )
            finding = problem_id
        if for_measure:
            self.with_measures.add(finding)
        return finding

    def _problem(self, aspect: str, problem: str) -> int:
        if aspect:
            return self._child(self._child(None, ASPECT, aspect), PROBLEM, problem)
        key = title_key(problem)
        matches = [
            titles[key] for (_, level), titles in self.children.items() if level == PROBLEM and key in titles
        ]
        if len(matches) > 1:
            raise CellError(f"问题“{problem[:30]}”在多个方面下都有，请在“方面”列写明属于哪个方面")
        return matches[0] if matches else self._child(None, PROBLEM, problem)

    def path(self, finding: int) -> tuple[str, str, str]:
        """(方面, 问题, 具体问题) keys of a finding, "" where the level is absent."""
        keys = {ASPECT: "", PROBLEM: "", DETAIL: ""}
        current: int | None = finding
        while current is not None and current in self.nodes:
            node = self.nodes[current]
            keys[str(node.level)] = node.key
            current = node.parent
        return keys[ASPECT], keys[PROBLEM], keys[DETAIL]
