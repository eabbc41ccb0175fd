"""The public pages at scale: the list is validated by the publication state (ETag, Last-Modified), the search
reads each notice once and on SQLite along a covering index, and the pages with the feedback form are never
kept by a cache."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import World
from tests.portal.conftest import published, withdrawn
from zhenggai.ledger.models import Inspection, Round
from zhenggai.notices.models import Notice
from zhenggai.portal import views
from zhenggai.portal.models import PublicationStamp
from zhenggai.portal.public import public_notices


def _listed(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'<h2 class="h5 mb-1"><a href="/gongkai/notices/(\d+)/"', html)]


def _copies(notice: Notice, titles: list[str]) -> list[Notice]:
    """Published public versions of `notice`'s inspection with these titles (texts alike), one hour apart."""
    base = notice.published_at or timezone.now()
    fields = {
        f.attname: getattr(notice, f.attname)
        for f in Notice._meta.concrete_fields
        if f.attname not in ("id", "version", "title", "published_at")
    }
    return Notice.objects.bulk_create(
        Notice(
            **fields,
            version=notice.version + 1 + i,
            title=title,
            published_at=base - dt.timedelta(hours=1 + i % 3),  # ties: the newer id first
        )
        for i, title in enumerate(titles)
    )


def test_the_list_answers_304_until_a_notice_is_published_or_withdrawn(world: World) -> None:
    notice = published(world)
    client = Client()
    first = client.get(reverse("portal:index"))
    assert first["Cache-Control"] == "public, no-cache"
    etag = first["ETag"]
    assert client.get(reverse("portal:index"), headers={"if-none-match": etag}).status_code == 304
    withdrawn(world, Notice.objects.get(pk=notice.pk))
    again = client.get(reverse("portal:index"), headers={"if-none-match": etag})
    assert again.status_code == 200
    assert "已撤回" in again.content.decode()
    assert again["ETag"] != etag


def test_a_renamed_unit_is_shown_under_its_new_name_not_behind_an_old_etag(world: World) -> None:
    published(world)
    client = Client()
    etag = client.get(reverse("portal:index"))["ETag"]
    world.unit_a.name = "区文化和旅游局"  # as rename_unit saves it
    world.unit_a.save(update_fields=["name"])
    again = client.get(reverse("portal:index"), headers={"if-none-match": etag})
    assert again.status_code == 200
    assert "区文化和旅游局" in again.content.decode()


def test_last_modified_is_given_once_its_second_is_over_and_answers_if_modified_since(world: World) -> None:
    published(world)
    client = Client()
    PublicationStamp.objects.filter(pk=1).update(changed_at=timezone.now())
    assert "Last-Modified" not in client.get(reverse("portal:index"))  # a change this second may follow
    PublicationStamp.objects.filter(pk=1).update(changed_at=timezone.now() - dt.timedelta(seconds=5))
    stamped = client.get(reverse("portal:index"))["Last-Modified"]
    assert client.get(reverse("portal:index"), headers={"if-modified-since": stamped}).status_code == 304
    published(world)  # the stamp moves: the copy from before is stale
    PublicationStamp.objects.filter(pk=1).update(changed_at=timezone.now() + dt.timedelta(seconds=-1.5))
    assert client.get(reverse("portal:index"), headers={"if-modified-since": stamped}).status_code == 200


def test_the_pages_with_the_feedback_form_are_never_stored(world: World) -> None:
    notice = published(world)
    client = Client()
    for url in (reverse("portal:notice", args=[notice.pk]), reverse("portal:unit", args=[world.unit_a.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert "ETag" not in response


@pytest.mark.parametrize("query", ["", "abc", "ABC", "50%", "a_c", "文旅", "整改", "没有这个词"])
def test_every_page_of_a_search_lists_what_the_query_finds_in_order(
    world: World, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    notice = published(world)
    _copies(notice, ["abc 通报", "xABCx 通报", "50% 完成", "a_c 办法", "aXc 办法", "其他", "整改通报"] * 2)
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    expected = public_notices()
    if query:
        expected = expected.filter(
            Q(title__icontains=query)
            | Q(markdown__icontains=query)
            | Q(inspection__inspected_unit__name__icontains=query)
        )
    order = list(expected.order_by("-published_at", "-pk").values_list("pk", flat=True))
    client = Client()
    shown: list[int] = []
    for page in range(1, max(1, -(-len(order) // 4)) + 1):
        html = client.get(reverse("portal:index"), {"q": query, "page": page}).content.decode()
        assert f"共 {len(order)} 份通报" in html
        shown += _listed(html)
    assert shown == order


def test_the_search_form_lists_a_round_published_after_the_list_was_cached(world: World) -> None:
    published(world)
    client = Client()
    round_ = Round.objects.create(name="二〇二五年第二轮", year=2025)
    assert round_.name not in client.get(reverse("portal:index")).content.decode()
    Inspection.objects.filter(pk=world.inspection_a.pk).update(round=round_)
    published(world)
    assert round_.name in client.get(reverse("portal:index")).content.decode()


def test_on_sqlite_the_search_reads_a_covering_index_not_the_notices_rows(world: World) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps the HTML out of the row and has trigram indexes")
    published(world)
    query = public_notices().filter(Q(title__icontains="x") | Q(markdown__icontains="x"))
    sql, params = query.order_by("-published_at", "-pk").values_list("pk", flat=True).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "COVERING INDEX portal_notice_search" in plan


def test_the_lists_count_read_once_moves_with_each_publication(world: World) -> None:
    notice = published(world)
    client = Client()
    year = notice.notice_date.year
    assert "共 1 份通报" in client.get(reverse("portal:index")).content.decode()
    assert "共 1 份通报" in client.get(reverse("portal:index"), {"year": year}).content.decode()
    assert "共 0 份通报" in client.get(reverse("portal:index"), {"year": year - 1}).content.decode()
    published(world)
    assert "共 2 份通报" in client.get(reverse("portal:index"), {"page": 2}).content.decode()
    assert "共 2 份通报" in client.get(reverse("portal:index"), {"year": year}).content.decode()
    assert "共 0 份通报" in client.get(reverse("portal:index"), {"year": year - 1}).content.decode()
