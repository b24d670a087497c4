"""Names people type end up in chart labels; plotly.js renders tags in labels, so a profile
name must show as the characters typed and never become a link in a manager's chart."""

import json

import pytest

from performance.dashboards import DASHBOARDS, build, scope_for
from performance.dashboards.figures import Figure
from tests.dashboards.test_query_counts import busy  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

LINK_NAME = '<a href="https://evil.example">Boss</a>'


def test_figure_labels_are_escaped():
    figure = Figure().add_bar(x=[LINK_NAME, "R&D"], y=[1, 2], name="<b>team</b>")
    assert figure.data[0]["x"] == [
        '&lt;a href="https://evil.example"&gt;Boss&lt;/a&gt;',
        "R&amp;D",
    ]
    assert figure.data[0]["name"] == "&lt;b&gt;team&lt;/b&gt;"
    assert figure.data[0]["y"] == [1, 2]


def test_subplot_titles_are_escaped():
    figure = Figure.subplots([LINK_NAME])
    assert figure.layout["annotations"][0]["text"] == (
        '&lt;a href="https://evil.example"&gt;Boss&lt;/a&gt;'
    )


@pytest.mark.parametrize(
    "who,kind,shown_as",
    [
        # json.dumps writes the quotes of the attribute as \"
        ("manager", "manager", '&lt;a href=\\"https://evil.example\\"&gt;Boss&lt;/a&gt;'),
        ("director", "director", "&lt;img src=x onerror=alert(1)&gt;"),
    ],
)
def test_no_chart_of_the_dashboards_carries_a_tag(busy, rep, team, who, kind, shown_as, request):  # noqa: F811
    import datetime as dt

    rep.first_name, rep.last_name = LINK_NAME, ""
    rep.save()
    team.name = "<img src=x onerror=alert(1)>"
    team.save()
    scope = scope_for(request.getfixturevalue(who), month=dt.date(2026, 10, 1))
    shown = []
    for key in DASHBOARDS[kind]:
        chart = build(scope, key)
        if chart.draw is None or not chart.rows:
            continue
        figure = chart.draw()
        shown.append(json.dumps([figure.data, figure.layout], ensure_ascii=False))
    text = "".join(shown)
    assert "<" not in text
    assert shown_as in text
