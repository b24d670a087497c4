"""A chart: its figure (plotly, as plain dicts) and the table of the numbers behind it."""

from collections.abc import Callable
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import cache
from html import escape

import plotly.io as pio
from django.conf import settings
from django.utils.formats import get_format, localize
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

# --- charts --------------------------------------------------------------------------------

# Metadata of a typed row's field that only the figure reads (a forecast's history): it is no
# column of the table nor of the export.
NOT_A_COLUMN = {"column": False}


def cells(row) -> list:
    """A chart's typed row as the cells of its table and export: its fields in the order they
    are declared, which is the order of the chart's header."""
    return [getattr(row, field.name) for field in fields(row) if field.metadata.get("column", True)]


@dataclass
class Chart:
    key: str
    title: str
    header: list[str]
    rows: list[list]
    draw: Callable[[], "Figure"] | None = None
    note: str = ""
    # the period the chart shows, in the card's header ("2026-10", "2026 Q4", "as of …")
    period: str = ""
    # what the card says instead of a figure when every plotted value is 0 or unknown while the
    # table has rows (an empty axis −1…1 would look like a broken chart)
    empty: str = ""

    def table_rows_html(self) -> str:
        """The table view's rows, built here rather than in a template loop: the director's
        tables hold thousands of cells, which the template language renders several times
        slower. Cells are localized and escaped the way ``{{ cell }}`` would be."""
        # Numbers are most cells: without thousand separators localizing one is writing it
        # out with the language's decimal separator, done here once instead of per cell.
        separator = None if settings.USE_THOUSAND_SEPARATOR else get_format("DECIMAL_SEPARATOR")

        def cell(value) -> str:
            if value is None:
                return "—"
            if separator and isinstance(value, Decimal):
                # amounts (and rates) with thousands separators, as everywhere else (issue 18)
                return format(value, ",f")  # both languages write 1,234.56
            if separator and isinstance(value, int) and not isinstance(value, bool):
                return format(value, "d")  # counts and years: a year is never 2,026
            return conditional_escape(localize(value))

        return mark_safe(
            "".join(
                "<tr>" + "".join(f"<td>{cell(value)}</td>" for value in row) + "</tr>"
                for row in self.rows
            )
        )

    def html(self) -> str:
        """The chart's container and its figure as a JSON block; static/js/salescrm.js draws
        it. No inline script, so the Content-Security-Policy can forbid inline scripts."""
        if self.draw is None or not self.rows:
            return ""

        figure = self.draw()
        if figure.is_empty():
            return format_html(
                '<p class="text-secondary small mb-1" data-chart-empty="{key}">{text}</p>',
                key=self.key,
                text=self.empty
                or _(
                    "Nothing to plot: every value of this period is 0 or unknown (see the table)."
                ),
            )
        spec = pio.to_json(
            {
                "data": figure.data,
                "layout": {**LAYOUT, "template": _template(), **figure.layout},
                "config": {"displaylogo": False, "responsive": True},
            },
            validate=False,
        )
        # Inside <script> only "<" could end the block; json_script escapes the same three.
        spec = spec.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return format_html(
            '<div id="figure-{key}" data-plotly="figure-{key}-data"></div>'
            '<script type="application/json" id="figure-{key}-data">{spec}</script>',
            key=self.key,
            spec=mark_safe(spec),
        )


class Figure:
    """A plotly figure as the plain dict plotly.js reads. Building ``plotly.graph_objects``
    validates every property on the way, which costs more than all of a dashboard's SQL; these
    figures use a handful of well-known trace types and need none of it."""

    def __init__(self):
        self.data: list[dict] = []
        self.layout: dict = {}

    @classmethod
    def subplots(cls, titles: list[str]) -> "Figure":
        """One row of len(titles) panels side by side, each with its own axes and title."""
        figure = cls()
        width, gap = 1 / max(len(titles), 1), 0.04
        annotations = []
        for i, title in enumerate(titles, start=1):
            suffix = "" if i == 1 else str(i)
            left, right = (i - 1) * width + gap / 2, i * width - gap / 2
            figure.layout[f"xaxis{suffix}"] = {"domain": [left, right], "anchor": f"y{suffix}"}
            figure.layout[f"yaxis{suffix}"] = {"anchor": f"x{suffix}"}
            annotations.append(
                {
                    "text": _plain(title),
                    "x": (left + right) / 2,
                    "y": 1.0,
                    "xref": "paper",
                    "yref": "paper",
                    "xanchor": "center",
                    "yanchor": "bottom",
                    "showarrow": False,
                    "font": {"size": 10},
                }
            )
        figure.layout["annotations"] = annotations
        return figure

    def axes(self, x: str = "", y: str = "", col: int = 1) -> "Figure":
        """Title the axes of panel `col` (with the unit: "Amount (¥)", "Rate (%)", "Leads")."""
        suffix = "" if col == 1 else str(col)
        for axis, title in (("xaxis", x), ("yaxis", y)):
            if title:
                self.layout.setdefault(f"{axis}{suffix}", {})["title"] = {"text": _plain(title)}
        return self

    def axis_titles(self) -> dict[str, str]:
        """{"xaxis": title, "yaxis2": title, …} of the axes that have one."""
        return {
            name: value["title"]["text"]
            for name, value in self.layout.items()
            if name.startswith(("xaxis", "yaxis")) and "title" in value
        }

    def plotted_values(self) -> list:
        """Every number the traces plot (categories left out)."""
        values = []
        for trace in self.data:
            for name in ("x", "y", "values"):
                values += [
                    v
                    for v in trace.get(name) or []
                    if isinstance(v, int | float) and not isinstance(v, bool)
                ]
        return values

    def is_empty(self) -> bool:
        """Nothing but zeros and gaps to plot."""
        return not any(self.plotted_values())

    def add(self, kind: str, *, row=None, col=None, **trace) -> "Figure":
        if col and col > 1:
            trace.update(xaxis=f"x{col}", yaxis=f"y{col}")
        self.data.append({"type": kind, **{k: _plain(v) for k, v in trace.items()}})
        return self

    def add_bar(self, **trace) -> "Figure":
        return self.add("bar", **trace)

    def add_scatter(self, **trace) -> "Figure":
        return self.add("scatter", **trace)

    def add_hline(self, y: float) -> "Figure":
        self.layout.setdefault("shapes", []).append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": y,
                "y1": y,
                "line": {"dash": "dash", "color": "#888"},
            }
        )
        return self


def escape_text(text) -> str:
    """A label plotly.js shows as the characters given (see ``_plain``)."""
    return escape(str(text), quote=False)


def _plain(value):
    """Lazy translations and Decimals as the JSON plotly.js reads; text escaped.

    plotly.js renders a subset of HTML in every label, legend and hover text (``<a href>``
    becomes a clickable link, ``<b>``, ``<br>``, styles), and labels here are names people
    type (reps, teams, customers, channels). Escaped, a tag shows as the characters typed:
    plotly.js turns the entities back into text, never into markup."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float | bool | dict) or value is None:
        return value
    return escape(str(value), quote=False)


LAYOUT = {
    "height": 340,
    "margin": {"l": 40, "r": 20, "t": 30, "b": 40},
    "legend": {"orientation": "h", "y": -0.2},
}


@cache
def _template() -> dict:
    return pio.templates["plotly_white"].to_plotly_json()
