"""The public pages: only published public versions (and public ones withdrawn after publication) are shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.portal.conftest import draft, published, withdrawn
from zhenggai.ledger.models import Measure
from zhenggai.notices.choices import Audience
from zhenggai.notices.models import Notice
from zhenggai.notices.workflow import approve_notice
from zhenggai.portal.public import public_notices


def test_a_citizen_without_an_account_reads_the_published_public_notice(world: World) -> None:
    notice = published(world)
    page = Client().get(reverse("portal:notice", args=[notice.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert notice.title in text
    assert "发布日期" in text
    assert 'data-layout="portal"' in text
    assert "我的整改任务" not in text  # no intranet menu


def test_the_list_and_the_unit_page_show_the_published_notice_with_its_figures(world: World) -> None:
    notice = published(world)
    index = Client().get(reverse("portal:index")).content.decode()
    assert notice.title in index
    assert world.unit_a.name in index
    unit = Client().get(reverse("portal:unit", args=[world.unit_a.pk]))
    assert unit.status_code == 200
    text = unit.content.decode()
    assert "完成率" in text
    assert notice.title in text


@pytest.mark.parametrize("step", ["draft", "approved", "internal_published", "withdrawn_draft"])
def test_no_unpublished_or_internal_version_ever_appears(world: World, step: str) -> None:
    if step == "draft":
        hidden = draft(world)
    elif step == "approved":
        hidden = approve_notice(by=world.deputy_a, notice=draft(world))
    elif step == "internal_published":
        hidden = published(world, Audience.INTERNAL)
    else:
        hidden = withdrawn(world, draft(world))
    client = Client()
    assert client.get(reverse("portal:notice", args=[hidden.pk])).status_code == 404
    assert client.get(reverse("portal:unit", args=[world.unit_a.pk])).status_code == 404
    index = client.get(reverse("portal:index")).content.decode()
    assert hidden.title not in index
    assert "共 0 份通报" in index
    assert not public_notices().filter(pk=hidden.pk).exists()


def test_an_internal_version_stays_hidden_beside_a_published_public_one(world: World) -> None:
    Measure.objects.filter(pk=world.measure_a.pk).update(
        responsible_person="王建国", text="由王建国牵头规范接待审批，联系电话13812345678。"
    )
    public = published(world)
    internal = published(world, Audience.INTERNAL)
    assert "王建国" in internal.html
    assert "王建国" not in public.html
    client = Client()
    assert client.get(reverse("portal:notice", args=[internal.pk])).status_code == 404
    unit = client.get(reverse("portal:unit", args=[world.unit_a.pk])).content.decode()
    assert reverse("portal:notice", args=[public.pk]) in unit
    assert reverse("portal:notice", args=[internal.pk]) not in unit
    page = client.get(reverse("portal:notice", args=[public.pk])).content.decode()
    assert "王建国" not in page
    assert "13812345678" not in page


def test_a_withdrawn_notice_shows_yichehui_at_once_even_after_its_page_was_cached(world: World) -> None:
    notice = published(world)
    client = Client()
    assert "已撤回" not in client.get(reverse("portal:notice", args=[notice.pk])).content.decode()
    withdrawn(world, Notice.objects.get(pk=notice.pk))
    page = client.get(reverse("portal:notice", args=[notice.pk])).content.decode()
    assert "已撤回" in page
    assert "已撤回" in client.get(reverse("portal:index")).content.decode()


def test_search_finds_by_unit_name_and_by_text_and_filters_by_year(world: World) -> None:
    notice = published(world)
    client = Client()
    assert notice.title in client.get(reverse("portal:index"), {"q": "文旅"}).content.decode()
    assert "共 0 份通报" in client.get(reverse("portal:index"), {"q": "不存在的词语"}).content.decode()
    year = notice.notice_date.year
    assert notice.title in client.get(reverse("portal:index"), {"year": year}).content.decode()
    assert "共 0 份通报" in client.get(reverse("portal:index"), {"year": year - 5}).content.decode()


def test_the_public_pages_are_served_from_the_cache_in_two_queries(
    world: World, django_assert_max_num_queries: object
) -> None:
    notice = published(world)
    client = Client()
    client.get(reverse("portal:notice", args=[notice.pk]))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:index")).status_code == 200
    first = len(queries)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("portal:index")).status_code == 200
    assert len(queries) == 1 < first  # only the publication stamp


def test_on_postgresql_the_search_has_trigram_indexes(db: object) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'notices_notice'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"portal_notice_markdown_trgm", "portal_notice_title_trgm"} <= names
