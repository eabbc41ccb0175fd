"""Directory sign-in against a real OpenLDAP slapd (Debian's), started on a loopback port with a temp config."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.conftest import World
from zhenggai.ledger.models import AuditEvent, Membership

ldap = pytest.importorskip("ldap", reason="python-ldap (the ldap extra) is installed by ./dev test")
from django_auth_ldap.config import GroupOfNamesType, LDAPSearch  # noqa: E402

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
BASE = "dc=example,dc=gov"
DATA = f"""dn: {BASE}
objectClass: dcObject
objectClass: organization
o: 临江区
dc: example

dn: ou=people,{BASE}
objectClass: organizationalUnit
ou: people

dn: ou=groups,{BASE}
objectClass: organizationalUnit
ou: groups

dn: uid=zhangsan,ou=people,{BASE}
objectClass: inetOrgPerson
uid: zhangsan
cn: 张三
sn: 张
mail: zhangsan@example.gov
userPassword: ldap-pass-1

dn: uid=lisi,ou=people,{BASE}
objectClass: inetOrgPerson
uid: lisi
cn: 李四
sn: 李
departmentNumber: wl-bgs
userPassword: ldap-pass-2

dn: cn=wenlv-leaders,ou=groups,{BASE}
objectClass: groupOfNames
cn: wenlv-leaders
member: uid=zhangsan,ou=people,{BASE}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def slapd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not Path(SLAPD).exists():
        pytest.skip("slapd is installed by ./dev test")
    folder = tmp_path_factory.mktemp("slapd")
    (folder / "db").mkdir()
    config = folder / "slapd.conf"
    schema = "/etc/ldap/schema"
    config.write_text(
        "\n".join(
            [
                f"include {schema}/core.schema",
                f"include {schema}/cosine.schema",
                f"include {schema}/inetorgperson.schema",
                f"pidfile {folder}/slapd.pid",
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                "database mdb",
                "maxsize 10485760",
                f'suffix "{BASE}"',
                f'rootdn "cn=admin,{BASE}"',
                "rootpw admin-pass",
                f"directory {folder}/db",
                "",
            ]
        )
    )
    (folder / "data.ldif").write_text(DATA)
    subprocess.run(["/usr/sbin/slapadd", "-f", str(config), "-l", str(folder / "data.ldif")], check=True)
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    process = subprocess.Popen(
        [SLAPD, "-f", str(config), "-h", url + "/", "-d", "0"], stderr=subprocess.DEVNULL
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def directory(slapd: str, settings: Any, world: World) -> World:
    settings.AUTH_LDAP_SERVER_URI = slapd
    settings.AUTH_LDAP_BIND_DN = f"cn=admin,{BASE}"
    settings.AUTH_LDAP_BIND_PASSWORD = "admin-pass"
    settings.AUTH_LDAP_USER_SEARCH = LDAPSearch(f"ou=people,{BASE}", ldap.SCOPE_SUBTREE, "(uid=%(user)s)")
    settings.AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        f"ou=groups,{BASE}", ldap.SCOPE_SUBTREE, "(objectClass=groupOfNames)"
    )
    settings.AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
    settings.AUTH_LDAP_USER_ATTR_MAP = {"first_name": "cn", "email": "mail"}
    settings.AUTHENTICATION_BACKENDS = [
        "zhenggai.directory.DirectoryBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    settings.ZHENGGAI_DIRECTORY_RULES = (
        f'[{{"group": "cn=wenlv-leaders,ou=groups,{BASE}", "unit": "{world.unit_a.name}", "role": "leader"}},'
        f' {{"attribute": "departmentNumber", "value": "wl-bgs", "unit": "{world.dept_a.name}", "role": "staff"}}]'
    )
    return world


def login(username: str, password: str) -> Any:
    return Client().post("/accounts/login/", {"username": username, "password": password})


def test_first_directory_login_creates_the_user_with_the_groups_role(directory: World) -> None:
    response = login("zhangsan", "ldap-pass-1")
    assert response.status_code == 302
    user = User.objects.get(username="zhangsan")
    assert user.first_name == "张三"
    assert not user.has_usable_password()
    assert list(Membership.objects.filter(user=user).values_list("unit", "role")) == [
        (directory.unit_a.pk, "leader")
    ]
    assert AuditEvent.objects.filter(action="directory_set_role", unit=directory.unit_a).count() == 1
    login("zhangsan", "ldap-pass-1")  # a second login changes nothing
    assert AuditEvent.objects.filter(action="directory_set_role").count() == 1


def test_attribute_rule_maps_a_department(directory: World) -> None:
    assert login("lisi", "ldap-pass-2").status_code == 302
    membership = Membership.objects.get(user__username="lisi")
    assert (membership.unit, membership.role) == (directory.dept_a, "staff")


def test_wrong_directory_password_creates_nobody(directory: World) -> None:
    response = login("zhangsan", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert not User.objects.filter(username="zhangsan").exists()


def test_local_accounts_keep_working(directory: World) -> None:
    directory.leader_a.set_password("local-pass-123")
    directory.leader_a.save()
    assert login("leader_a", "local-pass-123").status_code == 302


def test_role_granted_by_a_rule_is_taken_away_when_the_rule_no_longer_matches(
    directory: World, settings: Any
) -> None:
    login("zhangsan", "ldap-pass-1")
    settings.ZHENGGAI_DIRECTORY_RULES = "[]"
    login("zhangsan", "ldap-pass-1")
    assert not Membership.objects.filter(user__username="zhangsan").exists()
    assert AuditEvent.objects.filter(action="directory_remove_role").count() == 1


def test_login_page_says_directory_accounts_may_sign_in(directory: World) -> None:
    assert "统一身份认证" in Client().get("/accounts/login/").content.decode()


def test_login_page_without_a_directory_does_not(world: World) -> None:
    assert "统一身份认证" not in Client().get("/accounts/login/").content.decode()
