"""Colours, levels, statuses and kinds of the supervision app, with their Chinese labels."""

from __future__ import annotations

from django.db import models


class Colour(models.TextChoices):
    """A measure's or an indicator's warning colour; precedence red > yellow > blue > stale > green."""

    RED = "red", "红"
    YELLOW = "yellow", "黄"
    BLUE = "blue", "蓝"
    STALE = "stale", "灰（久未报送）"
    GREEN = "green", "绿"


# Colours that count as a warning issued (green is the all-clear).
WARNING_COLOURS = (Colour.RED, Colour.YELLOW, Colour.BLUE, Colour.STALE)
SEVERITY = {colour: rank for rank, colour in enumerate(Colour)}

COLOUR_WARNING_LABELS = {
    Colour.RED: "红色预警",
    Colour.YELLOW: "黄色预警",
    Colour.BLUE: "蓝色提醒",
    Colour.STALE: "久未报送提醒",
    Colour.GREEN: "恢复正常",
}


class Reason:
    """Bit flags for why a colour was given; every rule that fires sets its bit."""

    OVERDUE = 1
    LOW_PROGRESS = 2
    BEHIND_SCHEDULE = 4
    DUE_SOON = 8
    STALE = 16
    INDICATOR_LOW = 32
    INDICATOR_BEHIND = 64


class NoticeLevel(models.TextChoices):
    BLUE = "blue", "蓝色督办"
    ORANGE = "orange", "橙色督办"
    RED = "red", "红色督办"


NEXT_LEVEL = {NoticeLevel.BLUE: NoticeLevel.ORANGE, NoticeLevel.ORANGE: NoticeLevel.RED}


class NoticeStatus(models.TextChoices):
    OPEN = "open", "待回复"
    REPLIED = "replied", "已回复"
    CLOSED = "closed", "已办结"


class IndicatorRule(models.TextChoices):
    EXECUTION_RATE = "execution_rate", "执行率（低于10%红色预警，低于序时进度黄色预警）"


class RunKind(models.TextChoices):
    SWEEP = "sweep", "预警巡检"
    WEEKLY = "weekly", "每周一汇总"


class RunOutcome(models.TextChoices):
    RUNNING = "running", "运行中"
    OK = "ok", "成功"
    FAILED = "failed", "失败"


class NotificationKind(models.TextChoices):
    WARNING = "warning", "预警提醒"
    NOTICE = "notice", "督办单"
    ESCALATION = "escalation", "督办升级"
    EXTENSION = "extension", "延期审核"
    DIGEST = "digest", "每周汇总"
    SIGNOFF = "signoff", "销号审核结果"
    EXT_RESULT = "ext_result", "延期审核结果"
    DUE_SOON = "due_soon", "即将到期"
    ASSIGNED = "assigned", "新分派措施"
    FEEDBACK = "feedback", "群众意见"
