from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from zhenggai.ledger.demo import load_demo
from zhenggai.ledger.models import Inspection

PASSWORD = "demo-pass-123"


@pytest.fixture
def demo(db: Any) -> Inspection:
    return load_demo(password=PASSWORD).inspection


def login(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client
