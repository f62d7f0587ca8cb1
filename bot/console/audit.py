"""The audit log: one row per login, logout, view or action, in the caller's transaction.

Details are small JSON objects about *what* was done (a reason, a count, a target user's id),
never message text, phone numbers, passwords or tokens: keys that suggest one are refused.

The log is append-only and hash-chained: each row stores the previous row's hash and its own,
SHA-256 over a canonical JSON of its fields and that previous hash, so an edited, inserted or
deleted row breaks the chain (`python -m bot verify-audit`). Writers take turns on the chain's
head (SQLite has one writer; on PostgreSQL an advisory lock).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, AsyncIterator, Dict, Optional

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import AuditEvent, utcnow

if TYPE_CHECKING:
    from bot.console.auth import User

# A detail key made of one of these words (`message_text`, `new_password`, `phone`) is refused.
FORBIDDEN_WORDS = frozenset(
    ("password", "text", "message", "body", "phone", "token", "secret", "address", "contact")
)
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
MAX_VALUE_CHARS = 120


def _check_detail(detail: Dict[str, Any]) -> None:
    for key, value in detail.items():
        if FORBIDDEN_WORDS.intersection(re.split(r"[_\W]+", key.lower())):
            raise ValueError(f"audit detail {key!r} looks like content or a secret: audit the fact, not the content")
        if isinstance(value, dict):
            _check_detail(value)
        elif isinstance(value, str) and (len(value) > MAX_VALUE_CHARS or _PHONE_LIKE.search(value)):
            raise ValueError(f"audit detail {key!r} holds free text or a number that could be a phone number")


async def record(
    session: AsyncSession,
    action: str,
    *,
    user_id: Optional[int] = None,
    agency_id: Optional[str] = None,
    conversation_id: Optional[str] = None,
    detail: Optional[Dict[str, Any]] = None,
) -> None:
    """Add an audit row for someone who is not (or not yet) a signed-in `User`: logins, admin commands."""
    detail = dict(detail or {})
    _check_detail(detail)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(7204)"))  # one writer at the chain's head
    previous = await session.scalar(select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1))
    event = AuditEvent(
        at=utcnow(), user_id=user_id, agency_id=agency_id, action=action[:32],
        conversation_id=conversation_id, detail=detail, prev_hash=previous or GENESIS,
    )
    session.add(event)
    await session.flush()  # the id is part of what is hashed
    event.row_hash = row_hash(event)


GENESIS = "0" * 64


def _utc(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def row_hash(event: AuditEvent) -> str:
    """SHA-256 over the row's canonical JSON (sorted keys, no spaces), the previous hash included."""
    canonical = json.dumps(
        {
            "id": event.id, "at": _utc(event.at), "user_id": event.user_id, "agency_id": event.agency_id,
            "action": event.action, "conversation_id": event.conversation_id, "detail": event.detail,
            "prev_hash": event.prev_hash,
        },
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class Broken:
    """The first row where the chain does not hold, and why."""

    row_id: int
    reason: str


async def verify_chain(session: AsyncSession) -> tuple[int, Optional[Broken]]:
    """Check every row in id order: (rows checked, the first broken row or None).

    The oldest remaining row may point to a hash that is gone (the retention purge removes the
    oldest rows and records that it did); every later row must point to the row before it.
    """
    checked = 0
    previous: Optional[str] = None
    async for event in _rows(session):
        checked += 1
        if event.row_hash is None or event.prev_hash is None:
            return checked, Broken(event.id, "no hash: the row was added outside the audit log's writer")
        if previous is not None and event.prev_hash != previous:
            return checked, Broken(event.id, "does not follow the row before it: a row was deleted or inserted")
        if row_hash(event) != event.row_hash:
            return checked, Broken(event.id, "its content does not match its hash: the row was edited")
        previous = event.row_hash
    return checked, None


async def _rows(session: AsyncSession) -> AsyncIterator[AuditEvent]:
    result = await session.stream_scalars(select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500))
    async for event in result:
        yield event


async def audit(
    session: AsyncSession,
    user: Optional[User],
    action: str,
    conversation_id: Optional[str] = None,
    detail: Optional[dict] = None,  # type: ignore[type-arg]
) -> None:
    """Record what a signed-in user did (the caller commits it with the work itself)."""
    await record(
        session, action,
        user_id=user.id if user else None,
        agency_id=user.agency_id if user else None,
        conversation_id=conversation_id,
        detail=detail,
    )
