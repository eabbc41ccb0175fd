from django.db import models


class FeedbackCategory(models.TextChoices):
    PROBLEM = "problem", "反映问题"
    SUGGESTION = "suggestion", "意见建议"
    NOT_RECTIFIED = "not_done", "整改不到位"


class FeedbackState(models.TextChoices):
    """待受理 → 办理中 → 已答复 (→ 已公开), or 不予受理 with a reason."""

    RECEIVED = "received", "待受理"
    HANDLING = "handling", "办理中"
    ANSWERED = "answered", "已答复"
    PUBLISHED = "published", "已公开"
    REJECTED = "rejected", "不予受理"


OPEN_STATES = (FeedbackState.RECEIVED, FeedbackState.HANDLING)
CLOSED_STATES = (FeedbackState.ANSWERED, FeedbackState.PUBLISHED, FeedbackState.REJECTED)
