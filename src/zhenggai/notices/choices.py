from django.db import models


class Audience(models.TextChoices):
    INTERNAL = "internal", "党内（内部）"
    PUBLIC = "public", "向社会公开"


class Exemption(models.TextChoices):
    """Why an item is left out of a published notice: the exemptions of the disclosure rules
    (巡察整改情况公开的五类例外, 政府信息公开条例 on 商业秘密/个人隐私; conventions.md §4.1)."""

    STATE_SECRET = "state_secret", "涉及党和国家秘密"
    PENDING_CASE = "pending_case", "涉及正在初核或已立案但未公布的案件"
    PRIVACY = "privacy", "涉及个人隐私"
    TRADE_SECRET = "trade_secret", "涉及商业秘密"
    NEGATIVE_HYPE = "negative_hype", "可能引起大的负面炒作"
    MASS_INCIDENT = "mass_incident", "可能引发大规模上访或群体性事件"
    SENSITIVE = "sensitive", "重大敏感事项"


class ExcludedKind(models.TextChoices):
    FINDING = "finding", "反馈问题"
    MEASURE = "measure", "整改措施"


class NoticeState(models.TextChoices):
    """A stored version's way out: 拟稿 → 审定 → 签发（发布）; 撤回 at any point, with a reason."""

    DRAFT = "draft", "拟稿"
    APPROVED = "approved", "已审定"
    PUBLISHED = "published", "已签发发布"
    WITHDRAWN = "withdrawn", "已撤回"
