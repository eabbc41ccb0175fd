"""Contract: schemathesis generates requests from the live OpenAPI schema for every operation; no response
may be a server error, answer an undocumented status or content type, or break its schema. Bounded (a few examples per operation) to stay under a minute."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import World
from tests.factories import report_with_evidence
from zhenggai.api.models import TokenScope
from zhenggai.api.tokens import create_token

EXAMPLES_PER_OPERATION = 6


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    """schemathesis calls the WSGI application directly, so each request starts with request_started and ends
    with request_finished, and Django connects close_old_connections to both. Inside the test's transaction the
    connection's autocommit differs from the AUTOCOMMIT setting, so close_if_unusable_or_obsolete closes it. On
    SQLite's in-memory test database close() does nothing; on PostgreSQL it really closes, and every later query
    of the test failed with "the connection is closed" (from the very first generated request, GET /api/v1/units;
    the confirm endpoint was only the last one in the log). Django's own test client disconnects both signals the
    same way around each request. This was the harness, not our code; NUL characters, which PostgreSQL refuses,
    are covered by test_nul_inputs.py."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.contract
def test_every_operation_answers_within_its_schema_and_never_500(world: World, settings: Any) -> None:
    settings.API_RATE_PER_MINUTE = 1_000_000
    cache.clear()
    report_with_evidence(world.leader_a, world.measure_a)
    _, secret = create_token(by=world.leader_a, name="契约测试", scope=TokenScope.READ_WRITE, days=1)
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            try:
                case.validate_response(
                    response,
                    checks=[
                        not_a_server_error,
                        status_code_conformance,
                        content_type_conformance,
                        response_schema_conformance,
                    ],
                )
            except (
                Exception,
                BaseExceptionGroup,
            ) as error:  # collect every operation's failure, report all at once
                failures.append(f"{case.method} {case.path}: {str(error)[:400]}")

        run()
    assert operations >= 25
    assert not failures, "\n".join(failures[:20])
