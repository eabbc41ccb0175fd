"""Redaction (脱敏) of a notice before it is published to the public. Pure Python, no Django.

What is masked (conventions.md §4.3), in this order so that one rule never breaks another's match:
1. spans a user marked (every occurrence of each marked string) → ***
2. 18-digit ID-card numbers whose check character is right (GB 11643, ISO 7064 MOD 11-2) → ***
3. bank account and card numbers: 16–19 digits passing the Luhn check, or 12–25 digits right after
   账号/账户/卡号/银行卡/开户行 → ***
4. phone numbers: mobiles (1[3-9]…, 11 digits, +86 and separators allowed), numbers with an area code
   (0xx-xxxxxxx), and 7–8 digit numbers right after 电话/手机/热线… → ***, except the published
   supervision phone (compared by its digits)
5. persons' names given by the caller (from the ledger's 责任领导/责任人 and a list the user adds) →
   surname + 某 (张三 → 张某, 欧阳明华 → 欧阳某) or 某某; no name is guessed from the text.
Masks have a fixed width so they do not give away the length of what they hide. Only text fields are
touched: the title, unit names, inspection group, dates and the published contact stay as they are.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from zhenggai.notices.document import NoticeDoc, NoticeFinding, NoticeMeasure, OutstandingItem

MASK = "***"
NameStyle = Literal["surname", "anonymous"]

# Two-character surnames: a name that starts with one keeps both characters.
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "呼延",
        "澹台",
        "公冶",
        "宗政",
        "濮阳",
        "太叔",
        "申屠",
        "仲孙",
        "钟离",
        "闻人",
        "万俟",
        "赫连",
        "拓跋",
        "百里",
        "东郭",
        "左丘",
        "第五",
    ]
)

KINDS = ("marked", "id_card", "bank_account", "phone", "name")
KIND_LABELS = {
    "marked": "用户标记的内容",
    "id_card": "身份证号码",
    "bank_account": "银行账号",
    "phone": "电话号码",
    "name": "人员姓名",
}


@dataclass(frozen=True)
class Redactions:
    """What the caller adds to the automatic rules: more names, and spans to mask wherever they occur."""

    names: tuple[str, ...] = ()
    spans: tuple[str, ...] = ()


@dataclass(frozen=True)
class RedactionPolicy:
    names: tuple[str, ...] = ()
    spans: tuple[str, ...] = ()
    keep_phones: tuple[str, ...] = ()  # the published supervision phone(s)
    name_style: NameStyle = "surname"


@dataclass
class RedactionReport:
    """How many values of each kind were masked; the values themselves are not kept."""

    counts: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_dict(self) -> dict[str, int]:
        return {kind: self.counts[kind] for kind in KINDS if self.counts[kind]}

    def summary(self) -> str:
        parts = [f"{KIND_LABELS[k]}{n}处" for k, n in self.to_dict().items()]
        return "已脱敏：" + "、".join(parts) if parts else "未发现需要脱敏的内容"


# --- number rules --------------------------------------------------------------------------------------

_ID_CARD = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[0-9Xx](?![0-9A-Za-z])")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_DIGIT_RUN = re.compile(r"(?<![0-9A-Za-z])\d(?:[ \-]?\d){11,24}(?![0-9A-Za-z])")
_BANK_CONTEXT = re.compile(r"(?:账号|帳號|帐号|账户|帐户|卡号|银行卡|开户行|收款账|付款账)[^。；;\n]{0,12}$")
_BANK_WINDOW = 3 + 12 + 1  # longest keyword, the gap allowed after it, a line end

_MOBILE = r"(?:(?:\+|00)?86[\s\-]?)?1[3-9]\d(?:[\s\-]?\d{4}){2}"
_LANDLINE = r"(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[\s\-－—]?)[2-9]\d{6,7}(?:(?:转|-|－)\d{1,6})?"
_PHONE = re.compile(rf"(?<![0-9A-Za-z])(?:{_MOBILE}|{_LANDLINE})(?![0-9A-Za-z])")
_LOCAL_PHONE = re.compile(
    r"(?P<label>(?:电话|手机|座机|热线|联系方式|Tel|TEL|tel)[号码]*\s*(?:[:：]\s*)?)(?P<number>[2-9]\d{6,7})(?!\d)"
)


def id_card_valid(number: str) -> bool:
    """The GB 11643 check character of an 18-character ID number is right."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


class Redactor:
    """Applies a policy to pieces of text and counts what it masked."""

    def __init__(self, policy: RedactionPolicy) -> None:
        self.policy = policy
        self.report = RedactionReport()
        self._keep = [d for d in (_digits(p) for p in policy.keep_phones) if len(d) >= 7]
        spans = sorted({s.strip() for s in policy.spans if s.strip()}, key=len, reverse=True)
        self._spans = re.compile("|".join(map(re.escape, spans))) if spans else None
        names = sorted({n.strip() for n in policy.names if len(n.strip()) >= 2}, key=len, reverse=True)
        self._names = re.compile("|".join(map(re.escape, names))) if names else None

    def text(self, text: str) -> str:
        if not text:
            return text
        if self._spans is not None:
            text = self._spans.sub(lambda m: self._count("marked", MASK), text)
        text = _ID_CARD.sub(self._id_card, text)
        text = _DIGIT_RUN.sub(self._bank, text)
        text = _PHONE.sub(self._phone, text)
        text = _LOCAL_PHONE.sub(self._local_phone, text)
        if self._names is not None:
            text = self._names.sub(lambda m: self._count("name", self.mask_name(m.group())), text)
        return text

    def mask_name(self, name: str) -> str:
        if self.policy.name_style == "anonymous":
            return "某某"
        surname = name[:2] if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES else name[:1]
        return surname + "某"

    def _count(self, kind: str, replacement: str) -> str:
        self.report.counts[kind] += 1
        return replacement

    def _id_card(self, m: re.Match[str]) -> str:
        return self._count("id_card", MASK) if id_card_valid(m.group()) else m.group()

    def _bank(self, m: re.Match[str]) -> str:
        digits = _digits(m.group())
        # the context is a keyword at most 12 characters before the number: look only there, not at the whole
        # text before it (which made many numbers in a long text quadratic)
        by_context = _BANK_CONTEXT.search(m.string, max(0, m.start() - _BANK_WINDOW), m.start()) is not None
        if by_context or (16 <= len(digits) <= 19 and luhn_valid(digits)):
            return self._count("bank_account", MASK)
        return m.group()

    def _kept(self, number: str) -> bool:
        digits = _digits(number)
        return any(digits == k or k.endswith(digits) or digits.endswith(k) for k in self._keep)

    def _phone(self, m: re.Match[str]) -> str:
        return m.group() if self._kept(m.group()) else self._count("phone", MASK)

    def _local_phone(self, m: re.Match[str]) -> str:
        if self._kept(m.group("number")):
            return m.group()
        return m.group("label") + self._count("phone", MASK)


def redact_text(text: str, policy: RedactionPolicy) -> tuple[str, RedactionReport]:
    redactor = Redactor(policy)
    return redactor.text(text), redactor.report


def redact_notice(doc: NoticeDoc, policy: RedactionPolicy) -> tuple[NoticeDoc, RedactionReport]:
    """A copy of `doc` with every free-text field redacted; `doc` itself is left as it was."""
    r = Redactor(policy)
    redacted = replace(
        doc,
        organising_work=r.text(doc.organising_work),
        findings=[_finding(r, f) for f in doc.findings],
        outstanding=[
            OutstandingItem(
                finding=r.text(item.finding),
                reason=r.text(item.reason),
                next_steps=r.text(item.next_steps),
                deadline=item.deadline,
            )
            for item in doc.outstanding
        ],
        clues=r.text(doc.clues),
        closing=r.text(doc.closing),
    )
    return redacted, r.report


def _finding(r: Redactor, finding: NoticeFinding) -> NoticeFinding:
    return NoticeFinding(
        level=finding.level,
        title=r.text(finding.title),
        text=r.text(finding.text),
        measures=[NoticeMeasure(r.text(m.text), m.status) for m in finding.measures],
        children=[_finding(r, c) for c in finding.children],
    )


def policy_for(
    *,
    names: Iterable[str] = (),
    spans: Iterable[str] = (),
    keep_phones: Iterable[str | None] = (),
    name_style: NameStyle = "surname",
) -> RedactionPolicy:
    return RedactionPolicy(
        names=tuple(names),
        spans=tuple(spans),
        keep_phones=tuple(p for p in keep_phones if p),
        name_style=name_style,
    )
