"""The dashboard's HTML: the range form, the live queue, and each figure as a chart beside its table."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional, Sequence
from urllib.parse import urlencode

from aiohttp import web

from bot.console.auth import User
from bot.console.dashboard_charts import chart
from bot.console.dashboard_figures import SMALLEST, Table
from bot.console.dashboard_queries import QueueHealth
from bot.console.pages import h, render_page
from bot.store.models import Agency

if TYPE_CHECKING:
    from bot.console.dashboard import Figures

STYLESHEET = "/static/console/dashboard.css"
SUPPRESSED_CLASS = ' class="suppressed"'
TRACKER_NOTE = (
    "Counted from the assistant's conversation records (Rasa's tracker store), which are kept only "
    "for the retention period: older days may show fewer than happened. No message text is read."
)


def render_dashboard(user: User, figures: Figures, choices: Sequence[Agency]) -> web.Response:
    scope = figures.scope
    params = {"from": scope.first_day.isoformat(), "to": scope.last_day.isoformat()}
    if scope.agency_id and user.role == "admin":
        params["agency"] = scope.agency_id
    export_query = urlencode(params)
    body = [
        '<h1 id="dashboard-title">Dashboard</h1>',
        f'<p class="summary" id="dashboard-scope">Figures of <strong>{h(figures.scope_name)}</strong>, '
        f"{h(scope.first_day.isoformat())} to {h(scope.last_day.isoformat())} (UTC days). "
        f"Counts from 1 to {SMALLEST - 1} show as &lt;{SMALLEST}: they are not drawn and not in any total.</p>",
        _range_form(user, figures, choices),
        _queue_section(figures.queue, export_query),
        '<section class="group" aria-labelledby="handoffs-title"><h2 id="handoffs-title">Handoffs</h2>',
        _waits(figures, export_query),
        *(_figure(t, export_query) for t in (figures.handoffs.per_day, figures.handoffs.outcomes,
                                             figures.handoffs.reasons, figures.handoffs.languages)),
        "</section>",
        _tracker_sections(figures, export_query),
        '<section class="group" aria-labelledby="reports-title"><h2 id="reports-title">Reports</h2>',
        *(_figure(t, export_query) for t in figures.reports),
        "</section>",
    ]
    return render_page("Dashboard", "".join(body), user, stylesheets=(STYLESHEET,))


def _range_form(user: User, figures: Figures, choices: Sequence[Agency]) -> str:
    scope = figures.scope
    agency = ""
    if user.role == "admin":
        options = ['<option value="">Whole deployment</option>'] + [
            f'<option value="{h(a.id)}"{" selected" if a.id == scope.agency_id else ""}>{h(a.name)}</option>'
            for a in choices
        ]
        agency = f'<label for="agency">Agency</label><select id="agency" name="agency">{"".join(options)}</select>'
    return (
        '<form class="range" method="get" action="/console/dashboard">'
        f'<label for="from">From</label><input type="date" id="from" name="from" value="{scope.first_day}">'
        f'<label for="to">To</label><input type="date" id="to" name="to" value="{scope.last_day}">'
        f'{agency}<button type="submit">Show</button></form>'
    )


def _export_link(name: str, query: str, title: str) -> str:
    return (f'<a class="export" href="/console/dashboard/export/{h(name)}.csv?{h(query)}" download>'
            f"Download “{h(title)}” as CSV</a>")


def _queue_section(queue: List[QueueHealth], query: str) -> str:
    rows = []
    for q in queue:
        longest = "—" if q.longest_wait_minutes is None else f"{q.longest_wait_minutes} min"
        duty = "unknown hours" if q.on_duty is None else "open" if q.on_duty else "closed"
        rows.append(f'<tr data-agency="{h(q.agency_id)}"><th scope="row">{h(q.agency_name)}</th>'
                    f'<td class="num waiting">{q.waiting}</td><td class="num">{h(longest)}</td>'
                    f'<td class="num online">{q.counselors_online}</td><td>{h(duty)}</td></tr>')
    table = (
        '<table class="figures" id="queue-now"><thead><tr><th scope="col">Agency</th><th scope="col">Waiting</th>'
        '<th scope="col">Longest wait</th><th scope="col">Counselors online</th>'
        '<th scope="col">Opening hours</th></tr></thead><tbody>' + "".join(rows) + "</tbody></table>"
        if rows else '<p class="empty">No agency uses the console yet.</p>'
    )
    return (
        '<section class="group" aria-labelledby="queue-title"><h2 id="queue-title">Queue now</h2>'
        '<p class="note">As of loading this page (reload for new figures). These are the same live figures the '
        "queue page shows, so they are not suppressed. “Counselors online” counts open consoles.</p>"
        f"{table}{_export_link('queue_now', query, 'Queue now')}</section>"
    )


def _measured(claimed: int) -> str:
    # Not the exact number: it is a total of the same handoffs the tables below break down.
    return "from 5 or more waits" if claimed >= SMALLEST else "fewer than 5 waits so far"


def _minutes(value: Optional[float]) -> str:
    return "not shown (fewer than 5 waits)" if value is None else f"{value:g} min"


def _waits(figures: Figures, query: str) -> str:
    waits = figures.handoffs.waits
    return (
        '<div class="tiles" id="waits">'
        f'<p class="tile"><span class="tile-label">Median wait</span><span class="tile-value" id="median-wait">'
        f"{h(_minutes(waits.median_minutes))}</span></p>"
        f'<p class="tile"><span class="tile-label">90% waited at most</span><span class="tile-value" id="p90-wait">'
        f"{h(_minutes(waits.p90_minutes))}</span></p>"
        "</div>"
        '<p class="note">Wait: from joining the queue to a counselor taking the conversation, for requests made '
        f"in the range; {h(_measured(waits.claimed))}. {_export_link('waits', query, 'Waits')}</p>"
    )


def _figure(table: Table, query: str) -> str:
    # A per-day table lists only days with any: the chart has every day, and so has the CSV.
    listed = [row for row in table.rows if row.count] if table.chart == "line" else table.rows
    if listed:
        cells = "".join(
            f'<tr data-key="{h(row.key)}"{SUPPRESSED_CLASS if row.suppressed else ""}>'
            f'<th scope="row">{h(row.label)}</th><td class="num">{h(row.display)}</td></tr>'
            for row in listed
        )
        total = (f'<tfoot><tr><th scope="row">Total shown</th><td class="num">{table.total_shown}</td></tr></tfoot>'
                 if table.total else "")
        data = (f'<table class="figures" id="table-{h(table.name)}"><thead><tr><th scope="col">{h(table.column)}</th>'
                f'<th scope="col">Count</th></tr></thead><tbody>{cells}</tbody>{total}</table>')
        drawing = chart(table)
    else:
        data, drawing = '<p class="empty">None in this range.</p>', ""
    notes = [table.note] if table.note else []
    if table.any_suppressed and table.chart != "line":
        notes.append("Rows of fewer than 5 are not drawn and not in the total.")
    if any(row.hidden for row in table.rows):
        notes.append("“hidden”: a count of 5 or more left out too, so that the one count under 5 cannot be "
                     "worked out by subtraction from another table.")
    note = f'<p class="note">{h(" ".join(notes))}</p>' if notes else ""
    return (
        f'<section class="figure" id="figure-{h(table.name)}" aria-labelledby="title-{h(table.name)}">'
        f'<h3 id="title-{h(table.name)}">{h(table.title)}</h3>'
        f'<div class="figure-body"><div class="chart-box">{drawing}</div>{data}</div>{note}'
        f"{_export_link(table.name, query, table.title) if table.rows else ''}</section>"
    )


def _tracker_sections(figures: Figures, query: str) -> str:
    if not figures.tracker_configured:
        why = "the assistant's records are not configured for the gateway (RASA_TRACKER_URL)."
    elif figures.tracker is None:
        why = "the assistant's records could not be read just now."
    else:
        why = ""
    scope_note = (
        "Only conversations that reached this agency through a handoff are counted."
        if figures.scope.agency_id else "Every conversation with the assistant is counted."
    )
    intro = f'<p class="note">{h(TRACKER_NOTE)} {h(scope_note)}</p>'
    if why:
        return (
            '<section class="group" aria-labelledby="asks-title"><h2 id="asks-title">What people ask about</h2>'
            f'<p class="empty">Not available: {h(why)}</p></section>'
        )
    tracker = figures.tracker
    assert tracker is not None
    return (
        '<section class="group" aria-labelledby="asks-title"><h2 id="asks-title">What people ask about</h2>'
        f"{intro}{_figure(tracker.intents, query)}{_figure(tracker.faq_topics, query)}</section>"
        '<section class="group" aria-labelledby="checks-title"><h2 id="checks-title">Job-offer checks</h2>'
        f"{intro}{_figure(tracker.job_risks, query)}{_figure(tracker.red_flags, query)}</section>"
    )
