"""空泛措施 (study-only measures): a measure and its reports that say only 学习、提高、加强、强化认识…

The rule set, in full (docs/用户手册.md repeats it):

1. the text (the measure and all its progress reports, taken together) contains at least one generic phrase of
   `GENERIC` (加强、提高、学习、强化、认识、意识…);
2. and it contains none of the concrete marks:
   - a number (Arabic or a Chinese numeral followed by a counter: 3次、两名、五项);
   - a date (2024年、3月、15日、月底、季度末…);
   - a document: 《…》, a document number 〔2024〕 / [2024] / 第…号, or a named document kind (制度、办法、规定、
     细则、方案、清单、台账、通知、纪要…);
   - a concrete action verb that leaves a checkable result (`CONCRETE_VERBS`: 制定、修订、印发、清退、退还、追缴、
     收回、处分、问责、约谈、立案、移交、补缴、清理、核查、召开…).

It is a question to ask (does the measure say what will change?), never a verdict: a real measure may be short.
Plain Python, no Django: the scan runs it over hundreds of thousands of texts.
"""

from __future__ import annotations

import re

GENERIC = (
    "学习",
    "提高",
    "加强",
    "强化",
    "认识",
    "意识",
    "增强",
    "深化",
    "提升",
    "重视",
    "贯彻",
    "树立",
    "教育",
    "警示",
    "引导",
    "自觉",
    "思想",
)

CONCRETE_VERBS = (
    "制定",
    "修订",
    "修改",
    "印发",
    "出台",
    "建立",
    "清退",
    "退还",
    "追缴",
    "收回",
    "补缴",
    "清理",
    "核查",
    "处分",
    "问责",
    "约谈",
    "诫勉",
    "立案",
    "移交",
    "调整",
    "撤销",
    "停止",
    "召开",
    "签订",
    "公示",
    "审计",
    "整治",
    "拆除",
    "归档",
    "录入",
    "上线",
)

_DOC_WORDS = (
    "制度",
    "办法",
    "规定",
    "细则",
    "方案",
    "清单",
    "台账",
    "通知",
    "纪要",
    "规程",
    "意见",
    "章程",
    "协议",
    "合同",
)
_CN_DIGIT = "一二两三四五六七八九十百千万"
_COUNTER = "次个项条名人件笔元万场期份家批处篇本份"
_NUMBER = re.compile(rf"\d|[{_CN_DIGIT}]+[{_COUNTER}]")
_DATE = re.compile(rf"[\d{_CN_DIGIT}]+[年月日]|月底|年底|季度|上半年|下半年|年内|月内|周内")
_DOCUMENT = re.compile(r"《[^》]+》|〔\d{4}〕|\[\d{4}\]|第\S{1,6}号")


# One pass each for the scan: any concrete mark at all, any generic phrase at all.
_ANY_CONCRETE = re.compile(
    "|".join(
        [_NUMBER.pattern, _DATE.pattern, _DOCUMENT.pattern, *map(re.escape, _DOC_WORDS + CONCRETE_VERBS)]
    )
)
_ANY_GENERIC = re.compile("|".join(map(re.escape, GENERIC)))


def has_concrete(text: str) -> bool:
    return _ANY_CONCRETE.search(text) is not None


def concrete_marks(text: str) -> list[str]:
    """What in the text is concrete (empty: nothing checkable)."""
    marks: list[str] = []
    for name, pattern in (("数字", _NUMBER), ("日期", _DATE), ("文件", _DOCUMENT)):
        match = pattern.search(text)
        if match:
            marks.append(f"{name}“{match.group(0)}”")
    marks += [f"文件“{word}”" for word in _DOC_WORDS if word in text][:1]
    marks += [f"动作“{verb}”" for verb in CONCRETE_VERBS if verb in text][:1]
    return marks


def generic_words(text: str) -> list[str]:
    return [word for word in GENERIC if word in text]


def is_study_only(text: str) -> bool:
    """True when the text has generic phrases and no concrete mark (the rule set above)."""
    return _ANY_GENERIC.search(text) is not None and not has_concrete(text)
