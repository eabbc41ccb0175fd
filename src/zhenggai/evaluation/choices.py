from django.db import models


class RuleKind(models.TextChoices):
    """What a rubric item measures; each has one deduction rule in evaluation.rubric."""

    ON_TIME = "on_time", "按期完成"
    EVIDENCE = "evidence", "佐证材料"
    REGULATIONS = "regulations", "建章立制"
    COVERAGE = "coverage", "台账完整"
    SIGNALS = "signals", "纸面整改疑点"
    RECHECK = "recheck", "回头看"
    FEEDBACK = "feedback", "群众意见按期答复"


class Grade(models.TextChoices):
    GOOD = "good", "好"
    FAIRLY_GOOD = "fairly_good", "较好"
    AVERAGE = "average", "一般"
    POOR = "poor", "差"


class RecheckResult(models.TextChoices):
    PENDING = "pending", "待核查"
    CONFIRMED = "confirmed", "属实"
    INADEQUATE = "inadequate", "整改不到位"
    FALSE = "false", "虚假整改"
