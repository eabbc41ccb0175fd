"""The measure lists' text search reads an index (SQLite FTS5 trigram, kept by triggers) and finds what LIKE
would: after edits and deletes, by text and by code, and short terms too."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test import Client

from tests.conftest import World
from tests.factories import MeasureFactory
from zhenggai.ledger import search_index
from zhenggai.ledger.models import Measure


def _found(user: Any, q: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/tasks/", {"scope": "all", "show": "all", "q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_search_follows_edits_and_deletes_of_measures(world: World) -> None:
    measure = MeasureFactory(finding=world.detail_a, code="A-FTS", text="规范公务接待管理制度")
    assert "A-FTS" in _found(world.leader_a, "接待管理")
    Measure.objects.filter(pk=measure.pk).update(text="清理违规发放津贴补贴")
    assert "A-FTS" not in _found(world.leader_a, "接待管理")
    assert "A-FTS" in _found(world.leader_a, "津贴补贴")
    assert "A-FTS" in _found(world.leader_a, "a-fts")  # the code, in any case
    assert "A-FTS" in _found(world.leader_a, "津贴")  # two characters: too short for trigrams, still found
    Measure.objects.filter(pk=measure.pk).delete()
    assert "A-FTS" not in _found(world.leader_a, "津贴补贴")


def test_search_stays_within_the_users_scope(world: World) -> None:
    MeasureFactory(finding=world.measure_b.finding, code="B-FTS", text="整治办公用房超标问题")
    assert "B-FTS" not in _found(world.leader_a, "办公用房")


def test_sqlite_keeps_a_trigram_index_of_the_measures(world: World) -> None:
    if connection.vendor != "sqlite":
        assert search_index.match_ids(connection, "接待管理") is None  # PostgreSQL: pg_trgm indexes instead
        return
    assert search_index.present(connection)
    MeasureFactory(finding=world.detail_a, code="A-IDX", text="建立健全长效机制")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid FROM {search_index.TABLE} WHERE {search_index.TABLE} MATCH %s", ['"长效机制"']
        )
        assert [row[0] for row in cursor.fetchall()] == [Measure.objects.get(code="A-IDX").pk]


def _trigrams_of(values: list[str], term: str) -> list[str]:
    """What the padded trigram index holds beginning with `term`: every three characters of each value and
    its padding, folded."""
    grams = {
        padded[i : i + 3]
        for value in values
        for padded in [value.lower() + search_index.PAD]
        for i in range(len(padded) - 2)
    }
    return sorted(gram for gram in grams if gram.startswith(term))


def test_sqlite_walks_every_trigram_that_begins_a_short_term(world: World, monkeypatch: Any) -> None:
    """The walk over the vocabulary (one probe per trigram) returns exactly the trigrams a full read of it
    would, in order, and stops one past TRIGRAM_CAP."""
    if not search_index.supported(connection):
        return
    for code, text in (
        ("W-1", "规范报销"),
        ("W-2", "规章制度"),
        ("W-3", "清理规"),
        ("W-4", "规"),
        ("W-5", "常规a规B"),
    ):
        MeasureFactory(finding=world.detail_a, code=code, text=text)
    values = [v for m in Measure.objects.all() for v in (m.text, m.code)]
    for term in ("规", "规章", "a", "鑫"):
        expected = _trigrams_of(values, term)
        assert search_index._trigrams(connection, search_index.MEASURES, term) == expected, term
    assert len(_trigrams_of(values, "规")) > 3
    monkeypatch.setattr(search_index, "TRIGRAM_CAP", 2)
    assert len(search_index._trigrams(connection, search_index.MEASURES, "规")) == 3
    assert search_index.lookup(connection, search_index.MEASURES, "规") is None  # common: LIKE instead


def test_sqlite_replaces_a_vocabulary_of_the_older_kind_without_rebuilding(world: World) -> None:
    if not search_index.supported(connection):
        return
    MeasureFactory(finding=world.detail_a, code="V-OLD", text="规范报销", responsible_person="王五")
    index = search_index.PEOPLE
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {index.vocab}")
        cursor.execute(f"CREATE VIRTUAL TABLE {index.vocab} USING fts5vocab({index.table}, 'row')")
    assert not search_index.present(connection)
    assert search_index.ensure(connection) is False  # no rebuild: the vocabulary holds no data
    assert search_index.present(connection)
    assert "V-OLD" in _found(world.leader_a, "王五")
