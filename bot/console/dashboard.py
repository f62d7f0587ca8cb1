"""The supervisor dashboard: routes, the date range and scope, and CSV exports.

Supervisors see their own agency; admins the whole deployment or one agency; counselors get 403.
The scope is decided here, on the server, from the signed-in user; a query parameter can narrow
an admin's view but never widen a supervisor's. Every view and export is audited (no figures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import AsyncIterator, Dict, List, Optional, Sequence

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app_keys import DB, DESK, SETTINGS
from bot.console.audit import audit
from bot.console.auth import User, require_user
from bot.console.dashboard_figures import SMALLEST, Table, table_csv, to_csv
from bot.console.dashboard_page import render_dashboard
from bot.console.dashboard_queries import (
    HandoffFigures,
    QueueHealth,
    Scope,
    console_agencies,
    handed_off_conversations,
    handoff_figures,
    queue_health,
    report_figures,
)
from bot.console.dashboard_tracker import TrackerFigures, create_tracker_engine, safe_tracker_figures
from bot.handoff import service
from bot.store.models import Agency

routes = web.RouteTableDef()
TRACKER: web.AppKey[Optional[AsyncEngine]] = web.AppKey("dashboard_tracker")
ROLES = ("supervisor", "admin")
DEFAULT_DAYS = 30
MAX_DAYS = 366
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


async def tracker_context(app: web.Application) -> AsyncIterator[None]:
    """A read-only engine on Rasa's tracker store for the life of the app (None when not configured)."""
    engine = create_tracker_engine(app[SETTINGS].rasa_tracker_url)
    app[TRACKER] = engine
    yield
    if engine is not None:
        await engine.dispose()


def _bad(reason: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=f"{reason}. Dates are YYYY-MM-DD, at most {MAX_DAYS} days apart.")


def _day(value: Optional[str], default: date) -> date:
    if not value:
        return default
    if not _DAY.match(value):
        raise _bad("A date is not written as YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _bad("A date does not exist") from None


def date_range(query: Dict[str, str], today: date) -> tuple[date, date]:
    """`from` and `to` (inclusive, UTC days) from the query; by default the last 30 days."""
    last = _day(query.get("to"), today)
    first = _day(query.get("from"), last - timedelta(days=DEFAULT_DAYS - 1))
    if first > last:
        raise _bad("The first day is after the last")
    if (last - first).days + 1 > MAX_DAYS:
        raise _bad("The range is too long")
    return first, last


async def scope_for(request: web.Request, user: User, today: date) -> tuple[Scope, List[Agency]]:
    """The figures this user may see, and the agencies an admin can choose from."""
    first, last = date_range(dict(request.query), today)
    wanted = request.query.get("agency", "")
    async with request.app[DB]() as session:
        if user.role != "admin":
            if wanted and wanted != user.agency_id:
                raise web.HTTPForbidden(text="A supervisor sees only their own agency's figures.")
            return Scope(user.agency_id, first, last), []
        choices = await console_agencies(session)
        if wanted and wanted not in {agency.id for agency in choices}:
            raise _bad("No such agency on the console")
    return Scope(wanted or None, first, last), choices


@dataclass
class Figures:
    scope: Scope
    scope_name: str
    queue: List[QueueHealth]
    handoffs: HandoffFigures
    reports: tuple[Table, Table]
    tracker: Optional[TrackerFigures]
    tracker_configured: bool

    def tables(self) -> Dict[str, Table]:
        found = [self.handoffs.per_day, self.handoffs.outcomes, self.handoffs.reasons, self.handoffs.languages,
                 *self.reports]
        if self.tracker is not None:
            t = self.tracker
            found += [t.intents, t.faq_topics, t.job_risks, t.red_flags]
        return {table.name: table for table in found}


async def collect(request: web.Request, scope: Scope, choices: Sequence[Agency]) -> Figures:
    hub = request.app[DESK].hub
    async with request.app[DB]() as session:
        agencies = await console_agencies(session, scope.agency_id)
        online = {agency.id: hub.online_in(agency.id) for agency in agencies}
        queue = await queue_health(session, agencies, online, service.now_utc())
        handoffs = await handoff_figures(session, scope)
        reports = await report_figures(session, scope)
        senders = None if scope.agency_id is None else await handed_off_conversations(session, scope.agency_id)
    engine = request.app[TRACKER]
    tracker = await safe_tracker_figures(engine, scope, senders)
    if scope.agency_id is None:
        name = "the whole deployment"
    else:
        names = {agency.id: agency.name for agency in [*agencies, *choices]}
        name = names.get(scope.agency_id, scope.agency_id)
    return Figures(scope, name, queue, handoffs, reports, tracker, engine is not None)


def _audit_detail(scope: Scope, today: date) -> Dict[str, object]:
    # Dates would look like phone numbers to audit(); the row's own time dates the range.
    return {
        "figures_of": scope.agency_id or "all",
        "range_days": (scope.last_day - scope.first_day).days + 1,
        "ends_days_ago": (today - scope.last_day).days,
    }


def _today() -> date:
    return datetime.now(timezone.utc).date()


@routes.get("/console/dashboard")
async def dashboard_page(request: web.Request) -> web.Response:
    user = await require_user(request, roles=ROLES)
    today = _today()
    scope, choices = await scope_for(request, user, today)
    figures = await collect(request, scope, choices)
    async with request.app[DB]() as session, session.begin():
        await audit(session, user, "view_dashboard", detail=_audit_detail(scope, today))
    return render_dashboard(user, figures, choices)


@routes.get("/console/dashboard/export/{table}.csv")
async def export_csv(request: web.Request) -> web.Response:
    user = await require_user(request, roles=ROLES)
    today = _today()
    scope, choices = await scope_for(request, user, today)
    name = request.match_info["table"]
    figures = await collect(request, scope, choices)
    heading = (
        f"SafePassage dashboard, figures of {figures.scope_name}",
        f"From {scope.first_day.isoformat()} to {scope.last_day.isoformat()} (UTC days)",
        "Counts from 1 to 4 are shown as <5 and are left out of every total; so is a count shown as hidden.",
    )
    tables = figures.tables()
    if name in tables:
        body = table_csv(tables[name], heading)
    elif name == "queue_now":
        body = to_csv([[line] for line in heading[:1]] + queue_rows(figures.queue))
    elif name == "waits":
        body = to_csv([[line] for line in heading] + wait_rows(figures.handoffs))
    else:
        raise web.HTTPNotFound(text="No such table on the dashboard.")
    async with request.app[DB]() as session, session.begin():
        await audit(session, user, "export_dashboard", detail={"table": name, **_audit_detail(scope, today)})
    filename = f"safepassage-{name}-{scope.first_day.isoformat()}-{scope.last_day.isoformat()}.csv"
    return web.Response(
        text=body, content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def queue_rows(queue: Sequence[QueueHealth]) -> List[List[str]]:
    """The live queue as CSV rows: operational figures, shown as on the queue page (not suppressed)."""
    rows = [["Agency", "Waiting now", "Longest wait (minutes)", "Counselors online", "On duty by opening hours"]]
    for q in queue:
        on_duty = "unknown" if q.on_duty is None else "yes" if q.on_duty else "no"
        longest = "" if q.longest_wait_minutes is None else str(q.longest_wait_minutes)
        rows.append([q.agency_name, str(q.waiting), longest, str(q.counselors_online), on_duty])
    return rows


def wait_rows(handoffs: HandoffFigures) -> List[List[str]]:
    waits = handoffs.waits
    return [
        ["Measure", "Value"],
        ["Waits measured", "5 or more" if waits.claimed >= SMALLEST else "<5"],
        ["Median wait (minutes)", "" if waits.median_minutes is None else str(waits.median_minutes)],
        ["90th percentile wait (minutes)", "" if waits.p90_minutes is None else str(waits.p90_minutes)],
    ]
