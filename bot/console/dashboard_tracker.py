"""What people ask about and what job-offer checks found, counted in Rasa's tracker store (read-only).

Rasa's SQL tracker store keeps one row per event in `events` (sender_id, type_name, timestamp,
intent_name, action_name, data). We count user events by intent, the FAQ topic the response
selector chose, and the `last_job_check` slot (risk and flags) that actions/job_offer/verdict.py
sets. JSON fields are picked out inside the database: no message text is ever fetched.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from sqlalchemy import Float, String, Text, cast, column, func, select, table
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.console.dashboard_figures import Table, counts_table
from bot.console.dashboard_queries import Scope

logger = logging.getLogger(__name__)

EVENTS = table(
    "events",
    column("sender_id", String), column("type_name", String), column("timestamp", Float),
    column("intent_name", String), column("action_name", String), column("data", Text),
)
FAQ_KEY = ("parse_data", "response_selector", "faq", "response", "intent_response_key")
# Sender ids per IN (...) list when figures are limited to one agency's conversations.
CHUNK = 500
TOP_FLAGS = 10
RISKS = {"high": "High", "medium": "Medium", "low": "Low", "child": "Under 18 (child path)"}


def read_only_url(rasa_url: str) -> Optional[tuple[str, Dict[str, Any]]]:
    """Rasa's synchronous URL as an async, read-only one (and connect args); None when unusable.

    SQLite opens the file with `mode=ro`; PostgreSQL sessions are `default_transaction_read_only`.
    An in-memory SQLite store (`sqlite://`) has nothing another process could read.
    """
    try:
        url = make_url(rasa_url)
    except ArgumentError:
        return None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        return f"sqlite+aiosqlite:///file:{url.database}?mode=ro&uri=true", {}
    if backend == "postgresql":
        async_url = url.set(drivername="postgresql+asyncpg")
        return (async_url.render_as_string(hide_password=False),
                {"server_settings": {"default_transaction_read_only": "on"}})
    return None


def create_tracker_engine(rasa_url: str) -> Optional[AsyncEngine]:
    """A read-only engine on the tracker store, or None (no URL, in-memory, or another database)."""
    target = read_only_url(rasa_url) if rasa_url else None
    if target is None:
        return None
    url, connect_args = target
    return create_async_engine(url, connect_args=connect_args, pool_pre_ping=not url.startswith("sqlite"))


def json_field(dialect: str, path: Sequence[str]) -> Any:
    """The text at `path` in the event's JSON, worked out by the database."""
    if dialect == "sqlite":
        return func.json_extract(EVENTS.c.data, "$." + ".".join(path))
    return func.jsonb_extract_path_text(cast(EVENTS.c.data, postgresql.JSONB), *path)


def _label(key: str) -> str:
    return key.replace("_", " ")


@dataclass
class TrackerFigures:
    intents: Table
    faq_topics: Table
    job_risks: Table
    red_flags: Table


def _chunks(senders: Optional[Sequence[str]]) -> List[Optional[Sequence[str]]]:
    if senders is None:
        return [None]
    return [senders[i:i + CHUNK] for i in range(0, len(senders), CHUNK)]


async def _grouped(conn: AsyncConnection, key: Any, conditions: List[Any], senders: Optional[Sequence[str]],
                   into: Dict[str, int]) -> None:
    query = select(key, func.count()).where(*conditions)
    if senders is not None:
        query = query.where(EVENTS.c.sender_id.in_(senders))
    for value, count in await conn.execute(query.group_by(key)):
        if value:
            into[str(value)] = into.get(str(value), 0) + int(count)


async def tracker_figures(
    engine: AsyncEngine, scope: Scope, senders: Optional[Sequence[str]] = None,
) -> TrackerFigures:
    """Counts over the range; `senders` limits them to those conversations (None: every one).

    Job checks are counted once per conversation and result: with `carry_over_slots_to_new_session`
    Rasa sets the slot again at each new session, and those copies are not new checks.
    """
    dialect = engine.dialect.name
    in_range = [EVENTS.c.timestamp >= scope.start.timestamp(), EVENTS.c.timestamp < scope.end.timestamp()]
    intents: Dict[str, int] = {}
    faq: Dict[str, int] = {}
    risks: Dict[str, int] = {}
    flags: Dict[str, int] = {}
    risk_path, flags_path = ("value", "risk"), ("value", "flags")
    async with engine.connect() as conn:
        for chunk in _chunks(senders):
            if chunk is not None and not chunk:
                continue
            user = [EVENTS.c.type_name == "user", *in_range]
            await _grouped(conn, EVENTS.c.intent_name, user, chunk, intents)
            await _grouped(conn, json_field(dialect, FAQ_KEY), [*user, EVENTS.c.intent_name == "faq"], chunk, faq)
            checks = (
                select(EVENTS.c.sender_id, json_field(dialect, risk_path), json_field(dialect, flags_path))
                .where(EVENTS.c.type_name == "slot", EVENTS.c.action_name == "last_job_check", *in_range)
                .distinct()
            )
            if chunk is not None:
                checks = checks.where(EVENTS.c.sender_id.in_(chunk))
            for _sender, risk, flag_list in await conn.execute(checks):
                if not risk:
                    continue
                risks[str(risk)] = risks.get(str(risk), 0) + 1
                for flag in _flags(flag_list):
                    flags[flag] = flags.get(flag, 0) + 1
    return TrackerFigures(
        intents=counts_table("intents", "What people ask about (intents)", "Intent", intents,
                             {key: _label(key) for key in intents}),
        faq_topics=counts_table("faq_topics", "Questions answered from the FAQ", "Topic", faq,
                                {key: _label(key.split("/", 1)[-1]) for key in faq}),
        job_risks=counts_table("job_checks_by_risk", "Job-offer checks by risk", "Risk", risks, RISKS),
        red_flags=counts_table("red_flags", "Most frequent red flags", "Red flag", flags,
                               {key: _label(key) for key in flags}, total=False, limit=TOP_FLAGS,
                               note="One check can raise several flags, so these do not add up to the checks."),
    )


def _flags(stored: Any) -> List[str]:
    """The flag ids of a check, from the JSON text the database returned."""
    try:
        value = json.loads(stored) if isinstance(stored, str) else stored
    except ValueError:
        return []
    return sorted({str(flag) for flag in value if isinstance(flag, str)}) if isinstance(value, list) else []


async def safe_tracker_figures(
    engine: Optional[AsyncEngine], scope: Scope, senders: Optional[Sequence[str]] = None,
) -> Optional[TrackerFigures]:
    """The figures, or None when the tracker store is not configured or cannot be read now."""
    if engine is None:
        return None
    try:
        return await tracker_figures(engine, scope, senders)
    except (SQLAlchemyError, OSError) as exc:
        logger.warning("tracker store not readable for the dashboard: %s", type(exc).__name__)
        return None
