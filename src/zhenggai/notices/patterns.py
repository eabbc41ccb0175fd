"""Compiled patterns for notice lines. Every pattern runs on folded text (see normalise.fold):
ASCII brackets, colon, comma, semicolon, full stop and digits; Chinese quotes “” and 。、 unchanged."""

from __future__ import annotations

import re

CN = "[一二三四五六七八九十]+"
# A number starts where its run of digits starts: searched from inside a long run, \d+ would rescan the run
# from every position (quadratic). The leftmost match is the same, so is the result. Written to open with one
# character class, the same as (?<!\d)\d+|(?<![一…两])[一…两]+, so that a search skips at C speed to the next
# digit or numeral instead of trying the lookbehinds at every position (five times faster on a notice).
_NUMERALS = "一二三四五六七八九十百两"
NUM = rf"(?:[\d{_NUMERALS}](?:(?<=\d)(?<!\d\d)\d*|(?<=[{_NUMERALS}])(?<![{_NUMERALS}][{_NUMERALS}])[{_NUMERALS}]*))"

# Heading numbers, GB/T 9704 levels and the variants Word and WPS produce.
L1 = rf"(?:{CN}[、.,:](?!\d)|第{CN}部分[、.,:]?)"
L2 = rf"(?:\({CN}\)[、.]?|[㈠-㈩])"
L3 = r"(?:\d{1,3}[.、,](?!\d)|[⒈-⒛])"
L4 = r"(?:\(\d{1,3}\)[、.]?|\d{1,3}\)|[⑴-⒇])"
ANY_NUM = rf"(?:{L1}|{L2}|{L3}|{L4})"

# What opens a new paragraph besides a heading number (a hard-wrapped text is only joined before other lines)
BLOCK_START = re.compile(
    rf"^(?:针对|关于|“|{CN}是|[①-⑳]|(?:整改(?:进展|落实|完成)?情况|整改措施|整改举措|落实情况|进展情况)\s*:)"
)
TOP_HEADING = re.compile(rf"^{L1}\s*(?P<title>.*)$")
TOP_HEADING_FIRST = frozenset("一二三四五六七八九十第")  # what a line matching TOP_HEADING starts with
NUMBERED = re.compile(rf"^(?P<num>{ANY_NUM})\s*")

# “…” up to the first closing quote that is followed by 问题 (quotes may nest: “社科普及“最后一公里”未打通”)
_QUOTED_ISSUE = r"“(?P<title>.+?)”的?问题"
ASPECT = re.compile(
    rf"^(?:(?P<num>{L1}|{L2}|{L3})\s*(?:“(?P<q1>.+)”|(?P<plain>[^。]+?))|“(?P<q2>.+)”)"
    r"\s*方面(?:存在的|的)?(?:问题)?[:.。]?$"
)
ASPECT_MAX_LEN = 150

PROBLEM_QUOTED = re.compile(
    rf"^(?P<num>{ANY_NUM})?\s*关于{_QUOTED_ISSUE}(?:的整改(?:进展|落实)?情况)?[。.:,]?\s*(?P<rest>.*)$"
)
PROBLEM_PLAIN = re.compile(
    rf"^(?P<num>{ANY_NUM})?\s*关于(?P<title>[^“”]{{2,80}}?)的?问题(?:的整改(?:进展|落实)?情况)?[。.:]?$"
)
PROBLEM_NUMBERED = re.compile(rf"^(?P<num>{L2}|{L3})\s*(?P<title>[^。“”]{{2,60}}?)的?问题[。.:]?$")
DETAIL_QUOTED = re.compile(rf"^(?P<num>{ANY_NUM})?\s*针对{_QUOTED_ISSUE}[。.:,]?\s*(?P<rest>.*)$")
DETAIL_QUOTE_ONLY = re.compile(rf"^(?P<num>{ANY_NUM})?\s*针对“(?P<title>.+)”[。.:]?$")
DETAIL_BARE = re.compile(r"^“(?P<title>.+)”的?问题[。.:]?$")
DETAIL_PLAIN = re.compile(
    r"^(?P<num>(?:\(\d{1,3}\)|\d{1,3}\)|[⑴-⒇]))\s*(?:针对)?(?P<title>[^“”]{2,80}?)的?问题[。.:]?$"
)

PROGRESS_LABEL = re.compile(
    r"^(?:整改(?:进展|落实|完成)?情况|整改措施|整改举措|整改成效|落实情况|进展情况)\s*(?::\s*(?P<rest>.*)|$)"
)

PROGRESS_LABEL_FIRST = frozenset("整落进")

# Enumerations inside progress text. Each family is numbered in sequence; the finest one wins. Their \s* after
# a line start is linear: a block is made of stripped, non-empty lines joined by single newlines, so no run of
# whitespace holds a newline.
ENUM_SHI = re.compile(rf"(?:^|(?<=[\n。.,;:!?)”]))\s*(?P<n>{CN})是")
ENUM_CIRCLED = re.compile(r"[①-⑳]")
ENUM_PAREN_CN = re.compile(rf"(?:^|(?<=\n))\s*\((?P<n>{CN})\)[、.]?")
ENUM_PAREN_DIGIT = re.compile(r"(?:^|(?<=\n))\s*\((?P<n>\d{1,2})\)[、.]?")
ENUM_DOT_DIGIT = re.compile(r"(?:^|(?<=\n))\s*(?P<n>\d{1,2})[.、](?!\d)")

STATUS_WORDS = {
    "已完成": "done",
    "已整改": "done",
    "已整改到位": "done",
    "已整改完毕": "done",
    "已完成整改": "done",
    "整改完成": "done",
    "已办结": "done",
    "已销号": "done",
    "基本完成": "ongoing",
    "基本整改到位": "ongoing",
    "阶段性完成": "ongoing",
    "部分完成": "ongoing",
    "持续推进": "ongoing",
    "正在推进": "ongoing",
    "正在整改": "ongoing",
    "整改中": "ongoing",
    "推进中": "ongoing",
    "进行中": "ongoing",
    "长期坚持": "ongoing",
    "持续整改": "ongoing",
    "需长期坚持": "ongoing",
    "未完成": "open",
    "尚未完成": "open",
    "未整改": "open",
    "待整改": "open",
    "未开始": "open",
}
_STATUS_ALT = "|".join(sorted(STATUS_WORDS, key=len, reverse=True))
# A status marker "(已完成)"; starting with a literal "(", it is found by a fast scan (the spaces before it are
# taken by the caller)
STATUS_PAREN = re.compile(rf"\((?P<word>{_STATUS_ALT})\)")
STATUS_CLOSING = re.compile(rf"\((?P<word>{_STATUS_ALT})\)[。.;,]?\s*$")
STATUS_LEAD = re.compile(rf"^\s*(?P<word>{_STATUS_ALT})\s*(?:[。.,;!]\s*|$)")
# Status words in the running text of a measure (findings._keyword_status): one search for each list is faster
# than a substring test per word (fifteen scans of the text); 已完成 and 已整改 count only before a mark or the end.
ONGOING_WORDS = (
    "持续推进",
    "基本完成",
    "基本整改到位",
    "正在",
    "推进中",
    "整改中",
    "长期坚持",
    "持续整改",
    "阶段性完成",
)
DONE_WORDS = ("已整改到位", "已整改完毕", "完成整改", "整改完成", "已办结", "已销号")
ONGOING_TEXT = re.compile("|".join(ONGOING_WORDS))
DONE_TEXT = re.compile(r"已完成(?=$|[。.,;:!?)\s])|已整改(?=$|[。.,;:!?)\s])|" + "|".join(DONE_WORDS))

CLOSING_START = re.compile(
    r"^(?:下一步|下一阶段|今后)[,:]|^(?:经过|通过)[^,。]{0,14}(?:整改|努力)[,]|^总之[,]|^总的(?:来看|来说)[,]"
)
CLOSING_START_FIRST = frozenset("下今经通总")  # what a line matching CLOSING_START starts with
CONTACT_START = re.compile(
    r"^欢迎.{0,30}监督|^(?:联系|举报|监督|咨询)?电话\s*[:]|^(?:电子)?(?:邮箱|信箱)\s*[:]|^(?:通信|通讯|来信|联系)?地址\s*[:]"
    r"|^邮(?:政)?编(?:码)?\s*[:]"
)
CONTACT_START_FIRST = frozenset("欢联举监咨电邮信通来地")
# One way to match each text: no two \s* side by side; an address starts where its run of letters starts.
CONTACT_PHONE = re.compile(r"电话\s*(?::\s*)?(?P<v>[\d(][\d\-() ,、/转]{4,}\d)")
CONTACT_ADDRESS = re.compile(r"(?:通信|通讯|来信|联系)?地址\s*[:]\s*(?P<v>[^;,。\n]+)")
CONTACT_POSTCODE = re.compile(r"邮(?:政)?编(?:码)?\s*[:]?\s*(?P<v>\d{6})(?!\d)")
CONTACT_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])(?P<v>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")

# Section headings (level 一、) by what they are about
CLUES_HEADING = re.compile(r"线索")
OUTSTANDING_HEADING = re.compile(r"进一步整改|未完成|尚未完成|未整改到位|仍需|需要继续|持续整改的")
CLOSING_HEADING = re.compile(r"下一步|打算|今后|巩固整改成果|长效机制建设")

OUTSTANDING_REASON = re.compile(
    r"^(?:未(?:能)?完成(?:整改)?的?原因|未完成整改原因|原因)\s*[:]\s*(?P<rest>.*)$"
)
OUTSTANDING_NEXT = re.compile(r"^(?:下一步(?:整改)?(?:措施|计划|打算|工作)|整改措施)\s*[:]\s*(?P<rest>.*)$")
OUTSTANDING_DEADLINE = re.compile(r"^(?:整改|完成)?时限\s*[:]\s*(?P<rest>.*)$")
OUTSTANDING_NONE = re.compile(r"^(?:无|暂无|没有)")

# The font-size widget (字号:[大] [中] [小]) is matched one way only: `\s*` and `\s+` never side by side, which
# made "大 大 大 … x" exponential.
# Web-page and PDF debris lines, matched at the line start only (`DEBRIS.match`: one attempt per line, not one
# per character); the footer words that may stand anywhere in a line are found with `in` (is_debris).
DEBRIS = re.compile(
    r"(?:(?:信息)?来源\s*[:]|发布(?:时间|日期)\s*[:]|作者\s*[:]|(?:点击|浏览|阅读|访问)(?:数|量|次数)\s*[:]"
    r"|【?责任编辑\s*[:].*】?$|【?(?:打印|关闭|打印本页|关闭窗口|返回顶部|收藏|分享)】?"
    r"|字号\s*(?::\s*)?(?:[\[【]\s*)?[大中小]"
    r"|(?:\[\s*|\s*)[大中小](?:\s*\])?(?:\s+(?:\[\s*)?[大中小](?:\s*\])?)*\s*$|分享到"
    r"|当前位置|您(?:现在)?的位置|首页\s*[>»]|主办单位\s*[:]|技术支持\s*[:]"
    r"|(?:上一篇|下一篇)\s*[:]|【(?:打印|关闭)|\(此件[^)]{0,12}\)$"
    r"|日期\s*:\s*\d{4}|(?:分享|朗读|收藏)\s*:?$|【?字体\s*:|(?:扫一扫|手机查看|打印本页|关闭窗口)"
    # page numbers and footers of a text copied from a PDF: - 3 -, 第3页 共10页, 3/10
    r"|-\s?\d{1,4}\s?-$|第\s?\d{1,4}\s?页(?:\s?,?\s?共\s?\d{1,4}\s?页)?$|\d{1,4}\s?/\s?\d{1,4}$)"
)


# What a line matching DEBRIS can start with, besides digits and whitespace; other lines skip the regex.
DEBRIS_FIRST = frozenset(
    "信来发作点浏阅访【责打关返收分字[大中小"  # half-width: folded text
    "当您首主技上下(日朗扫手-第"  # half-width: folded text
)


def is_debris(folded: str) -> bool:
    first = folded[:1]
    if (first in DEBRIS_FIRST or first.isdecimal() or first.isspace()) and DEBRIS.match(folded) is not None:
        return True
    return "版权所有" in folded or "ICP备" in folded or "网站标识码" in folded


PUBLISHED = re.compile(r"(?:发布(?:时间|日期)|^日期)\s*[:]\s*(?P<d>\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2})")

# The 信息公开 block above a page's text: "• 索引号：" with its value after it or on the next line.
META_BULLETS = "•·●◆▪■□◇○*-> "
META_LABEL = re.compile(
    r"^(?P<label>(?:信息)?索引号|文件名称|信息名称|标题|名称|发布机构|发文机关|发文机构|发布单位|所属机构|成文日期|"
    r"发文日期|生成日期|公开日期|公开方式|公开范围|公开时限|公开形式|文号|发文字号|主题分类|组配分类|体裁分类|"
    r"服务对象|有效性|生效日期|废止日期|关键词|主题词|信息分类|信息类别|内容分类|统一编号)\s*:\s*(?P<value>.*)$"
)
TITLE = re.compile(r"^.{2,100}(?:通报|公告|公示|情况|报告)$")
NOTICE_TITLE = re.compile(r"(?:整改|巡察|巡视).{0,20}(?:通报|公告|公示)$")
OPENING = re.compile(
    r"^(?:根据|按照|依据).{0,60}(?:部署|安排|要求)|^.{0,80}(?:巡察|巡视)[^。]{0,30}(?:反馈|进驻)"
)
SIGNATURE_DATE = re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$")
SIGNATURE_DATE_CN = re.compile(
    r"^(?P<y>[〇零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,3})月(?P<d>[一二三四五六七八九十]{1,3})日$"
)
SENTENCE_PUNCT = re.compile(r"[。,;:!?]")

# A masked part (**** 年 ** 月) is at most a few stars: an unbounded [*]+ searched from every position of a long
# run of stars is quadratic.
_D_FULL = r"(?P<{p}y>\d{{4}}|[*]{{1,8}})年(?P<{p}m>\d{{1,2}}|[*]{{1,8}})月(?P<{p}d>\d{{1,2}}|[*]{{1,8}})日"
_D_PART = (
    r"(?:(?P<{p}y>\d{{4}}|[*]{{1,8}})年)?(?P<{p}m>\d{{1,2}}|[*]{{1,8}})月(?P<{p}d>\d{{1,2}}|[*]{{1,8}})日"
)
SPAN = re.compile(_D_FULL.format(p="s") + r"\s*(?:至|到|-|~)\s*" + _D_PART.format(p="e"))
# A stored copy may lose the 日 of the feedback date ("2024年8月9反馈"): the day is then followed by a non-digit.
_D_LOOSE = r"(?:(?P<{p}y>\d{{4}}|[*]{{1,8}})年)?(?P<{p}m>\d{{1,2}}|[*]{{1,8}})月(?P<{p}d>\d{{1,2}}|[*]{{1,8}})(?:日|(?![\d*]))"
FEEDBACK = re.compile(_D_LOOSE.format(p="f") + r"[^。]{0,40}?反馈")
# A period written in months only ("2024年3月至6月", "2024年1月"): no day, so no exact date; kept as written.
PERIOD_MONTHS = re.compile(r"(?<!\d)\d{4}年\d{1,2}月(?:(?:至|到|-|~)(?:\d{4}年)?\d{1,2}月)?(?![\d*日])")
YEAR = re.compile(r"(?<!\d)(?P<y>\d{4})年")
# A whole round's summary: several groups or many units, not one inspector and one inspected unit
WHOLE_ROUND = re.compile(
    rf"(?:{NUM}|多)个(?:巡察|巡视)组|各(?:巡察|巡视)组|(?:{NUM})(?:家|个)(?:被巡察)?(?:单位|党组织|部门)"
)
FOLLOW_UP = re.compile(r"回头看")
# Dates in Chinese numerals (二〇二四年十二月二十六日)
CN_DATE = re.compile(
    r"(?:(?P<y>[〇零一二三四五六七八九]{4})年)?(?P<m>[一二三四五六七八九十]{1,3})月(?:(?P<d>[一二三四五六七八九十]{1,3})日)?"
)
INSPECTOR = re.compile(
    r"(?P<who>[^,。;:\s]{2,24}?巡[察视][^,。;:\s]{0,10}?组)(?:进驻)?对(?P<whom>[^,。;]{1,40}?)(?:开展|进行|实施)"
)
RECIPIENT = re.compile(r"向(?P<to>[^,。;]{2,30}?)(?:书面)?反馈")
SELF_REFERENCE = re.compile(r"^(?:我|本)(?:单位|部|局|委|办|院|校|会|中心|公司|街道|镇|乡)$")
