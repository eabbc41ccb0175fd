"""A readable Chinese summary of a parsed notice, for the command line."""

from __future__ import annotations

from collections.abc import Iterator

from zhenggai.notices.document import NoticeDoc, NoticeMeasure

_WARNING_EXCERPT = 40


def _excerpt(text: str) -> str:
    return text[:_WARNING_EXCERPT] + ("…" if len(text) > _WARNING_EXCERPT else "")


def _measures(doc: NoticeDoc) -> Iterator[NoticeMeasure]:
    """The measures in reading order."""
    pending = list(reversed(doc.findings))
    while pending:
        node = pending.pop()
        yield from node.measures
        pending.extend(reversed(node.children))


def summary_text(doc: NoticeDoc) -> str:
    """Title, inspection, counts, checks, unfinished items and warnings, one fact per line."""
    lines = [f"标题：{doc.title or '（无）'}"]
    lines.append(f"发布单位：{doc.issuer or '（未识别）'}　日期：{doc.date or '（未识别）'}")
    info = doc.inspection
    if info.inspector or info.inspected:
        period = f"{info.start or '?'} 至 {info.end or '?'}"
        lines.append(
            f"巡察：{info.inspector or '?'}对{info.inspected or '?'}，{period}，反馈日期 {info.feedback_date or '?'}"
        )
    c = doc.counts
    lines.append(
        f"统计：{c.aspects}个方面，{c.problems}个问题，{c.details}个具体问题，"
        f"{c.measures}条整改措施，已完成{c.done}条"
    )
    if doc.checks:
        lines.append("核对：")
        lines.extend(f"  {'✓' if check.ok else '✗'} {check.note}" for check in doc.checks)
    else:
        lines.append("核对：通报未写明可核对的数字。")
    if doc.status_note:
        lines.append(f"措施状态：{doc.status_note}")
    to_check = [m for m in _measures(doc) if m.warning]
    if to_check:
        lines.append(f"请核对状态的措施：{len(to_check)}条")
        lines.extend(f"  · {m.warning}「{_excerpt(m.text)}」" for m in to_check)
    if doc.outstanding:
        lines.append(f"未完成整改事项：{len(doc.outstanding)}项")
        lines.extend(
            f"  · {item.finding}（整改时限 {item.deadline or '未写明'}）" for item in doc.outstanding
        )
    if doc.warnings:
        lines.append(f"未能归类的文字：{len(doc.warnings)}处")
        for warning in doc.warnings:
            where = f"第{warning.line}行" if warning.line else "全文"
            excerpt = _excerpt(warning.text)
            lines.append(f"  {where}：{warning.message}" + (f"「{excerpt}」" if excerpt else ""))
    else:
        lines.append("未能归类的文字：无")
    return "\n".join(lines)
