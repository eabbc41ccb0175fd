"""The home page's 待我处理 block: returned items first, then items to review, then measures due soon."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from tests.conftest import World
from tests.factories import MeasureFactory, report_with_evidence
from zhenggai.ledger import services
from zhenggai.ledger.models import Extension


def _block(client: Client) -> str:
    page = client.get("/").content.decode()
    start = page.index('id="waiting-title"')
    return page[start : page.index("</section>", start)]


def test_home_lists_returned_items_first_then_reviews_then_due_soon(world: World, client: Client) -> None:
    today = timezone.localdate()
    due = MeasureFactory(
        finding=world.detail_a, lead_department=world.dept_a, code="D1", deadline=today + dt.timedelta(days=3)
    )
    later = MeasureFactory(
        finding=world.detail_a,
        lead_department=world.dept_a,
        code="L1",
        deadline=today + dt.timedelta(days=30),
    )
    # leader_a's own extension, returned by the deputy.
    services.request_extension(
        by=world.leader_a, measure=world.measure_a, new_deadline=dt.date(2030, 7, 20), reason="需协调"
    )
    services.reject_extension(by=world.deputy_a, extension=Extension.objects.get(), reason="理由不充分")
    # staff_a's sign-off on another measure waits for leader_a.
    report_with_evidence(world.staff_a, later)
    services.request_signoff(by=world.staff_a, measure=later)

    client.force_login(world.leader_a)
    block = _block(client)
    returned, review, soon = block.index("延期被退回"), block.index("待审核销号"), block.index("即将到期")
    assert returned < review < soon
    assert "理由不充分" in block
    assert f"整改措施{due.code}" in block
    assert "还有3天到期" in block


def test_a_new_request_clears_the_returned_item(world: World, client: Client) -> None:
    services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=dt.date(2030, 7, 20), reason="需协调"
    )
    services.reject_extension(by=world.leader_a, extension=Extension.objects.get(), reason="理由不充分")
    client.force_login(world.staff_a)
    assert "延期被退回" in _block(client)
    services.request_extension(
        by=world.staff_a, measure=world.measure_a, new_deadline=dt.date(2030, 7, 10), reason="压缩工期"
    )
    assert "延期被退回" not in _block(client)
    client.force_login(world.staff_b)
    assert "暂无待处理事项。" in _block(client)
