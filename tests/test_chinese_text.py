"""User-facing Chinese text uses full-width punctuation: "您好，文旅局", not "您好,文旅局".

Scans every template and every string literal in src/ (messages, form errors, labels, choices, CLI output) for a
half-width , : ; ( ) ! ? next to a Chinese character, and names file:line for each. Skipped: code outside
strings, docstrings, regular expressions and translation tables (the parsers must match the half-width marks
that real documents contain), and text between ASCII characters (URLs, dates, numbers, "12:30").
A literal whose full-width twin stands on the same line (a matcher listing both forms) passes; any other
line that must quote half-width text on purpose carries the comment `# half-width: <why>`.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "zhenggai"

HALF_TO_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
IDEOGRAPH = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A Chinese neighbour: an ideograph, or Chinese punctuation and quotes.
CJK = re.compile(f"[{IDEOGRAPH}\u3000-\u303f\uff01-\uff5e“”‘’…—]")
HAS_IDEOGRAPH = re.compile(f"[{IDEOGRAPH}]")
MARKS = re.compile(r"[,:;!?()]")
# Template code and f-string fields are neither Chinese nor ASCII text: a placeholder that matches neither.
TEMPLATE_CODE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
STYLE_SCRIPT = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
REGEX_HINTS = ("(?", "[^", "|", "]+", "]*", "]?", "]{")
# A regex escape (\d, \s, \(…); a message's \n or \t is not one.
REGEX_ESCAPE = re.compile(r"\\[^nt\"']")
OPT_OUT = "# half-width:"
# Modules that other branches rewrite at the same time as this check lands (sheet import/export, the sandboxed
# notice import): after merging them, run `python -m tests.test_chinese_text --fix` and empty this tuple.
PENDING: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(SRC.parents[1])}:{self.line}: {self.text}"


def _pairs(text: str) -> dict[int, int]:
    """Matching half-width parentheses, both ways."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, char in enumerate(text):
        if char == "(":
            stack.append(i)
        elif char == ")" and stack:
            j = stack.pop()
            pairs[i], pairs[j] = j, i
    return pairs


def flagged(text: str) -> list[int]:
    """Offsets of half-width marks that sit next to Chinese text (a flagged parenthesis flags its partner)."""
    found: set[int] = set()
    pairs = _pairs(text)
    for match in MARKS.finditer(text):
        i = match.start()
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        near = bool(CJK.match(before) or CJK.match(after))
        if match.group() in "()" and i in pairs:
            start, end = sorted((i, pairs[i]))
            inner = text[start + 1 : end]
            near = near or bool(HAS_IDEOGRAPH.search(inner))
        if near:
            found.add(i)
            if i in pairs:
                found.add(pairs[i])
    return sorted(found)


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: "\x00" * len(m.group()), text)


def template_hits(path: Path) -> list[tuple[int, int]]:
    """(offset, line) of each flagged mark in a template's text, outside template code, styles and scripts."""
    source = path.read_text(encoding="utf-8")
    masked = _mask(_mask(source, STYLE_SCRIPT), TEMPLATE_CODE)
    return [(i, source.count("\n", 0, i) + 1) for i in flagged(masked)]


def _docstring_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def _is_code_like(token: str) -> bool:
    prefix = token[: len(token) - len(token.lstrip("rRbBuUfF"))].lower()
    body = token[len(prefix) :]
    return (
        "r" in prefix
        or "b" in prefix
        or any(hint in body for hint in REGEX_HINTS)
        or bool(REGEX_ESCAPE.search(body))
    )


def python_hits(path: Path) -> list[tuple[int, int]]:
    """(offset, line) of each flagged mark inside the string literals of a Python module."""
    source = path.read_text(encoding="utf-8")
    docstrings = _docstring_lines(ast.parse(source))
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    hits: list[tuple[int, int]] = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type != tokenize.STRING or token.start[0] in docstrings:
            continue
        if _is_code_like(token.string) or not HAS_IDEOGRAPH.search(token.string):
            continue
        if OPT_OUT in lines[token.start[0] - 1]:
            continue
        offset = starts[token.start[0] - 1] + token.start[1]
        text = token.string
        if text[: len(text) - len(text.lstrip("fF"))]:  # f-string fields are code
            text = _mask(text, re.compile(r"\{[^{}]*\}"))
        found = flagged(text)
        full = "".join(HALF_TO_FULL[c] if i in found else c for i, c in enumerate(token.string))
        if found and full in lines[token.start[0] - 1]:
            continue  # a matcher that lists both forms on purpose: ("(配合)", "（配合）")
        for i in found:
            hits.append((offset + i, source.count("\n", 0, offset + i) + 1))
    return hits


def _hits_in(path: Path) -> list[tuple[int, int]]:
    return template_hits(path) if path.suffix == ".html" else python_hits(path)


def sources(*, pending: bool = False) -> list[Path]:
    found = []
    for path in sorted(SRC.rglob("*")):
        if "migrations" in path.parts or not path.is_file() or path.suffix not in (".html", ".py"):
            continue
        if not pending and str(path.relative_to(SRC)).startswith(PENDING):
            continue
        found.append(path)
    return found


def scan(*, pending: bool = False) -> list[Hit]:
    hits: list[Hit] = []
    for path in sources(pending=pending):
        text = path.read_text(encoding="utf-8").splitlines()
        hits.extend(Hit(path, line, text[line - 1].strip()[:80]) for _, line in _hits_in(path))
    return hits


def fix(path: Path) -> int:
    """Replace the flagged marks of one file by their full-width forms; returns how many."""
    chars = list(path.read_text(encoding="utf-8"))
    found = _hits_in(path)
    for offset, _ in found:
        chars[offset] = HALF_TO_FULL[chars[offset]]
    path.write_text("".join(chars), encoding="utf-8")
    return len(found)


def test_user_facing_chinese_text_uses_full_width_punctuation() -> None:
    hits = scan()
    assert not hits, f"{len(hits)} half-width marks beside Chinese text (use ，：；（）！？):\n" + "\n".join(
        str(hit) for hit in dict.fromkeys(hits)
    )


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("您好,文旅局", ","),
        ("已提交销号申请,等待审核。", ","),
        ("退回理由(必填)", "()"),
        ("巡察(编号 \x00)不存在", "()"),
        ("“\x00”:", ":"),
        ("下载整改台账(.xlsx)", "()"),
    ],
)
def test_half_width_marks_beside_chinese_are_found(text: str, bad: str) -> None:
    assert "".join(text[i] for i in flagged(text)) == bad


@pytest.mark.parametrize(
    "text",
    [
        "https://example.org/a?b=1",
        "12:30",
        "1,000",
        "2024-03-18",
        "figures (problems, measures)",
        "您好，文旅局",
    ],
)
def test_code_urls_numbers_and_full_width_text_pass(text: str) -> None:
    assert flagged(text) == []


def test_templates_are_scanned_outside_template_code(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text('<p>您好,{{ user.name }}</p>\n{% if a == "x,y" %}<style>a{b:c}</style>{% endif %}\n')
    assert [line for _, line in template_hits(page)] == [1]


def test_python_messages_are_scanned_but_matchers_and_regexes_pass(tmp_path: Path) -> None:
    module = tmp_path / "module.py"
    module.write_text(
        'MESSAGE = f"巡察(编号 {pk})不存在。"\n'
        'COOPERATING = ("(配合)", "（配合）")\n'
        'PATTERN = r"^(?:关于|针对)(.+)的问题$"\n'
        'HINT = "逐条核对"  # a full-width text\n'
        'LINES = f"{unit}:督办单\\n请回复;逾期升级。"\n'
        'ESCAPED = "编号\\d+(之\\d+)"\n'
    )
    assert [line for _, line in python_hits(module)] == [1, 1, 5, 5]
    fix(module)
    assert module.read_text().startswith('MESSAGE = f"巡察（编号 {pk}）不存在。"')


if __name__ == "__main__":  # python -m tests.test_chinese_text [--fix] [--pending]
    import sys

    everything = "--pending" in sys.argv
    if "--fix" in sys.argv:
        for source in sources(pending=everything):
            if n := fix(source):
                print(f"{source.relative_to(SRC.parents[1])}: {n}")
    else:
        print("\n".join(str(hit) for hit in dict.fromkeys(scan(pending=everything))))
