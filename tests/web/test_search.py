"""The task list's one search box: a term in the measure's text or code, its finding's title, its lead department
or its responsible person finds it; text and code matches come first; the term is marked and escaped; nothing of
another unit is ever found; short terms work too."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import World
from tests.factories import FindingFactory, MeasureFactory, UnitFactory
from zhenggai.ledger import search_index
from zhenggai.ledger.choices import UnitKind
from zhenggai.web import search


def _page(user: Any, q: str, **params: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/tasks/", {"scope": "all", "show": "all", "q": q, **params})
    assert response.status_code == 200
    return response.content.decode()


def _codes(html: str) -> list[str]:
    """The codes of the listed measures, in the list's order."""
    return re.findall(r'<td class="nowrap"><span class="d-md-none">.*?<a href="/[^"]*">([^<]+)</a>', html)


def _row(html: str, code: str) -> str:
    start = html.index(f">{code}</a>")
    return html[start : html.index("</tr>", start)]


def test_a_term_in_the_measure_text_or_code_finds_it_without_a_place(world: World) -> None:
    MeasureFactory(finding=world.detail_a, code="S-TXT", text="规范差旅费报销流程")
    html = _page(world.leader_a, "差旅费报销")
    assert _codes(html) == ["S-TXT"]
    assert "匹配：" not in _row(html, "S-TXT")
    assert _codes(_page(world.leader_a, "s-txt")) == ["S-TXT"]  # the code, in any case


def test_a_term_in_the_finding_title_finds_the_measure_and_says_so(world: World) -> None:
    # world.detail_a: 针对接待审批手续不全的问题; its measure's text is 整改措施N.
    html = _page(world.leader_a, "审批手续不全")
    assert _codes(html) == [world.measure_a.code]
    assert "匹配：问题标题" in _row(html, world.measure_a.code)


def test_a_term_in_the_lead_department_finds_the_measure_and_says_so(world: World) -> None:
    html = _page(world.leader_a, "文旅局办公室")
    assert _codes(html) == [world.measure_a.code]
    assert "匹配：牵头部门" in _row(html, world.measure_a.code)


def test_a_term_in_the_responsible_person_finds_the_measure_and_says_so(world: World) -> None:
    MeasureFactory(finding=world.detail_a, code="S-PER", text="清理违规津贴", responsible_person="欧阳建国")
    html = _page(world.leader_a, "欧阳建国")
    assert _codes(html) == ["S-PER"]
    assert "匹配：责任人（欧阳建国）" in _row(html, "S-PER")


def test_search_follows_edits_of_titles_departments_and_people(world: World) -> None:
    measure = MeasureFactory(
        finding=world.detail_a, code="S-EDIT", text="健全制度", responsible_person="李某"
    )
    world.detail_a.title = "关于会议费管理的问题"
    world.detail_a.save()
    world.dept_a.name = "文旅局综合科"
    world.dept_a.save()
    measure.responsible_person = "司马光明"
    measure.save()
    assert "S-EDIT" in _codes(_page(world.leader_a, "会议费管理"))
    assert "S-EDIT" not in _codes(_page(world.leader_a, "审批手续不全"))
    assert world.measure_a.code in _codes(_page(world.leader_a, "文旅局综合科"))
    assert _codes(_page(world.leader_a, "文旅局办公室")) == []
    assert _codes(_page(world.leader_a, "司马光明")) == ["S-EDIT"]


@pytest.mark.parametrize(
    ("term", "code"),
    [("报销", "S-SHORT"), ("s-", "S-SHORT"), ("手续", "world"), ("旅局", "world"), ("建国", "S-SHORT")],
)
def test_a_term_too_short_for_trigrams_still_finds_each_field(world: World, term: str, code: str) -> None:
    MeasureFactory(finding=world.detail_a, code="S-SHORT", text="规范报销流程", responsible_person="王建国")
    codes = _codes(_page(world.leader_a, term))
    assert (world.measure_a.code if code == "world" else code) in codes
    assert world.measure_b.code not in codes


def test_text_matches_come_before_other_matches_then_the_list_order(world: World) -> None:
    day = dt.date(2030, 1, 1)
    title = FindingFactory(inspection=world.inspection_a, title="关于公车私用的问题")
    MeasureFactory(finding=title, code="R-TITLE-EARLY", text="加强车辆管理", deadline=day)
    MeasureFactory(
        finding=world.detail_a, code="R-TEXT-LATE", text="整治公车私用", deadline=day.replace(month=9)
    )
    MeasureFactory(
        finding=world.detail_a, code="R-TEXT-MID", text="公车私用专项检查", deadline=day.replace(month=5)
    )
    MeasureFactory(finding=title, code="R-TITLE-LATE", text="建立用车台账", deadline=day.replace(month=12))
    expected = ["R-TEXT-MID", "R-TEXT-LATE", "R-TITLE-EARLY", "R-TITLE-LATE"]
    assert _codes(_page(world.leader_a, "公车私用")) == expected
    # The offset-paged order (latest deadline first) ranks the same way.
    assert _codes(_page(world.leader_a, "公车私用", sort="-deadline")) == [
        "R-TEXT-LATE",
        "R-TEXT-MID",
        "R-TITLE-LATE",
        "R-TITLE-EARLY",
    ]


def test_ranked_results_page_by_keyset_without_gaps_or_repeats(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("zhenggai.web.views.tasks.PAGE_SIZE", 2)
    title = FindingFactory(inspection=world.inspection_a, title="关于公款吃喝的问题")
    for n in range(3):
        MeasureFactory(
            finding=world.detail_a,
            code=f"K-TEXT-{n}",
            text=f"查处公款吃喝{n}",
            deadline=dt.date(2030, 3, n + 1),
        )
        MeasureFactory(finding=title, code=f"K-TITLE-{n}", text=f"整改{n}", deadline=dt.date(2030, 1, n + 1))
    client = Client()
    client.force_login(world.leader_a)
    url, seen = "/tasks/?scope=all&show=all&q=公款吃喝", []
    for _ in range(5):
        html = client.get(url).content.decode()
        seen += _codes(html)
        if 'rel="next"' not in html:
            break
        link = html[: html.index('rel="next"')]
        url = "/tasks/" + link[link.rindex('href="') + 6 : link.rindex('"')].replace("&amp;", "&")
        assert "after=" in url
    assert seen == [f"K-TEXT-{n}" for n in range(3)] + [f"K-TITLE-{n}" for n in range(3)]


def test_the_term_is_marked_and_everything_else_escaped(world: World) -> None:
    MeasureFactory(finding=world.detail_a, code="H-1", text="删除<script>alert(1)</script>代码")
    MeasureFactory(finding=world.detail_a, code="H-2", text="压实责任.*(整改到位")
    MeasureFactory(finding=world.detail_a, code="H-3", text="压实责任整改到位")
    html = _page(world.leader_a, "<script>")
    assert _codes(html) == ["H-1"]
    row = _row(html, "H-1")
    assert "删除<mark>&lt;script&gt;</mark>alert(1)&lt;/script&gt;代码" in row
    assert "<script>alert" not in html
    html = _page(world.leader_a, ".*(")
    assert _codes(html) == ["H-2"]  # the term is plain text, not a pattern
    assert "压实责任<mark>.*(</mark>整改到位" in _row(html, "H-2")


def test_highlight_shows_the_part_of_a_long_text_where_the_term_is() -> None:
    text = "一" * 100 + "专项治理" + "二" * 100
    shown = str(search.highlight(text, "专项治理"))
    assert shown.startswith("…")
    assert shown.endswith("…")
    assert "<mark>专项治理</mark>" in shown
    assert str(search.highlight("短文本", "ABC")) == "短文本"
    assert str(search.highlight("Abc abc", "aBC")) == "<mark>Abc</mark> <mark>abc</mark>"


def test_a_search_never_finds_another_units_measures(world: World) -> None:
    # The same term in both units, in every field: 办公室 names both lead departments.
    MeasureFactory(
        finding=world.detail_a, code="A-SAME", text="完善公文处理制度", lead_department=world.dept_a
    )
    MeasureFactory(
        finding=world.measure_b.finding, code="B-SAME", text="完善公文处理制度", lead_department=world.dept_b
    )
    for term in ("公文处理", "办公室", "公文"):
        a, b = _codes(_page(world.leader_a, term)), _codes(_page(world.leader_b, term))
        assert "A-SAME" in a, term
        assert "B-SAME" in b, term
        assert not {"B-SAME", world.measure_b.code} & set(a), term
        assert not {"A-SAME", world.measure_a.code} & set(b), term
    html = _page(world.supervisor, "办公室")  # the district's supervisor sees both
    assert {"A-SAME", "B-SAME", world.measure_a.code, world.measure_b.code} <= set(_codes(html))
    assert "共 4 条" in html


def test_a_department_outside_the_scope_finds_nothing(world: World) -> None:
    other = UnitFactory(name="外区审计局", kind=UnitKind.ORGAN)
    outside = UnitFactory(name="外区审计局财务科", kind=UnitKind.DEPARTMENT, parent=other)
    MeasureFactory(finding=FindingFactory(title="外区问题"), code="X-OUT", lead_department=outside)
    assert _codes(_page(world.leader_a, "审计局财务科")) == []
    assert "共 0 条" in _page(world.leader_a, "审计局财务科")


def test_frequent_terms_take_the_other_plans_and_find_the_same(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A term found in very many rows is tested along the list's order (LIKE; EXISTS by key) instead
    of collecting ids first: the same measures, in the same ranked order."""
    title = FindingFactory(inspection=world.inspection_a, title="关于超标准配车的问题")
    MeasureFactory(finding=title, code="F-TITLE", text="清理车辆", deadline=dt.date(2030, 1, 1))
    MeasureFactory(finding=world.detail_a, code="F-TEXT", text="纠正超标准配车", deadline=dt.date(2030, 5, 1))
    MeasureFactory(
        finding=world.detail_a,
        code="F-PER",
        text="建立台账",
        responsible_person="超标准配车组",
        deadline=dt.date(2030, 9, 1),
    )
    MeasureFactory(finding=world.measure_b.finding, code="F-B", text="纠正超标准配车")
    rare = _codes(_page(world.leader_a, "超标准配车"))
    assert rare == ["F-TEXT", "F-TITLE", "F-PER"]
    monkeypatch.setattr("zhenggai.web.search.ID_CAP", 0)
    monkeypatch.setattr("zhenggai.ledger.search_index.FREQUENT", 0)
    assert _codes(_page(world.leader_a, "超标准配车")) == rare
    assert _codes(_page(world.leader_a, "超标准配车", sort="-deadline")) == ["F-TEXT", "F-PER", "F-TITLE"]


def test_sqlite_rebuilds_search_indexes_missing_or_of_an_older_layout(world: World) -> None:
    if not search_index.supported(connection):
        pytest.skip("SQLite FTS5 trigram indexes (PostgreSQL: pg_trgm, migration 0013_search_trigram)")
    MeasureFactory(finding=world.detail_a, code="U-OLD", text="健全制度", responsible_person="诸葛孔明")
    with connection.cursor() as cursor:  # as a database from before the person's own index
        cursor.execute(f"DROP TABLE {search_index.PEOPLE.table}")
    assert not search_index.present(connection)
    assert search_index.ensure(connection)  # rebuilt from the rows
    assert search_index.present(connection)
    assert _codes(_page(world.leader_a, "诸葛孔明")) == ["U-OLD"]


def test_two_character_names_departments_and_titles_are_found_scoped_and_ranked(world: World) -> None:
    day = dt.date(2030, 1, 1)
    MeasureFactory(
        finding=world.detail_a, code="T-PER", text="建立台账", responsible_person="张三", deadline=day
    )
    MeasureFactory(finding=world.detail_a, code="T-TEXT", text="督促张三整改", deadline=day.replace(month=6))
    MeasureFactory(finding=world.measure_b.finding, code="T-B", text="建立台账", responsible_person="张三")
    html = _page(world.leader_a, "张三")
    assert _codes(html) == ["T-TEXT", "T-PER"]  # the text match first, then the person, each by deadline
    assert "匹配：责任人（张三）" in _row(html, "T-PER")
    assert _codes(_page(world.leader_b, "张三")) == ["T-B"]
    assert _codes(_page(world.leader_a, "张")) == ["T-TEXT", "T-PER"]  # one character too
    # 文旅局办公室 and 针对接待审批手续不全的问题 by two characters; the other unit's 档案馆办公室 stays out.
    html = _page(world.leader_a, "办公")
    assert world.measure_a.code in _codes(html)
    assert world.measure_b.code not in _codes(html)
    assert "匹配：牵头部门" in _row(html, world.measure_a.code)
    html = _page(world.leader_a, "手续")  # every measure of world.detail_a
    assert sorted(_codes(html)) == sorted(["T-PER", "T-TEXT", world.measure_a.code])
    assert "匹配：问题标题" in _row(html, world.measure_a.code)


def test_short_terms_follow_edits_of_people_and_texts(world: World) -> None:
    measure = MeasureFactory(finding=world.detail_a, code="E-SHORT", text="节能", responsible_person="李四")
    assert _codes(_page(world.leader_a, "节能")) == ["E-SHORT"]  # a text of two characters
    assert _codes(_page(world.leader_a, "李四")) == ["E-SHORT"]
    measure.responsible_person = "王五"
    measure.text = "降耗"
    measure.save()
    assert _codes(_page(world.leader_a, "李四")) == []
    assert _codes(_page(world.leader_a, "节能")) == []
    assert _codes(_page(world.leader_a, "王五")) == ["E-SHORT"]
    assert _codes(_page(world.leader_a, "耗")) == ["E-SHORT"]


def test_sqlite_finds_short_terms_in_its_indexes_without_testing_rows(world: World) -> None:
    """One or two characters: the trigrams that begin with the term (the indexes' vocabulary), never LIKE over
    the measures; a term no row holds is known to be absent without reading a measure."""
    if not search_index.supported(connection):
        pytest.skip("SQLite FTS5 trigram indexes (PostgreSQL: see test_plans)")
    MeasureFactory(finding=world.detail_a, code="I-PER", text="建立台账", responsible_person="张三")
    for term, expected in (("张三", ["I-PER"]), ("办公", [world.measure_a.code]), ("鑫", [])):
        with CaptureQueriesContext(connection) as queries:
            codes = _codes(_page(world.leader_a, term))
        assert codes == expected, term
        assert not [q["sql"] for q in queries if " LIKE " in q["sql"]], term


def test_a_short_name_is_found_whether_the_people_are_walked_or_too_many(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    MeasureFactory(finding=world.detail_a, code="W-PER", text="建立台账", responsible_person="张三丰")
    MeasureFactory(finding=world.detail_a, code="W-OTHER", text="建立台账", responsible_person="李四")
    if connection.vendor == "postgresql":  # the distinct people along measure_person, then those holding 张三
        assert search.people(connection, "张三") == ["张三丰"]
        assert search.people(connection, "三丰") == ["张三丰"]
    else:
        assert search.people(connection, "张三") is None  # SQLite: its trigram index instead
    assert _codes(_page(world.leader_a, "三丰")) == ["W-PER"]
    monkeypatch.setattr("zhenggai.web.search.PEOPLE_WALK", 1)  # more people than that: LIKE along the order
    assert search.people(connection, "张三") is None
    assert _codes(_page(world.leader_a, "三丰")) == ["W-PER"]


SHORT_TEXTS = {
    "Q-01": "规范报销流程",
    "Q-02": "推进OA系统建设",
    "Q-03": "完成率100%",
    "Q-04": "编号a_b",
    "Q-05": "编号axb",
    "Q-06": "跨行\n换行",
}


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("报销", ["Q-01"]),  # in the middle
        ("规范", ["Q-01"]),  # at the start
        ("流程", ["Q-01"]),  # at the end
        ("规", ["Q-01"]),  # one character, first
        ("程", ["Q-01"]),  # one character, last
        ("换行", ["Q-06"]),  # after a line break
        ("行", ["Q-06"]),
        ("oa", ["Q-02"]),  # Latin letters in any case
        ("Oa", ["Q-02"]),
        ("o", ["Q-02"]),
        ("a", ["Q-02", "Q-04", "Q-05"]),
        ("%", ["Q-03"]),  # % and _ are plain characters, never LIKE's wildcards
        ("0%", ["Q-03"]),
        ("_", ["Q-04"]),
        ("a_", ["Q-04"]),
        ("鑫", []),  # found nowhere
    ],
)
def test_short_terms_are_found_as_plain_text_anywhere_in_any_case(
    world: World, term: str, expected: list[str]
) -> None:
    """One or two characters find what `icontains` finds, on both databases (SQLite: its padded trigram
    indexes; PostgreSQL: the gram indexes of migration 0017_search_grams)."""
    for code, text in SHORT_TEXTS.items():
        MeasureFactory(finding=world.detail_a, code=code, text=text)
    assert sorted(_codes(_page(world.leader_a, term))) == expected


def test_postgresql_grams_hold_a_short_term_exactly_when_the_text_does(db: None) -> None:
    """zg_grams (migration 0017_search_grams): ARRAY[t] is contained exactly when t is a substring, for every
    substring of one or two characters of a value and for terms it does not hold."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's gram function")
    values = ["规范报销流程", "", "a", "Ab", "x\ny z", "完成率100%", "a_b", "Straße", "  "]
    absent = ["鑫", "zz", "%", "_", "ba", "\n\n"]
    with connection.cursor() as cursor:
        for value in values:
            terms = {value[i : i + n] for n in (1, 2) for i in range(len(value) - n + 1)} | set(absent)
            for term in sorted(terms):
                cursor.execute(
                    "SELECT zg_grams(UPPER(%s)) @> ARRAY[UPPER(%s)], strpos(UPPER(%s), UPPER(%s)) <> 0",
                    [value, term, value, term],
                )
                held, contained = cursor.fetchone()
                assert held == contained, (value, term)
