from __future__ import annotations

from django.conf import settings
from django.db import models


class PasswordState(models.Model):
    """Whether the user must choose a new password at the next login (one set by someone else: generated,
    imported or reset), and when the user last chose one (for the optional expiry)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="password_state",
    )
    must_change = models.BooleanField("首次登录须修改密码", default=False)
    changed_at = models.DateTimeField("最近修改密码", null=True, blank=True)

    class Meta:
        verbose_name = "密码状态"
        verbose_name_plural = "密码状态"

    def __str__(self) -> str:
        return f"{self.user}"
