"""The lights the pages show are the colours the supervision sweep stores and warns about."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from tests.web.conftest import login
from zhenggai.ledger.choices import MeasureStatus
from zhenggai.ledger.models import Inspection, Measure
from zhenggai.supervision.choices import Reason
from zhenggai.supervision.models import MeasureLight
from zhenggai.supervision.rules import MeasureFlags, measure_flags, reason_labels
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


def test_the_list_uses_a_changed_rule_at_the_next_request(demo: Inspection, settings: Any) -> None:
    client = login("lingdao")
    assert "3650日内到期" not in client.get("/tasks/?scope=all&show=all").content.decode()
    settings.ZHENGGAI_SUPERVISION_RULES = {"due_soon_days": 3650}  # every open dated measure is due soon
    page = client.get("/tasks/?scope=all&show=all").content.decode()
    assert "3650日内到期" in page
    settings.ZHENGGAI_SUPERVISION_RULES = {"due_soon_days": 3650, "stale_days": 5000}
    page = client.get("/tasks/?scope=all&show=all").content.decode()
    assert "3650日内到期" in page
    assert "日以上未报送进展" not in page.split("legend")[0]
    settings.ZHENGGAI_SUPERVISION_RULES = {}
    assert "3650日内到期" not in client.get("/tasks/?scope=all&show=all").content.decode()


def test_compiled_rules_give_the_built_expressions_bits_at_any_time_of_day_and_in_a_subquery(
    demo: Inspection,
) -> None:
    today = timezone.localdate()
    seen = []
    # The time enters the stale rule only; a year on, measures reported since are stale too.
    for now in (
        timezone.now(),
        timezone.now() - dt.timedelta(hours=20),
        timezone.now() + dt.timedelta(days=400),
    ):
        built = dict(
            Measure.objects.annotate(f=measure_flags(today, now)).values_list("pk", "f").order_by("pk")
        )
        compiled = dict(
            Measure.objects.annotate(f=MeasureFlags(today, now)).values_list("pk", "f").order_by("pk")
        )
        assert compiled == built
        seen.append(built)
        assert any(flags & Reason.STALE for flags in built.values())
        # The same rules inside a subquery (the measure table renamed there).
        inner = Measure.objects.annotate(f=MeasureFlags(today, now)).filter(f__gt=0).values("pk")
        expected = {pk for pk, flags in built.items() if flags}
        assert set(Measure.objects.filter(pk__in=inner).values_list("pk", flat=True)) == expected
    assert seen[0] != seen[-1]


def test_reason_labels_follow_the_setting(settings: Any) -> None:
    assert reason_labels(Reason.DUE_SOON) == ["7日内到期"]
    settings.ZHENGGAI_SUPERVISION_RULES = "due_soon_days=12"
    assert reason_labels(Reason.DUE_SOON) == ["12日内到期"]
    settings.ZHENGGAI_SUPERVISION_RULES = {"due_soon_days": 5}
    assert reason_labels(Reason.DUE_SOON) == ["5日内到期"]
    settings.ZHENGGAI_SUPERVISION_RULES["due_soon_days"] = 6  # changed in place: still read afresh
    assert reason_labels(Reason.DUE_SOON) == ["6日内到期"]


def test_compiled_rules_follow_the_current_time_zone(demo: Inspection) -> None:
    """The start-date rule casts the creation time to a date in the current zone: a zone is part of the key."""
    now = timezone.now()
    for zone in ("Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati"):
        with timezone.override(zone):
            today = timezone.localdate(now)
            built = Measure.objects.annotate(f=measure_flags(today, now)).values_list("pk", "f")
            compiled = Measure.objects.annotate(f=MeasureFlags(today, now)).values_list("pk", "f")
            assert str(compiled.query) == str(built.query)
            assert dict(compiled) == dict(built)
