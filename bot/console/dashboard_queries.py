"""The dashboard's figures from the gateway database: handoffs, waits, outcomes, reports, the live queue.

Only counts, times and codes are read (status, outcome, language, country, category); never a
message, a note or a report's details. Every query takes a `Scope`: one agency, or the whole
deployment (admins only; the view decides who gets which scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Dict, List, Optional, Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.dashboard_figures import Table, WaitSummary, counts_table, day_table, summarise_waits
from bot.handoff.hours import parse_hours
from bot.store.models import Agency, Case, CaseAccess, ConsoleUser, Handoff

OUTCOMES = {
    "resolved": "Resolved", "information_given": "Information given", "referred_elsewhere": "Referred elsewhere",
    "report_filed": "Report filed", "user_left": "User left", "no_response": "No response", "other": "Other",
    "cancelled": "Cancelled before a counselor came", "open": "Still open",
}
REASONS = {
    "request_human": "Asked for a person", "emergency": "Emergency", "job_check": "After a job-offer check",
    "report": "After a report",
}
CATEGORIES = {
    "trafficking": "Trafficking", "labour_exploitation": "Labour exploitation",
    "sexual_exploitation": "Sexual exploitation", "missing_child": "Missing child", "online_abuse": "Online abuse",
}


def _utc(moment: Optional[datetime]) -> Optional[datetime]:
    """SQLite gives naive datetimes back; everything stored is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Scope:
    """Whose figures (one agency, or None for the whole deployment) over which days (UTC, inclusive)."""

    agency_id: Optional[str]
    first_day: date
    last_day: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time(0), tzinfo=timezone.utc)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.last_day + timedelta(days=1), time(0), tzinfo=timezone.utc)

    @property
    def days(self) -> List[str]:
        count = (self.last_day - self.first_day).days + 1
        return [(self.first_day + timedelta(days=i)).isoformat() for i in range(count)]


@dataclass
class HandoffFigures:
    per_day: Table
    outcomes: Table
    reasons: Table
    languages: Table
    waits: WaitSummary


async def handoff_figures(session: AsyncSession, scope: Scope) -> HandoffFigures:
    """Handoffs requested in the range: per day, outcome, reason, language, and their waits.

    A wait is claimed_at - queued_at: a request put back in the queue counts from its last queueing.
    """
    query = select(
        Handoff.requested_at, Handoff.queued_at, Handoff.claimed_at, Handoff.status, Handoff.outcome,
        Handoff.reason, Handoff.language,
    ).where(Handoff.requested_at >= scope.start, Handoff.requested_at < scope.end)
    if scope.agency_id is not None:
        query = query.where(Handoff.agency_id == scope.agency_id)
    per_day: Dict[str, int] = {}
    outcomes: Dict[str, int] = {}
    reasons: Dict[str, int] = {}
    languages: Dict[str, int] = {}
    waits: List[float] = []
    for requested_at, queued_at, claimed_at, status, outcome, reason, language in (await session.execute(query)):
        day = (_utc(requested_at) or scope.start).date().isoformat()
        per_day[day] = per_day.get(day, 0) + 1
        result = outcome or ("cancelled" if status == "cancelled" else "open" if status in ("queued", "active")
                             else "other")
        outcomes[result] = outcomes.get(result, 0) + 1
        reasons[reason] = reasons.get(reason, 0) + 1
        languages[language or "?"] = languages.get(language or "?", 0) + 1
        queued, claimed = _utc(queued_at), _utc(claimed_at)
        if queued is not None and claimed is not None:
            waits.append((claimed - queued).total_seconds())
    return HandoffFigures(
        per_day=day_table("handoffs_per_day", "Handoffs per day", scope.days, per_day,
                          note="Days are UTC. Days with 1 to 4 handoffs show as <5 and are not drawn."),
        outcomes=counts_table("outcomes", "Outcomes", "Outcome", outcomes, OUTCOMES),
        reasons=counts_table("handoff_reasons", "Why a person was asked for", "Reason", reasons, REASONS),
        languages=counts_table("languages", "Languages of handoffs", "Language", languages),
        waits=summarise_waits(waits),
    )


async def report_figures(session: AsyncSession, scope: Scope) -> tuple[Table, Table]:
    """Reports and missing-child intakes made in the range, by country and by category.

    An agency counts the cases it was given access to (routed or referred).
    """
    by_country: Dict[str, int] = {}
    by_category: Dict[str, int] = {}
    for column, into in ((Case.country, by_country), (Case.category, by_category)):
        query = (
            select(column, func.count(func.distinct(Case.id)))
            .where(Case.created_at >= scope.start, Case.created_at < scope.end)
            .group_by(column)
        )
        if scope.agency_id is not None:
            query = query.join(CaseAccess, CaseAccess.case_id == Case.id).where(CaseAccess.agency_id == scope.agency_id)
        for key, count in await session.execute(query):
            into[key or "not given"] = int(count)
    return (
        counts_table("reports_by_country", "Reports by country", "Country", by_country),
        counts_table("reports_by_category", "Reports by category", "Category", by_category, CATEGORIES),
    )


@dataclass(frozen=True)
class QueueHealth:
    """One agency's queue now. Live operational figures: not suppressed (see docs/dashboard.md)."""

    agency_id: str
    agency_name: str
    waiting: int
    longest_wait_minutes: Optional[int]
    counselors_online: int
    on_duty: Optional[bool]  # by the directory's opening hours; None when they cannot be read


async def queue_health(
    session: AsyncSession, agencies: Sequence[Agency], online: Dict[str, int], now: datetime,
) -> List[QueueHealth]:
    ids = [agency.id for agency in agencies]
    waiting: Dict[str, tuple[int, Optional[datetime]]] = {}
    if ids:
        rows = await session.execute(
            select(Handoff.agency_id, func.count(Handoff.id), func.min(Handoff.queued_at))
            .where(Handoff.status == "queued", Handoff.agency_id.in_(ids))
            .group_by(Handoff.agency_id)
        )
        waiting = {agency_id: (int(count), _utc(oldest)) for agency_id, count, oldest in rows}
    health = []
    for agency in agencies:
        count, oldest = waiting.get(agency.id, (0, None))
        hours = parse_hours(agency.opening_hours, agency.timezone)
        health.append(QueueHealth(
            agency_id=agency.id, agency_name=agency.name, waiting=count,
            longest_wait_minutes=max(0, int((now - oldest).total_seconds() // 60)) if oldest else None,
            counselors_online=online.get(agency.id, 0),
            on_duty=hours.on_duty(now) if hours else None,
        ))
    return health


async def console_agencies(session: AsyncSession, agency_id: Optional[str] = None) -> List[Agency]:
    """Agencies that use the console (they have active users), or just `agency_id`."""
    query = select(Agency).where(Agency.active.is_(True)).order_by(Agency.name)
    if agency_id is not None:
        query = query.where(Agency.id == agency_id)
    else:
        users = select(ConsoleUser.agency_id).where(ConsoleUser.active.is_(True))
        query = query.where(Agency.id.in_(users))
    return list((await session.scalars(query)).all())


async def handed_off_conversations(session: AsyncSession, agency_id: str) -> List[str]:
    """Pseudonyms of conversations that reached `agency_id` (tracker figures for that agency)."""
    rows = await session.scalars(select(Handoff.conversation_id).where(Handoff.agency_id == agency_id).distinct())
    return list(rows.all())
