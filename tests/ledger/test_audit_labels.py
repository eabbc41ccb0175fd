"""Every audit action written anywhere in the code has a Chinese name on the 全程纪实 page."""

from __future__ import annotations

import ast
from pathlib import Path

import zhenggai
from zhenggai.ledger.audit_labels import ACTION_LABELS, action_label

SOURCE = Path(zhenggai.__file__).parent
# Helpers that pass their action on to `record`: name → position of the action argument.
_FORWARDERS = {"_audit": 1, "_step": 3}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def written_actions() -> dict[str, str]:
    """action → file, for every literal action handed to `record` or to a helper that forwards it."""
    found: dict[str, str] = {}
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = _name(node.func)
            values: list[ast.expr] = []
            if name == "record":
                values = [k.value for k in node.keywords if k.arg == "action"]
            elif name in _FORWARDERS and len(node.args) > _FORWARDERS[name]:
                values = [node.args[_FORWARDERS[name]]]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    found[value.value] = str(path.relative_to(SOURCE))
    return found


def test_the_scan_finds_the_actions_of_every_kind_of_writer() -> None:
    actions = written_actions()
    for action in ("add_measure", "approve_signoff", "withdraw_extension", "sign_notice", "add_user"):
        assert action in actions


def test_every_written_action_has_a_chinese_label() -> None:
    missing = {action: where for action, where in written_actions().items() if action not in ACTION_LABELS}
    assert missing == {}


def test_labels_are_chinese_and_admin_edits_are_named_by_model() -> None:
    assert all(not label.isascii() for label in ACTION_LABELS.values())
    assert action_label("admin_change_unit") == "后台修改单位"
    assert action_label("admin_delete_measure") == "后台删除整改措施"
    assert action_label("no_such_action") == "no_such_action"
