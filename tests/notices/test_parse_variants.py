"""A real notice gives the same tree whatever form it arrives in: GBK/GB18030, CRLF, swapped punctuation,
inside a web page, as .docx with typed numbers or with Word's automatic numbering."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.notices.notice_variants import (
    as_docx,
    as_docx_numbered,
    as_html,
    swap_punctuation,
    write,
)
from zhenggai.notices import parse_file, parse_text
from zhenggai.notices.document import NoticeDoc, NoticeFinding
from zhenggai.notices.docx_text import docx_text

pytestmark = pytest.mark.seeds

PREFIXES = ("000", "001", "004")

VARIANTS: dict[str, Callable[[str], tuple[str, bytes]]] = {
    "gb18030": lambda text: ("notice.txt", text.encode("gb18030")),
    "gbk": lambda text: ("notice.txt", text.encode("gbk")),
    "utf-8 with BOM": lambda text: ("notice.txt", text.encode("utf-8-sig")),
    "utf-16 with BOM": lambda text: ("notice.txt", text.encode("utf-16")),
    "crlf": lambda text: ("notice.txt", text.replace("\n", "\r\n").encode("utf-8")),
    "gb18030 crlf, no suffix": lambda text: ("notice", text.replace("\n", "\r\n").encode("gb18030")),
    "swapped punctuation": lambda text: ("notice.txt", swap_punctuation(text).encode("utf-8")),
    "html page": lambda text: ("notice.html", as_html(text)),
    "html with <br>, no suffix": lambda text: ("page", as_html(text, breaks=True)),
    "docx": lambda text: ("notice.docx", as_docx(text)),
    "docx automatic numbering": lambda text: ("notice.docx", as_docx_numbered(text)[0]),
}


def walk(nodes: list[NoticeFinding]) -> Iterator[NoticeFinding]:
    for node in nodes:
        yield node
        yield from walk(node.children)


def shape(doc: NoticeDoc) -> dict[str, object]:
    """What must not change between forms of the same notice."""
    return {
        "counts": doc.counts,
        "levels": [[c.level for c in n.children] for n in doc.findings],
        "stated": doc.stated,
        "checks": [(c.claim, c.ok) for c in doc.checks],
        "inspection": doc.inspection,
        "outstanding": [(o.deadline, bool(o.reason), bool(o.next_steps)) for o in doc.outstanding],
        "warnings": doc.warnings,
        "statuses": [m.status for n in doc.findings for m in n.measures],
    }


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("prefix", PREFIXES)
def test_variant_parses_like_the_original(
    seed: Callable[[str], Path], tmp_path: Path, prefix: str, variant: str
) -> None:
    text = seed(prefix).read_text(encoding="utf-8")
    original = parse_text(text)
    name, data = VARIANTS[variant](text)
    doc = parse_file(write(tmp_path, name, data))
    assert doc.warnings == []
    assert shape(doc) == shape(original)


@pytest.mark.parametrize("prefix", PREFIXES)
def test_swapped_punctuation_keeps_the_original_characters_in_the_output(
    seed: Callable[[str], Path], prefix: str
) -> None:
    original = seed(prefix).read_text(encoding="utf-8")
    swapped = swap_punctuation(original.replace("“", "「").replace("”", "」"))
    doc = parse_text(swapped)
    leaf = next(node for node in walk(doc.findings) if node.measures)
    assert leaf.title in swapped
    last = leaf.measures[-1].text  # the last measure is one stretch of the source
    assert "\n" not in last
    assert last in swapped
    assert last not in original  # not normalised back


@pytest.mark.parametrize("prefix", PREFIXES)
def test_word_automatic_numbering_is_written_back_into_the_text(
    seed: Callable[[str], Path], prefix: str
) -> None:
    text = seed(prefix).read_text(encoding="utf-8")
    data, numbered = as_docx_numbered(text)
    assert numbered >= 5  # the headings really are numbered by Word, not typed
    assert docx_text(data).splitlines() == text.rstrip("\n").splitlines()
