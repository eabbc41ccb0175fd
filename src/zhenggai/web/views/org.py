"""单位与用户: a unit's departments and users, managed by its leader or a supervisor above it; the bulk import.

Views parse, authorize, call a service (zhenggai.ledger.services.organisation), render. Scoping: a unit is looked
up in `managed_units(user)` and a user in `managed_users(user)`, so anything outside the manager's scope answers
404. A password, generated or typed, is shown once in the page that answers the change and never stored in
clear: not in the session, not in a message, not on disk; the list of an import's generated passwords is offered
as an .xlsx embedded in that same page.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhenggai.ledger.choices import Role
from zhenggai.ledger.errors import DomainError, InvalidInput, NotPermitted
from zhenggai.ledger.models import AuditEvent, Membership, Unit
from zhenggai.ledger.permissions import has_role
from zhenggai.ledger.services import organisation as org
from zhenggai.sheets.org import read_org, write_passwords, write_template
from zhenggai.sheets.read import SheetReadError
from zhenggai.untrusted.staging import StagedUploads
from zhenggai.web.form_messages import ChineseForm
from zhenggai.web.org_forms import (
    AddUserForm,
    OrgConfirmForm,
    OrgUploadForm,
    PasswordResetForm,
    RoleForm,
    UnitNameForm,
    role_choices,
)
from zhenggai.web.views.common import actor, paginate
from zhenggai.web.views.documents import XLSX, download

EVENTS = 20
SHOWN = 200  # lines of each list shown after a dry run; the counts are complete


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _require_org_manager(user: User) -> None:
    if not org.managed_units(user).exists():
        raise PermissionDenied("只有单位领导、巡察办或系统管理员可以管理单位和用户。")


def index(request: HttpRequest) -> HttpResponse:
    """The units this user manages, to open one; a name filter for the thousands of a province."""
    user = actor(request)
    _require_org_manager(user)
    units = org.managed_units(user).select_related("parent").order_by("path")
    query = (request.GET.get("q") or "").strip()
    if query:
        units = units.filter(Q(name__contains=query) | Q(short_name__contains=query))
    page = paginate(request, units)
    depth = min((len(unit.path) for unit in page), default=0)
    rows = [(unit, (len(unit.path) - depth) // 10) for unit in page]
    return render(
        request,
        "web/org/index.html",
        {"page": page, "rows": rows, "q": query, "can_import": org.can_import(user)},
    )


def _unit(request: HttpRequest, pk: int) -> Unit:
    return get_object_or_404(org.managed_units(actor(request)).select_related("parent"), pk=pk)


def manage_unit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    user = actor(request)
    supervisor = has_role(user, unit, Role.SUPERVISOR)
    forms = _blank_forms(unit, supervisor)
    shown: dict[str, Any] = {}
    status = 200
    form: ChineseForm
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "rename":
                form = forms["rename_form"] = UnitNameForm(request.POST)
                if form.is_valid():
                    org.rename_unit(unit, by=user, **form.cleaned_data)
                    messages.success(request, "已保存单位名称。")
                    return redirect("org_unit", pk=unit.pk)
            elif action == "department":
                form = forms["department_form"] = UnitNameForm(request.POST, prefix="dept")
                if form.is_valid():
                    department = org.add_department(unit, by=user, **form.cleaned_data)
                    messages.success(request, f"已添加内设部门“{department.name}”。")
                    return redirect("org_unit", pk=unit.pk)
            elif action == "user":
                form = forms["user_form"] = AddUserForm(request.POST, prefix="user", supervisor=supervisor)
                if form.is_valid():
                    data = form.cleaned_data
                    new_user, password = org.add_user(
                        unit,
                        username=data["username"],
                        full_name=data["full_name"],
                        email=data["email"],
                        role=Role(data["role"]),
                        password=data["password"] or None,
                        by=user,
                    )
                    shown = {
                        "shown_user": new_user,
                        "shown_password": password,
                        "shown_what": "新用户的初始密码",
                    }
                    forms["user_form"] = AddUserForm(prefix="user", supervisor=supervisor)
            else:
                return redirect("org_unit", pk=unit.pk)
        except InvalidInput as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except NotPermitted as error:
            if action != "user":
                raise PermissionDenied(error.message) from None
            form.add_error("role", error.message)
        if any(f.errors for f in forms.values()):
            status = 400
    return _no_store(_manage_page(request, unit, user, forms | shown, status))


def _blank_forms(unit: Unit, supervisor: bool) -> dict[str, Any]:
    return {
        "rename_form": UnitNameForm(initial={"name": unit.name, "short_name": unit.short_name}),
        "department_form": UnitNameForm(prefix="dept"),
        "user_form": AddUserForm(prefix="user", supervisor=supervisor),
    }


def _manage_page(
    request: HttpRequest, unit: Unit, user: User, context: dict[str, Any], status: int
) -> HttpResponse:
    children = Unit.objects.filter(parent=unit).order_by("name")
    members = (
        User.objects.filter(memberships__unit=unit)
        .distinct()
        .order_by("username")
        .prefetch_related(
            Prefetch("memberships", queryset=Membership.objects.filter(unit=unit), to_attr="here")
        )
    )
    page = paginate(request, members)
    manageable = set(
        org.managed_users(user).filter(pk__in=[member.pk for member in page]).values_list("pk", flat=True)
    )
    rows = [
        {
            "user": member,
            "roles": [m.get_role_display() for m in member.here],
            "role": member.here[0].role if member.here else "",
            "manageable": member.pk in manageable,
        }
        for member in page
    ]
    context |= {
        "unit": unit,
        "children": children,
        "page": page,
        "rows": rows,
        "role_choices": [
            ("", "（删除在本单位的角色）"),
            *role_choices(supervisor=has_role(user, unit, Role.SUPERVISOR)),
        ],
        "events": _events(unit),
        "ancestors": org.managed_units(user).filter(path__in=unit.ancestor_paths()).exclude(pk=unit.pk),
    }
    return render(request, "web/org/unit.html", context, status=status)


def _events(unit: Unit) -> list[AuditEvent]:
    events = list(
        AuditEvent.objects.filter(unit=unit, action__in=list(org.ACTION_LABELS))
        .select_related("actor")
        .order_by("-at", "-id")[:EVENTS]
    )
    for event in events:
        event.label = org.ACTION_LABELS[event.action]  # type: ignore[attr-defined]
    return events


@require_POST
def manage_user(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """One change to one user seen from a unit's page: role here, password, deactivate, reactivate."""
    unit = _unit(request, pk)
    user = actor(request)
    target = get_object_or_404(org.managed_users(user), pk=user_pk)
    action = request.POST.get("action", "")
    try:
        if action == "role":
            role_form = RoleForm(request.POST)
            if not role_form.is_valid():
                messages.error(request, "所选的角色不在可选范围内，请重新选择。")
                return redirect("org_unit", pk=unit.pk)
            value = role_form.cleaned_data["role"]
            org.set_role(target, unit, Role(value) if value else None, by=user)
            messages.success(request, f"已设置“{target.username}”在本单位的角色。")
        elif action == "password":
            password_form = PasswordResetForm(request.POST)
            password_form.is_valid()
            typed = password_form.cleaned_data.get("password") or None
            password = org.reset_password(target, by=user, password=typed)
            shown = {"shown_user": target, "shown_password": password, "shown_what": "新密码"}
            forms = _blank_forms(unit, has_role(user, unit, Role.SUPERVISOR))
            return _no_store(_manage_page(request, unit, user, forms | shown, 200))
        elif action in ("deactivate", "activate"):
            org.set_active(target, action == "activate", by=user)
            messages.success(
                request, f"已{'启用' if action == 'activate' else '停用'}账号“{target.username}”。"
            )
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("org_unit", pk=unit.pk)


# --- bulk import --------------------------------------------------------------------------------------------


def _require_importer(user: User) -> None:
    if not org.can_import(user):
        raise PermissionDenied("只有巡察办或系统管理员可以批量导入单位和用户。")


def template(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    _require_org_manager(user)
    buffer = io.BytesIO()
    write_template(buffer)
    return download(buffer.getvalue(), XLSX, "单位和用户导入模板.xlsx")


def import_page(request: HttpRequest) -> HttpResponse:
    user = actor(request)
    _require_importer(user)
    if request.method == "POST" and "confirm" in request.POST:
        return _confirm(request, user)
    form = OrgUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, Any] = {"form": form, "shown": SHOWN}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = b"".join(upload.chunks())
        name = Path(upload.name).name
        result = _run(form, user, data, name, dry_run=True)
        if result is not None:
            context |= {"result": result, "name": name, "form": None} | _changes(result)
            if result.ok and result.has_changes:
                context["confirm"] = OrgConfirmForm(initial={"sha256": _store(user, data), "name": name})
    status = 400 if form.errors or (context.get("result") and not context["result"].ok) else 200
    return render(request, "web/org/import.html", context, status=status)


def _changes(result: org.OrgImportResult) -> dict[str, Any]:
    return {
        "changes": [
            ("新建单位", result.units_created),
            ("修改单位", result.units_changed),
            ("新建用户", result.users_created),
            ("修改用户", result.users_changed),
            ("添加角色", result.roles_added),
        ],
        "minus_shown": -SHOWN,
    }


def _run(
    form: OrgUploadForm, user: User, data: bytes, name: str, *, dry_run: bool
) -> org.OrgImportResult | None:
    try:
        book = read_org(io.BytesIO(data), name)
        return org.import_organisation(book, by=user, dry_run=dry_run, name=name)
    except SheetReadError as error:
        form.add_error("file", error.message)
    except NotPermitted as error:
        raise PermissionDenied(error.message) from None
    return None


def _confirm(request: HttpRequest, user: User) -> HttpResponse:
    confirm = OrgConfirmForm(request.POST)
    form = OrgUploadForm({})
    form.full_clean()
    form.errors.clear()
    context: dict[str, Any] = {"form": form, "shown": SHOWN}
    stored = _load(user, confirm.cleaned_data["sha256"]) if confirm.is_valid() else None
    if stored is None:
        form.add_error(None, "上传的文件已过期或已导入，请重新选择文件。")
        return render(request, "web/org/import.html", context, status=400)
    name = confirm.cleaned_data["name"]
    result = _run(form, user, stored, name, dry_run=False)
    _discard(user, confirm.cleaned_data["sha256"])
    if result is None or not result.ok:
        context |= {"result": result, "name": name, "form": form if result is None else None}
        return render(request, "web/org/import.html", context, status=400)
    context |= {"result": result, "name": name, "form": None, "done": True} | _changes(result)
    if result.passwords:
        buffer = io.BytesIO()
        write_passwords(result.passwords, buffer)
        # The only copy: a data: link in this page, not a file on the server.
        context["passwords_xlsx"] = base64.b64encode(buffer.getvalue()).decode("ascii")
    return _no_store(render(request, "web/org/import.html", context))


STAGED = StagedUploads("org")


def _store(user: User, data: bytes) -> str:
    return STAGED.store(user.pk, data)


def _load(user: User, sha: str) -> bytes | None:
    return STAGED.load(user.pk, sha)


def _discard(user: User, sha: str) -> None:
    STAGED.discard(user.pk, sha)
