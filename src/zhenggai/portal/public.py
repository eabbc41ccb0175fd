"""What the public may see: published public notice versions, and public ones withdrawn after publication.

This is the only way the portal reads notices. An internal (党内) version, a draft, an approved but unsigned
version, or a public version withdrawn before it was ever published never passes `public_notices()`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from zhenggai.notices.choices import Audience, NoticeState
from zhenggai.notices.models import Notice

PUBLIC_Q = Q(audience=Audience.PUBLIC) & (
    Q(state=NoticeState.PUBLISHED) | Q(state=NoticeState.WITHDRAWN, published_at__isnull=False)
)


def public_notices() -> QuerySet[Notice]:
    return Notice.objects.filter(PUBLIC_Q)


def publication_stamp() -> str:
    """Changes whenever what the public sees changes (a public version saved): the cache key's part."""
    return publication_state()[0]


def publication_state() -> tuple[str, dt.datetime | None]:
    """The stamp and when it last moved (one primary-key read): the cache key's part and the pages' validators
    (ETag, Last-Modified)."""
    from zhenggai.portal.models import PublicationStamp

    row = PublicationStamp.objects.filter(pk=1).values_list("counter", "changed_at").first()
    return (str(row[0] or 0), row[1]) if row else ("0", None)


def bump_stamp() -> None:
    from zhenggai.portal.models import PublicationStamp

    if not PublicationStamp.objects.filter(pk=1).update(counter=F("counter") + 1, changed_at=timezone.now()):
        PublicationStamp.objects.get_or_create(pk=1, defaults={"counter": 1})


def notice_saved(sender: Any, instance: Notice, **kwargs: Any) -> None:
    if instance.audience == Audience.PUBLIC:
        bump_stamp()


def unit_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    """A unit renamed or moved: the public pages show its name (a new unit has nothing public yet)."""
    if not created:
        bump_stamp()
