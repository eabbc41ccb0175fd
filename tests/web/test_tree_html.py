"""The inspection tree's items are written in Python (web.views.inspections.tree_html): the same HTML as the
node template they replaced, every value escaped."""

from __future__ import annotations

import pytest
from django.template import Context, engines

from tests.factories import FindingFactory, MeasureFactory
from zhenggai.ledger.choices import FindingLevel
from zhenggai.ledger.models import Inspection, Measure, Unit
from zhenggai.web.lights import with_lights
from zhenggai.web.views.inspections import Node, build_tree, prune, tree_html

# The node template the Python replaced (web/partials/node.html before), included once per finding and
# including itself for the children.
NODE = """{% load zg %}
<li class="tree-node">
  <details open>
    <summary class="finding">{{ node.light|light_dot }}<b>{{ node.finding.get_level_display }}</b> {{ node.finding.title }}
      <span class="node-progress" title="已完成{{ node.done }}条，共{{ node.total }}条">
        <span class="progress" role="progressbar" aria-label="完成进度" aria-valuenow="{{ node.percent }}" aria-valuemin="0" aria-valuemax="100"><span class="progress-bar" style="width: {{ node.percent }}%"></span></span>
        <span class="muted small">{{ node.done }}/{{ node.total }}（{{ node.percent }}%）</span>
      </span>
      {% if manage %}<a class="small" href="{% url 'finding_edit' node.finding.pk %}">修改</a>{% endif %}</summary>
    {% for m, light in node.measures %}
      <div class="measure">{{ light|light_dot }}<a href="{% url 'measure' m.pk %}">{{ m.code }}</a> {{ m.text|truncatechars:70 }}
        <span class="muted">· {{ m.lead_department.name|default:"" }} · {% if m.deadline %}{{ m.deadline|date }}{% elif m.kind == "long_term" %}长期坚持{% else %}未定{% endif %}</span>
        <span class="badge st {{ m.status }}">{{ m.status_label }}</span></div>
    {% endfor %}
    {% if node.children %}<ul>{% for node in node.children %}{% include self_template %}{% endfor %}</ul>{% endif %}
  </details>
</li>
"""


def _template_html(nodes: list[Node], manage: bool) -> str:
    engine = engines["django"].engine
    template = engine.from_string(NODE)  # includes itself for the children
    return "".join(
        template.render(Context({"node": node, "manage": manage, "self_template": template}))
        for node in nodes
    )


@pytest.mark.parametrize("manage", [True, False])
def test_the_tree_is_the_html_the_node_template_rendered(demo: Inspection, manage: bool) -> None:
    department = Unit.objects.filter(kind="department").first()
    assert department is not None
    department.name = "办公室 & <综合>"
    department.save()
    problem = FindingFactory(
        inspection=demo, level=FindingLevel.PROBLEM, title='关于<script>"x"</script>的问题'
    )
    MeasureFactory(finding=problem, code="A<1>", text="长" * 80 + "&", lead_department=department)
    MeasureFactory(finding=problem, code="A-2", text="短", lead_department=None, deadline=None)
    measures = list(
        with_lights(Measure.objects.filter(inspection=demo))
        .select_related("lead_department")
        .order_by("position", "id")
    )
    tree = build_tree(demo, measures)
    if not manage:
        tree = prune(tree)
    html = str(tree_html(tree, manage))
    assert html == _template_html(tree, manage)
    assert "&lt;script&gt;&quot;x&quot;" in html
    assert "办公室 &amp; &lt;综合&gt;" in html
    assert "<script>" not in html
