"""Organisation services: departments and users of a unit, permissions, audit, and the bulk import."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from python_calamine import CalamineWorkbook

from tests.conftest import World
from tests.untrusted.hostile import with_cell
from zhenggai.ledger.choices import Role, UnitKind
from zhenggai.ledger.errors import InvalidInput, NotPermitted
from zhenggai.ledger.models import AuditEvent, Membership, Unit
from zhenggai.ledger.services import (
    add_department,
    add_user,
    import_organisation,
    rename_unit,
    reset_password,
    set_active,
    set_role,
)
from zhenggai.ledger.services.organisation import managed_units, managed_users
from zhenggai.sheets.org import read_org, write_template


def _user(world: World, name: str) -> User:
    user = getattr(world, name)
    assert isinstance(user, User)
    return user


# --- a unit's departments and users ---------------------------------------------------------------------------


def test_leader_adds_a_department_under_their_unit_with_an_audit_event(world: World) -> None:
    leader = _user(world, "leader_a")
    department = add_department(world.unit_a, name="财务股", by=leader)
    assert department.parent == world.unit_a
    assert department.kind == UnitKind.DEPARTMENT
    assert department.path.startswith(world.unit_a.path)
    event = AuditEvent.objects.get(action="add_department")
    assert event.actor == leader
    assert event.unit == world.unit_a
    assert event.object_id == str(department.pk)


def test_leader_cannot_add_a_department_to_another_unit(world: World) -> None:
    with pytest.raises(NotPermitted):
        add_department(world.unit_b, name="财务股", by=_user(world, "leader_a"))
    assert not Unit.objects.filter(name="财务股").exists()
    assert not AuditEvent.objects.exists()


def test_staff_and_viewers_cannot_manage_their_unit(world: World) -> None:
    for name in ("staff_a", "viewer_a"):
        with pytest.raises(NotPermitted):
            add_department(world.dept_a, name="新部门", by=_user(world, name))


def test_a_duplicate_department_name_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput):
        add_department(world.unit_a, name=world.dept_a.name, by=_user(world, "leader_a"))


def test_supervisor_renames_a_unit_below_and_the_audit_keeps_the_old_name(world: World) -> None:
    rename_unit(world.unit_b, name="临江区档案馆", short_name="区档案馆", by=_user(world, "supervisor"))
    world.unit_b.refresh_from_db()
    assert world.unit_b.name == "临江区档案馆"
    event = AuditEvent.objects.get(action="rename_unit")
    assert event.before == {"name": "区档案馆", "short_name": ""}
    assert event.after == {"name": "临江区档案馆", "short_name": "区档案馆"}


def test_leader_adds_a_user_with_a_generated_password_stored_hashed(world: World) -> None:
    user, password = add_user(
        world.dept_a, username="wangwu", full_name="王五", role=Role.STAFF, by=_user(world, "leader_a")
    )
    assert len(password) >= 12
    assert user.check_password(password)
    assert password not in user.password
    assert Membership.objects.filter(user=user, unit=world.dept_a, role=Role.STAFF).exists()
    event = AuditEvent.objects.get(action="add_user")
    assert password not in str(event.after)
    assert password not in event.note


def test_a_typed_password_must_pass_the_validators(world: World) -> None:
    with pytest.raises(InvalidInput, match="密码太短"):
        add_user(world.unit_a, username="w", role=Role.VIEWER, password="abc", by=_user(world, "leader_a"))
    assert not User.objects.filter(username="w").exists()


def test_a_taken_username_is_refused_whatever_its_case(world: World) -> None:
    with pytest.raises(InvalidInput, match="已被使用"):
        add_user(world.unit_a, username="Staff_A", role=Role.VIEWER, by=_user(world, "leader_a"))


def test_only_a_supervisor_grants_the_supervisor_role(world: World) -> None:
    with pytest.raises(NotPermitted):
        add_user(world.unit_a, username="boss", role=Role.SUPERVISOR, by=_user(world, "leader_a"))
    user, _ = add_user(world.unit_a, username="boss", role=Role.SUPERVISOR, by=_user(world, "supervisor"))
    assert Membership.objects.get(user=user).role == Role.SUPERVISOR


def test_leader_changes_a_users_role_in_the_unit(world: World) -> None:
    staff = _user(world, "staff_a")
    set_role(staff, world.dept_a, Role.LEADER, by=_user(world, "leader_a"))
    assert list(Membership.objects.filter(user=staff).values_list("role", flat=True)) == [Role.LEADER]
    event = AuditEvent.objects.get(action="set_role")
    assert event.before == {"unit": world.dept_a.name, "roles": ["staff"]}
    assert event.after == {"unit": world.dept_a.name, "roles": ["leader"]}


def test_the_last_role_of_a_user_cannot_be_removed(world: World) -> None:
    with pytest.raises(InvalidInput, match="停用"):
        set_role(_user(world, "staff_a"), world.dept_a, None, by=_user(world, "leader_a"))


def test_leader_cannot_touch_a_user_of_another_unit(world: World) -> None:
    leader = _user(world, "leader_a")
    staff_b = _user(world, "staff_b")
    with pytest.raises(NotPermitted):
        reset_password(staff_b, by=leader)
    with pytest.raises(NotPermitted):
        set_active(staff_b, False, by=leader)
    with pytest.raises(NotPermitted):
        set_role(staff_b, world.unit_a, Role.VIEWER, by=leader)


def test_a_user_with_a_role_outside_the_leaders_unit_is_not_theirs_to_manage(world: World) -> None:
    # The district supervisor also holds a role in A: A's leader must not reset the supervisor's password.
    supervisor = _user(world, "supervisor")
    Membership.objects.create(user=supervisor, unit=world.unit_a, role=Role.VIEWER)
    leader = _user(world, "leader_a")
    assert supervisor not in managed_users(leader)
    with pytest.raises(NotPermitted):
        reset_password(supervisor, by=leader)


def test_reset_password_generates_one_and_audits_without_it(world: World) -> None:
    staff = _user(world, "staff_a")
    password = reset_password(staff, by=_user(world, "leader_a"))
    staff.refresh_from_db()
    assert staff.check_password(password)
    event = AuditEvent.objects.get(action="reset_password")
    assert event.unit == world.dept_a
    assert password not in str(event.before) + str(event.after) + event.note


def test_reset_password_with_a_weak_password_changes_nothing(world: World) -> None:
    staff = _user(world, "staff_a")
    old = staff.password
    with pytest.raises(InvalidInput):
        reset_password(staff, by=_user(world, "leader_a"), password="password")
    staff.refresh_from_db()
    assert staff.password == old
    assert not AuditEvent.objects.exists()


def test_deactivated_user_cannot_log_in_and_can_be_reactivated(world: World, client: Any) -> None:
    staff = _user(world, "staff_a")
    leader = _user(world, "leader_a")
    set_active(staff, False, by=leader)
    assert not client.login(username="staff_a", password="pass-Word-123")
    set_active(staff, True, by=leader)
    assert client.login(username="staff_a", password="pass-Word-123")
    # the refused login is on record too (等保 安全审计)
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "deactivate_user",
        "login_failed",
        "activate_user",
    ]


def test_managed_units_are_the_leaders_subtree(world: World) -> None:
    assert set(managed_units(_user(world, "leader_a"))) == {world.unit_a, world.dept_a}
    assert set(managed_units(_user(world, "staff_a"))) == set()
    assert world.unit_b in set(managed_units(_user(world, "supervisor")))


# --- bulk import ----------------------------------------------------------------------------------------------


def xlsx(units: list[tuple[str, ...]], users: list[tuple[str, ...]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    for name, header, rows in (
        ("单位", ("单位名称", "简称", "上级单位", "类别"), units),
        ("用户", ("用户名", "姓名", "单位", "角色", "邮箱", "初始密码"), users),
    ):
        sheet = book.add_worksheet(name)
        sheet.write_row(0, 0, header)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
    book.close()
    return buffer.getvalue()


UNITS = [
    ("区民政局", "民政局", "临江区", "单位"),
    ("办公室", "", "临江区/区民政局", "内设部门"),
    ("社会救助股", "", "区民政局", "内设部门"),
]
USERS = [
    ("mz_leader", "赵六", "区民政局", "单位领导", "zl@example.gov.cn", ""),
    ("mz_staff", "钱七", "区民政局/办公室", "部门经办人", "", "Qian-Seven-2024"),
    ("mz_staff", "钱七", "社会救助股", "部门经办人", "", ""),
]


def _import(world: World, data: bytes, *, by: str = "supervisor", dry_run: bool = False) -> Any:
    return import_organisation(
        read_org(io.BytesIO(data)), by=_user(world, by), dry_run=dry_run, name="组织.xlsx"
    )


def test_the_template_has_both_sheets_and_documents_its_columns() -> None:
    buffer = io.BytesIO()
    write_template(buffer)
    book = CalamineWorkbook.from_filelike(io.BytesIO(buffer.getvalue()))
    assert book.sheet_names == ["单位", "用户", "说明"]
    assert book.get_sheet_by_name("单位").to_python()[0] == ["单位名称", "简称", "上级单位", "类别"]
    assert book.get_sheet_by_name("用户").to_python()[0] == [
        "用户名",
        "姓名",
        "单位",
        "角色",
        "邮箱",
        "初始密码",
    ]
    notes = str(book.get_sheet_by_name("说明").to_python())
    for column in ("单位名称", "上级单位", "初始密码", "角色"):
        assert column in notes
    parsed = read_org(io.BytesIO(buffer.getvalue()))  # the empty template reads back with no rows
    assert parsed.units is not None
    assert parsed.units.rows == []


def test_supervisor_imports_units_and_users_below_them(world: World) -> None:
    result = _import(world, xlsx(UNITS, USERS))
    assert result.ok, result.errors
    bureau = Unit.objects.get(name="区民政局")
    assert bureau.parent == world.district
    assert bureau.short_name == "民政局"
    office = Unit.objects.get(name="办公室", parent=bureau)
    assert office.kind == UnitKind.DEPARTMENT
    assert office.path.startswith(bureau.path)
    assert Unit.objects.subtree_of(world.district).filter(name="社会救助股").exists()
    staff = User.objects.get(username="mz_staff")
    assert staff.check_password("Qian-Seven-2024")
    assert staff.first_name == "钱七"
    assert set(Membership.objects.filter(user=staff).values_list("unit__name", "role")) == {
        ("办公室", "staff"),
        ("社会救助股", "staff"),
    }
    # the generated password is returned once, for the new user without one, and it works
    assert [(p.username, p.unit) for p in result.passwords] == [("mz_leader", "临江区/区民政局")]
    assert User.objects.get(username="mz_leader").check_password(result.passwords[0].password)
    # one audit event for the whole import, naming the counts
    event = AuditEvent.objects.get()
    assert event.action == "import_organisation"
    assert event.actor == world.supervisor
    assert event.after == {
        "units_created": 3,
        "units_changed": 0,
        "users_created": 2,
        "users_changed": 0,
        "roles_added": 3,
        "file": "组织.xlsx",
    }


def test_importing_the_same_file_again_changes_nothing(world: World) -> None:
    data = xlsx(UNITS, USERS)
    _import(world, data)
    counts = (
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    )
    again = _import(world, data)
    assert again.ok
    assert not again.has_changes
    assert (
        Unit.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_a_changed_short_name_and_a_new_role_are_updates(world: World) -> None:
    _import(world, xlsx(UNITS, USERS))
    units = [("区民政局", "区民政", "临江区", "单位")]
    users = [("mz_leader", "赵六", "区民政局/办公室", "查看", "", "")]
    result = _import(world, xlsx(units, users))
    assert result.units_changed == ["临江区/区民政局（简称：民政局 → 区民政）"]
    assert result.roles_added == ["mz_leader：临江区/区民政局/办公室 · 查看"]
    assert not result.users_created
    assert not result.passwords
    assert Unit.objects.get(name="区民政局").short_name == "区民政"


def test_dry_run_lists_the_plan_and_writes_nothing(world: World) -> None:
    before = (Unit.objects.count(), User.objects.count(), Membership.objects.count())
    result = _import(world, xlsx(UNITS, USERS), dry_run=True)
    assert result.ok
    assert result.has_changes
    assert len(result.units_created) == 3
    assert len(result.users_created) == 2
    assert result.passwords == []
    assert (Unit.objects.count(), User.objects.count(), Membership.objects.count()) == before
    assert not AuditEvent.objects.exists()


def test_one_error_anywhere_writes_nothing_and_names_sheet_row_and_column(world: World) -> None:
    users = [
        *USERS,
        ("bad", "", "区民政局", "局长", "", ""),
        ("mail", "", "区民政局", "查看", "不是邮箱", ""),
    ]
    result = _import(world, xlsx([*UNITS, ("", "", "临江区", "")], users))
    assert result.errors == [
        "工作表“单位”第5行“单位名称”列：请填写单位名称。",
        "工作表“用户”第5行“角色”列：角色“局长”无效，应为巡察办、单位领导、部门经办人或查看。",
        "工作表“用户”第6行“邮箱”列：邮箱“不是邮箱”格式不正确。",
    ]
    assert not Unit.objects.filter(name="区民政局").exists()
    assert not User.objects.filter(username="mz_leader").exists()


def test_an_ambiguous_unit_name_asks_for_its_path(world: World) -> None:
    Unit.objects.create(name="办公室", kind=UnitKind.DEPARTMENT, parent=world.unit_b)
    Unit.objects.create(name="办公室", kind=UnitKind.DEPARTMENT, parent=world.unit_a)
    result = _import(world, xlsx([], [("x1", "", "办公室", "查看", "", "")]))
    assert len(result.errors) == 1
    assert "有2个单位名为“办公室”" in result.errors[0]
    assert _import(world, xlsx([], [("x1", "", "区文旅局/办公室", "查看", "", "")])).ok


def test_a_supervisor_cannot_import_outside_their_subtree(world: World) -> None:
    city = Unit.objects.create(name="青川市", kind=UnitKind.REGION)
    result = _import(world, xlsx([("另一个区", "", "青川市", "地区")], []))
    assert result.errors
    assert "找不到单位“青川市”" in result.errors[0]
    assert not Unit.objects.filter(parent=city).exists()
    top = _import(world, xlsx([("顶层", "", "", "地区")], []))
    assert "只有系统管理员可以建顶层单位" in top.errors[0]


def test_an_existing_user_of_another_scope_is_not_taken_over(world: World) -> None:
    other = Unit.objects.create(name="外区", kind=UnitKind.REGION)
    stranger = User.objects.create_user("stranger", password="x-Strong-123")
    Membership.objects.create(user=stranger, unit=other, role=Role.LEADER)
    result = _import(world, xlsx([], [("stranger", "", "区文旅局", "单位领导", "", "")]))
    assert result.errors == [
        "工作表“用户”第2行“用户名”列：用户名“stranger”已被您管辖范围以外的用户使用，请换一个。"
    ]


def test_leaders_and_staff_cannot_bulk_import(world: World) -> None:
    for name in ("leader_a", "staff_a"):
        with pytest.raises(NotPermitted):
            _import(world, xlsx(UNITS, []), by=name)


def test_a_weak_initial_password_is_an_error_beside_its_row(world: World) -> None:
    result = _import(world, xlsx(UNITS, [("weak", "", "区民政局", "查看", "", "123")]))
    assert result.errors == [
        "工作表“用户”第2行“初始密码”列：密码太短，至少要有 8 个字符。"
        "密码须包含大写字母、小写字母、数字、其他符号中的至少 3 类。这个密码太常见，容易被猜到，请换一个。"
    ]


def test_the_org_command_imports_and_writes_the_generated_passwords(world: World, tmp_path: Path) -> None:
    path = tmp_path / "组织.xlsx"
    path.write_bytes(xlsx(UNITS, USERS))
    out = io.StringIO()
    call_command("org", "import", str(path), "--by", "supervisor", "--dry-run", stdout=out)
    assert "试导入（未写入）" in out.getvalue()
    assert not Unit.objects.filter(name="区民政局").exists()
    passwords = tmp_path / "密码.xlsx"
    call_command("org", "import", str(path), "--by", "supervisor", "--passwords", str(passwords), stdout=out)
    rows = CalamineWorkbook.from_path(str(passwords)).get_sheet_by_name("初始密码").to_python()
    assert rows[0] == ["用户名", "姓名", "单位", "初始密码"]
    assert rows[1][0] == "mz_leader"
    assert User.objects.get(username="mz_leader").check_password(str(rows[1][3]))


def test_the_org_command_refuses_a_leader_with_exit_code_2(world: World, tmp_path: Path) -> None:
    path = tmp_path / "组织.xlsx"
    path.write_bytes(xlsx(UNITS, USERS))
    with pytest.raises(CommandError) as refused:
        call_command("org", "import", str(path), "--by", "leader_a")
    assert refused.value.returncode == 2


def test_the_org_command_writes_the_template(tmp_path: Path) -> None:
    target = tmp_path / "模板.xlsx"
    call_command("org", "template", "-o", str(target), stdout=io.StringIO())
    assert CalamineWorkbook.from_path(str(target)).sheet_names == ["单位", "用户", "说明"]


def test_imported_passwords_use_fewer_rounds_until_the_first_login(world: World, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    result = _import(world, xlsx(UNITS, USERS))
    typed = User.objects.get(username="mz_staff")
    generated = User.objects.get(username="mz_leader")
    assert typed.password.startswith("pbkdf2_sha256$10000$")
    assert generated.password.startswith("pbkdf2_sha256$1000$")
    # the first successful check re-hashes with Django's full count
    assert generated.check_password(result.passwords[0].password)
    generated.refresh_from_db()
    assert generated.password.startswith("pbkdf2_sha256$1000000$")


def test_the_org_command_refuses_a_hostile_file_with_exit_code_2(world: World, tmp_path: Path) -> None:
    path = tmp_path / "组织.xlsx"
    path.write_bytes(with_cell(xlsx(UNITS, USERS), "XFD1048576"))
    with pytest.raises(CommandError, match="XFD1048576") as refused:
        call_command("org", "import", str(path), "--by", "supervisor")
    assert refused.value.returncode == 2
    assert not Unit.objects.filter(name="区民政局").exists()
