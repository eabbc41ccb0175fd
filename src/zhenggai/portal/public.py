"""What the public may see: published public notice versions, and public ones withdrawn after publication.

This is the only way the portal reads notices. An internal (党内) version, a draft, an approved but unsigned
version, or a public version withdrawn before it was ever published never passes `public_notices()`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from zhenggai.notices.choices import Audience, NoticeState
from zhenggai.notices.models import Notice

PUBLIC_Q = Q(audience=Audience.PUBLIC) & (
    Q(state=NoticeState.PUBLISHED) | Q(state=NoticeState.WITHDRAWN, published_at__isnull=False)
)


def public_notices() -> QuerySet[Notice]:
    return Notice.objects.filter(PUBLIC_Q)


def publication_stamp() -> str:
    """Changes whenever what the public sees changes (a version signed or withdrawn): the cache key's part.

    One aggregate query on the notice table; a shared database makes it right for every server (intranet and
    DMZ), unlike a per-process signal.
    """
    row: dict[str, Any] = Notice.objects.filter(audience=Audience.PUBLIC).aggregate(
        n=Count("id"), p=Max("published_at"), w=Max("withdrawn_at")
    )
    p = row["p"].timestamp() if row["p"] else 0
    w = row["w"].timestamp() if row["w"] else 0
    return f"{row['n']}-{p:.6f}-{w:.6f}"
