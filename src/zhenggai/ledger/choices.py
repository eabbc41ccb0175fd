from django.db import models


class UnitKind(models.TextChoices):
    REGION = "region", "地区"
    ORGAN = "organ", "单位"
    DEPARTMENT = "department", "内设部门"


class Role(models.TextChoices):
    SUPERVISOR = "supervisor", "巡察办（监督）"
    LEADER = "leader", "单位领导（第一责任人）"
    STAFF = "staff", "部门经办人"
    VIEWER = "viewer", "查看"


class InspectionKind(models.TextChoices):
    XUNCHA = "xuncha", "巡察"
    XUNSHI = "xunshi", "巡视"
    REVISIT = "revisit", "回头看"
    SPECIAL = "special", "专项巡察"


class FindingLevel(models.TextChoices):
    ASPECT = "aspect", "方面"
    PROBLEM = "problem", "问题"
    DETAIL = "detail", "具体问题"


class MeasureKind(models.TextChoices):
    IMMEDIATE = "immediate", "立行立改"
    DEADLINE = "deadline", "限期整改"
    LONG_TERM = "long_term", "长期坚持"


class MeasureStatus(models.TextChoices):
    DRAFT = "draft", "未启动"
    IN_PROGRESS = "in_progress", "整改中"
    PENDING_SIGNOFF = "pending_signoff", "待销号"
    DONE = "done", "已完成"
    ONGOING = "ongoing", "持续推进"


# Statuses that still owe work by the deadline; the overdue rule applies to these only.
OPEN_STATUSES = (MeasureStatus.DRAFT, MeasureStatus.IN_PROGRESS, MeasureStatus.PENDING_SIGNOFF)


class Decision(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"


class RegulationKind(models.TextChoices):
    NEW = "new", "新制定"
    REVISED = "revised", "修订完善"


class ClueStatus(models.TextChoices):
    RECEIVED = "received", "已接收"
    HANDLING = "handling", "办理中"
    CLOSED = "closed", "已办结"
