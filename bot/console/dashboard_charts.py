"""Hand-written SVG charts for the dashboard: horizontal bars and a per-day line.

Rendered on the server, styled by classes from dashboard.css (the CSP allows no inline style),
with text labels on every bar so a printout reads without colour. Suppressed rows are never drawn.
"""

from __future__ import annotations

from typing import List

from bot.console.dashboard_figures import Table
from bot.console.pages import h

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 60
BAR_HEIGHT = 22
GAP = 8
LINE_HEIGHT = 200
PAD = 30


def bar_chart(table: Table) -> str:
    """One labelled bar per row that may be shown, longest first as the table orders them."""
    rows = table.charted
    if not rows:
        return '<p class="chart-empty">Nothing to draw: no count of 5 or more.</p>'
    biggest = max(row.count for row in rows)
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    parts: List[str] = []
    for i, row in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        length = max(2, round(span * row.count / biggest))
        middle = y + BAR_HEIGHT / 2
        parts.append(
            f'<g class="bar" data-key="{h(row.key)}" data-count="{row.count}">'
            f'<title>{h(row.label)}: {row.count}</title>'
            f'<text class="label" x="{LABEL_WIDTH - 8}" y="{middle}" text-anchor="end" dominant-baseline="middle">'
            f"{h(_short(row.label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length}" height="{BAR_HEIGHT}" rx="3"></rect>'
            f'<text class="value" x="{LABEL_WIDTH + length + 6}" y="{middle}" dominant-baseline="middle">'
            f"{row.count}</text></g>"
        )
    return _svg(table, height, "".join(parts))


def line_chart(table: Table) -> str:
    """Counts per day joined by a line; a suppressed day is a gap, not a zero."""
    rows = table.rows
    biggest = max((row.count for row in table.charted), default=0)
    if biggest == 0:
        return '<p class="chart-empty">Nothing to draw: no day with 5 or more.</p>'
    plot_w, plot_h = WIDTH - 2 * PAD - 20, LINE_HEIGHT - 2 * PAD
    step = plot_w / max(1, len(rows) - 1)

    def x(i: int) -> float:
        return round(PAD + 20 + i * step, 1)

    def y(count: int) -> float:
        return round(PAD + plot_h - plot_h * count / biggest, 1)

    segments: List[List[str]] = [[]]
    points: List[str] = []
    for i, row in enumerate(rows):
        if row.suppressed:
            segments.append([])
            continue
        segments[-1].append(f"{x(i)},{y(row.count)}")
        points.append(
            f'<circle class="point" data-day="{h(row.key)}" data-count="{row.count}" cx="{x(i)}" cy="{y(row.count)}"'
            f' r="3.5"><title>{h(row.label)}: {row.count}</title></circle>'
        )
    lines = "".join(f'<polyline class="line" points="{" ".join(s)}"></polyline>' for s in segments if len(s) > 1)
    axes = (
        f'<line class="axis" x1="{PAD + 20}" y1="{PAD + plot_h}" x2="{WIDTH - PAD}" y2="{PAD + plot_h}"></line>'
        f'<text class="tick" x="{PAD + 14}" y="{y(biggest)}" text-anchor="end" dominant-baseline="middle">'
        f"{biggest}</text>"
        f'<text class="tick" x="{PAD + 14}" y="{y(0)}" text-anchor="end" dominant-baseline="middle">0</text>'
        f'<text class="tick" x="{x(0)}" y="{LINE_HEIGHT - 6}" text-anchor="start">{h(rows[0].label)}</text>'
        f'<text class="tick" x="{x(len(rows) - 1)}" y="{LINE_HEIGHT - 6}" text-anchor="end">{h(rows[-1].label)}</text>'
    )
    return _svg(table, LINE_HEIGHT, axes + lines + "".join(points))


def chart(table: Table) -> str:
    return line_chart(table) if table.chart == "line" else bar_chart(table)


def _short(label: str, most: int = 30) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


def _svg(table: Table, height: int, inner: str) -> str:
    return (
        f'<svg class="chart chart-{h(table.chart)}" id="chart-{h(table.name)}" viewBox="0 0 {WIDTH} {height}"'
        f' role="img" aria-labelledby="title-{h(table.name)}" xmlns="http://www.w3.org/2000/svg">'
        f"{inner}</svg>"
    )
