"""Sign-in with the unit's directory (LDAP/AD, django-auth-ldap): users are created at their first login and
given units and roles by the configured rules (ZHENGGAI_DIRECTORY_RULES); local accounts keep working.

A rule matches a group DN the user belongs to, or an attribute value, and grants a role in a unit named as in
the unit tree:

    [{"group": "cn=wenlv-leaders,ou=groups,dc=example,dc=gov", "unit": "区文旅局", "role": "leader"},
     {"attribute": "departmentNumber", "value": "wl-bgs", "unit": "文旅局办公室", "role": "staff"}]

Memberships a rule gave are kept in step at every login (granted, changed, taken away); memberships given by
hand are never touched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest

from zhenggai.api.models import DirectoryGrant
from zhenggai.ledger.choices import Role
from zhenggai.ledger.models import Membership, Unit
from zhenggai.ledger.services.audit import record

try:  # optional: installed with the "ldap" extra (python-ldap needs libldap headers to build)
    from django_auth_ldap.backend import LDAPBackend
except ImportError:  # pragma: no cover - the backend is only configured when the package is present
    LDAPBackend = object


@dataclass(frozen=True)
class Rule:
    unit: str
    role: Role
    group: str = ""
    attribute: str = ""
    value: str = ""

    def matches(self, groups: set[str], attributes: dict[str, list[str]]) -> bool:
        if self.group:
            return self.group.lower() in groups
        values = attributes.get(self.attribute.lower(), [])
        return self.value in values


def parse_rules(text: str) -> list[Rule]:
    """The rules from ZHENGGAI_DIRECTORY_RULES (JSON); a bad value stops start-up with the reason."""
    if not text.strip():
        return []
    try:
        raw = json.loads(text)
    except ValueError as error:
        raise ValueError(f"ZHENGGAI_DIRECTORY_RULES is not JSON: {error}") from None
    rules = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or item.get("role") not in Role.values or not item.get("unit"):
            raise ValueError(
                f"ZHENGGAI_DIRECTORY_RULES: each rule needs unit and a role of {Role.values}: {item}"
            )
        if not item.get("group") and not (item.get("attribute") and "value" in item):
            raise ValueError(f"ZHENGGAI_DIRECTORY_RULES: a rule needs group, or attribute and value: {item}")
        rules.append(
            Rule(
                unit=str(item["unit"]),
                role=Role(item["role"]),
                group=str(item.get("group", "")),
                attribute=str(item.get("attribute", "")),
                value=str(item.get("value", "")),
            )
        )
    return rules


@transaction.atomic
def apply_rules(user: User, groups: set[str], attributes: dict[str, list[str]], rules: list[Rule]) -> None:
    """Give `user` the memberships the rules grant; take away those an earlier login's rules granted and the
    directory no longer does. Audited (actor: none, the directory)."""
    wanted: dict[int, Role] = {}
    names = {rule.unit for rule in rules}
    units = {unit.name: unit for unit in Unit.objects.filter(name__in=names)}
    for rule in rules:
        unit = units.get(rule.unit)
        if unit is not None and rule.matches({g.lower() for g in groups}, attributes):
            wanted.setdefault(unit.pk, rule.role)
    granted = set(DirectoryGrant.objects.filter(user=user).values_list("unit_id", flat=True))
    current = {m.unit_id: m for m in Membership.objects.filter(user=user).select_related("unit")}
    for unit_id, role in wanted.items():
        membership = current.get(unit_id)
        if membership is not None and (membership.role == role or unit_id not in granted):
            continue  # already so, or given by hand
        before = {"role": membership.role} if membership is not None else None
        membership, _ = Membership.objects.update_or_create(
            user=user, unit_id=unit_id, defaults={"role": role}
        )
        DirectoryGrant.objects.get_or_create(user=user, unit_id=unit_id)
        record(
            actor=None,
            action="directory_set_role",
            obj=membership,
            unit=membership.unit,
            before=before,
            after={"user": user.username, "role": role},
            note="统一身份认证登录时按规则授予",
        )
    for unit_id in granted - set(wanted):
        membership = current.get(unit_id)
        if membership is not None:
            record(
                actor=None,
                action="directory_remove_role",
                obj=membership,
                unit=membership.unit,
                before={"user": user.username, "role": membership.role},
                note="统一身份认证中已不再满足授予规则",
            )
            membership.delete()
        DirectoryGrant.objects.filter(user=user, unit_id=unit_id).delete()


class DirectoryBackend(LDAPBackend):  # type: ignore[misc]
    """django-auth-ldap, then our rules. A new user gets no usable local password."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        user: User | None = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            return None
        ldap_user = getattr(user, "ldap_user", None)
        if ldap_user is not None:
            groups = set(ldap_user.group_dns) if settings.AUTH_LDAP_GROUP_SEARCH is not None else set()
            attributes = {k.lower(): [str(v) for v in vs] for k, vs in ldap_user.attrs.items()}
            apply_rules(user, groups, attributes, parse_rules(settings.ZHENGGAI_DIRECTORY_RULES))
        return user


def login_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: tells the login page that directory accounts may sign in."""
    return {
        "directory_login": bool(getattr(settings, "AUTH_LDAP_SERVER_URI", "")),
        "oidc_login": bool(getattr(settings, "OIDC_RP_CLIENT_ID", "")),
    }
