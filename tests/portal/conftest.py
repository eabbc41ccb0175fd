from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from tests.conftest import World
from tests.notices.test_notice_versions import CONTACT
from zhenggai.notices.choices import Audience
from zhenggai.notices.models import Notice
from zhenggai.notices.services import publish_notice
from zhenggai.notices.workflow import approve_notice, sign_notice, withdraw_notice


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def draft(world: World, audience: str = Audience.PUBLIC) -> Notice:
    return publish_notice(
        by=world.leader_a, inspection=world.inspection_a, audience=audience, contact=CONTACT
    )


def published(world: World, audience: str = Audience.PUBLIC) -> Notice:
    notice = approve_notice(by=world.deputy_a, notice=draft(world, audience))
    return sign_notice(by=world.leader_a, notice=notice)


def withdrawn(world: World, notice: Notice) -> Notice:
    return withdraw_notice(by=world.leader_a, notice=notice, reason="数据有误，重新核对。")


@pytest.fixture
def public_notice(world: World) -> Notice:
    return published(world)


def anonymous_get(client: Any, url: str) -> Any:
    return client.get(url)
