"""The 全程纪实 page reads as Chinese: named actions, field labels, 原值 → 新值, technical details folded away."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.web.conftest import login
from zhenggai.ledger import services
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import Inspection, Measure, Unit


def _measure(demo: Inspection) -> Measure:
    return Measure.objects.filter(inspection=demo).exclude(status=MeasureStatus.DONE).order_by("pk").first()  # type: ignore[return-value]


def test_an_edit_shows_its_chinese_name_and_each_changed_field_old_to_new(demo: Inspection) -> None:
    measure = _measure(demo)
    leader = User.objects.get(username="lingdao")
    old_person = measure.responsible_person
    services.edit_measure(
        by=leader, measure=measure, responsible_person="王新", lead_department=Unit.objects.get(name="办公室")
    )
    html = login("lingdao").get(f"/audit/measure/{measure.pk}/").content.decode()
    assert "修改整改措施" in html
    assert "edit_measure</code>" in html  # the code only inside 技术详情
    assert "<summary>技术详情</summary>" in html
    assert f"责任人：</span>{old_person or '（空）'} → 王新" in html
    assert "牵头部门：</span>" in html
    assert "→ 办公室" in html
    assert "网页操作" not in html.split("修改整改措施")[1].split("</tr>")[0]  # written by a service call here


def test_the_page_uses_the_same_number_of_queries_for_few_and_many_events(demo: Inspection) -> None:
    measure = _measure(demo)
    leader = User.objects.get(username="lingdao")
    office, other = (
        Unit.objects.get(name="办公室"),
        Unit.objects.exclude(name="办公室").filter(parent__name="临江区文化和旅游局").first(),
    )
    client = login("lingdao")
    url = f"/audit/measure/{measure.pk}/"

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    services.edit_measure(by=leader, measure=measure, responsible_person="甲", lead_department=office)
    few = count()
    for n in range(12):
        measure.refresh_from_db()
        services.edit_measure(
            by=leader,
            measure=measure,
            responsible_person=f"乙{n}",
            lead_department=other if n % 2 else office,
        )
    assert count() == few
