"""Evidence behind nginx: the view checks the user's scope, then answers with X-Accel-Redirect and no body."""

from __future__ import annotations

from typing import Any

from django.test import Client

from tests.conftest import World
from tests.factories import report_with_evidence
from zhenggai.ledger.models import Evidence


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_evidence_is_handed_to_nginx_after_the_permission_check(world: World, settings: Any) -> None:
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media"
    report_with_evidence(world.staff_a, world.measure_a)
    evidence = Evidence.objects.get(measure=world.measure_a)

    response = _client(world.staff_a).get(f"/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{evidence.file.name}"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert response.content == b""

    refused = _client(world.staff_b).get(f"/evidence/{evidence.pk}/")  # another unit's evidence
    assert refused.status_code == 404
    assert "X-Accel-Redirect" not in refused


def test_without_the_setting_the_app_sends_the_file_itself(world: World, settings: Any) -> None:
    settings.MEDIA_ACCEL_REDIRECT = ""
    report_with_evidence(world.staff_a, world.measure_a)
    evidence = Evidence.objects.get(measure=world.measure_a)
    response = _client(world.staff_a).get(f"/evidence/{evidence.pk}/")
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
