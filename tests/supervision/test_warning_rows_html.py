"""The warnings table's rows are written in Python (supervision.views._rows_html): the same HTML as the template
loop they replaced, every value escaped."""

from __future__ import annotations

import pytest
from django.template import Context, engines

from zhenggai.supervision.views import WarningRow, _rows_html

# The loop the Python replaced (supervision/warnings.html before), its empty branch left out.
LOOP = """{% for row in rows %}
    <tr>
      {% if can_issue %}<td><input class="form-check-input" type="checkbox" name="measures" value="{{ row.measure_id }}" aria-label="督办{{ row.code }}"></td>{% endif %}
      <td class="nowrap"><span class="dot {{ row.colour }}"></span> {{ row.colour_label }}<span class="d-md-none"> · <a href="{{ row.href }}">{{ row.code }}</a> · {{ row.unit }}</span></td>
      <td class="d-none d-md-table-cell">{{ row.unit }}</td>
      <td class="nowrap d-none d-md-table-cell"><a href="{{ row.href }}">{{ row.code }}</a></td>
      <td class="text"><a href="{{ row.href }}">{{ row.text }}</a></td>
      <td data-label="责任部门">{{ row.department }}</td>
      <td class="nowrap" data-label="整改时限">{{ row.deadline }}</td>
      <td class="num" data-label="进度">{{ row.progress }}%</td>
      <td style="min-width:9em" data-label="原因">{{ row.reasons }}</td>
      <td class="nowrap" data-label="变色时间">{{ row.since }}</td>
    </tr>
  {% endfor %}"""


@pytest.mark.parametrize("can_issue", [True, False])
def test_the_rows_are_the_html_the_template_loop_rendered(can_issue: bool) -> None:
    rows = [
        WarningRow(
            measure_id=7,
            href="/measures/7/?a=1&b=2",
            colour="red",
            colour_label="红灯",
            code='A<1>"',
            unit="单位 & <甲>",
            text="<script>alert(1)</script>",
            department="办公室's",
            deadline="2025年6月30日",
            progress=35,
            reasons="已逾期、进度滞后",
            since="2025年7月1日",
        ),
        WarningRow(8, "/measures/8/", "yellow", "黄灯", "B-2", "乙", "措施", "", "长期", 0, "", ""),
    ]
    template = engines["django"].engine.from_string(LOOP)
    expected = template.render(Context({"rows": rows, "can_issue": can_issue}))
    html = str(_rows_html(rows, can_issue))
    assert html == expected
    assert "<script>" not in html
    assert "单位 &amp; &lt;甲&gt;" in html
