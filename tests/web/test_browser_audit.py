"""The 全程纪实查询 page's export buttons in a real browser: at 1440 px and 390 px the page keeps the one layout,
nothing scrolls sideways and both buttons are on screen; “导出 Excel” downloads a workbook with the search's
events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User as DjangoUser
from openpyxl import load_workbook

from tests.web.test_browser import WIDTHS, User, _check, browser, demo_live  # noqa: F401  (fixtures)
from zhenggai.ledger.audit_export import HEADERS
from zhenggai.ledger.models import AuditEvent, Inspection

pytestmark = pytest.mark.browser


def test_the_audit_pages_export_buttons_fit_a_desk_and_a_phone_and_download_the_search(
    browser: Any,  # noqa: F811
    demo_live: tuple[Inspection, str],  # noqa: F811
    tmp_path: Path,
) -> None:
    _, base = demo_live
    supervisor = User(browser, base, "xunchaban")
    seen = AuditEvent.objects.visible_to(DjangoUser.objects.get(username="xunchaban"))
    action = seen.values_list("action", flat=True).order_by("seq").first()
    assert action is not None
    problems: list[str] = []
    for width, size in WIDTHS.items():
        supervisor.page.set_viewport_size(size)
        response = supervisor.go(f"/audit/?action={action}")
        assert response.status == 200
        _check(supervisor.page, "xunchaban", "audit-log-export", width, problems)
        for button in ("#audit-export-xlsx", "#audit-export-csv"):
            box = supervisor.page.locator(button).bounding_box()
            assert box is not None, (width, button)
            assert box["x"] >= 0, (width, button, box)
            assert box["x"] + box["width"] <= size["width"], (width, button, box)
    assert not problems, "\n".join(problems)

    supervisor.page.set_viewport_size(WIDTHS["desk"])
    with supervisor.page.expect_download() as info:
        supervisor.page.click("#audit-export-xlsx")
    download = info.value
    assert download.suggested_filename.startswith("全程纪实_")
    saved = tmp_path / "export.xlsx"
    download.save_as(saved)
    rows = list(load_workbook(saved, read_only=True)["全程纪实"].iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert rows[1:]
    assert {row[HEADERS.index("操作")] for row in rows[1:]} == {action}
    assert len(rows) - 1 == seen.filter(action=action).count()
    assert AuditEvent.objects.filter(action="export_audit").count() == 1
    supervisor.close()
