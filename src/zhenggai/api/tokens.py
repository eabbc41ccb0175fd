"""Creating, revoking and checking personal API tokens. The secret leaves the server once, at creation."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from zhenggai.api.models import ApiToken, TokenScope
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.services.audit import record
from zhenggai.ledger.services.validation import clean_text

PREFIX = "zg_"
MAX_DAYS = 366
# last_used_at is written at most this often per token, so reads stay reads.
TOUCH_EVERY = dt.timedelta(minutes=1)


def digest_of(secret: str) -> str:
    """Tokens are 256 random bits: a plain SHA-256 is enough (no dictionary to guess from)."""
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(*, by: User, name: str, scope: str, days: int) -> tuple[ApiToken, str]:
    """A new token of `by`'s own; returns it and the secret, which is not stored anywhere."""
    name = clean_text(name, "名称", "name", max_length=100)
    if scope not in TokenScope.values:
        raise InvalidInput("权限应为“只读”或“读写”。", "scope")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"有效期应在 1 至 {MAX_DAYS} 天之间。", "days")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=by,
        name=name,
        prefix=secret[:10],
        digest=digest_of(secret),
        scope=scope,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    after = {"name": name, "scope": scope, "expires_at": token.expires_at, "prefix": token.prefix}
    record(actor=by, action="create_api_token", obj=token, unit=None, after=after)
    return token, secret


@transaction.atomic
def revoke_token(*, by: User, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != by.pk:
        raise NotPermitted("只能吊销自己的令牌。")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            actor=by,
            action="revoke_api_token",
            obj=token,
            unit=None,
            before={"revoked_at": None},
            after={"revoked_at": token.revoked_at},
        )
    return token


def authenticate(secret: str) -> ApiToken | None:
    """The live token with this secret (its user active), or None. Notes when it was last used."""
    if not secret.startswith(PREFIX):
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest_of(secret), revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
