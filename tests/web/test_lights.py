"""The lights the pages show are the colours the supervision sweep stores and warns about."""

from __future__ import annotations

from django.core.management import call_command

from tests.web.conftest import login
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import Inspection, Measure
from zhenggai.supervision.models import MeasureLight
from zhenggai.web.lights import light_of, with_lights


def test_page_lights_match_the_sweeps_colours(demo: Inspection) -> None:
    call_command("supervise", "sweep", stdout=open("/dev/null", "w"))  # noqa: SIM115
    stored = dict(MeasureLight.objects.values_list("measure_id", "colour"))
    shown = {m.pk: light_of(m).colour for m in with_lights(Measure.objects.all())}
    for pk, colour in shown.items():
        assert colour == stored.get(pk, ""), pk
    # The demo has overdue measures (red) and signed-off ones (no light).
    assert "red" in shown.values()
    assert all(shown[m.pk] == "" for m in Measure.objects.filter(status=MeasureStatus.DONE))


def test_task_list_shows_each_measures_light_with_its_reason(demo: Inspection) -> None:
    page = login("lingdao").get("/tasks/").content.decode()
    assert 'class="dot red" title="红灯：已逾期' in page
