"""Erasure on request ("delete my data") and the stores it reaches, Rasa's tracker store included.

The user confirms with the button Rasa offered (`utter_confirm_delete_data`); the turn runner
answers with a note and marks the conversation (`erase_requested_at`). Once that note is out,
`erase_requested` erases everything of the conversation in the gateway database and deletes
its events from Rasa's tracker store (Rasa 3.6 has no delete endpoint, so the gateway deletes
the rows of the SQL tracker store it is configured with, `RASA_TRACKER_URL`).

Reports the user filed are kept for the agencies, anonymised: kind, category, country, dates,
routing and status stay; the narrative, contact details, private notes and the link to the
conversation go. Handoffs keep their timing for the queue figures, without context or link.

A safe-journey trusted contact told about a missed check-in has a WhatsApp conversation of its own
holding that message (the user's destination and date). When the contact never wrote to the
service, that conversation is the user's data and is erased with theirs; when the contact did
write, it is the contact's own conversation and stays (it holds their words, not the user's).
"""

from __future__ import annotations

import json
import logging
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import AsyncIterator, List, Optional, Set

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker, create_async_engine

from bot.checkins.models import CheckinPlan
from bot.crypto import KeySet
from bot.pseudonym import pseudonym
from bot.store.models import (
    Case,
    CaseAccess,
    CaseNote,
    Conversation,
    Handoff,
    HandoffMessage,
    Identifier,
    InboxMessage,
    OutboxMessage,
    StatusCheck,
    UrgentRequest,
    utcnow,
)

logger = logging.getLogger(__name__)

ERASE_PAYLOAD = "/erase_my_data"  # the "Yes, erase" button of utter_confirm_delete_data
KEEP_PAYLOAD = "/keep_my_data"
# Anonymised cases and handoffs point to this conversation row, which holds nothing.
ERASED_CONVERSATION = "erased"
# A note not delivered after this long does not hold the erasure back.
DELIVERY_GRACE = timedelta(minutes=2)


@dataclass
class Erased:
    conversations: int = 0
    cases_anonymised: int = 0
    tracker_events: int = 0
    contacts_erased: int = 0  # trusted contacts' conversations that held only the service's message
    agencies: Set[str] = field(default_factory=set)  # their consoles' queues changed


def async_tracker_url(url: str) -> str:
    """Rasa's SQLAlchemy URL (sync drivers) as an async one for the gateway."""
    if url.startswith("sqlite:"):
        return "sqlite+aiosqlite:" + url[len("sqlite:") :]
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


@asynccontextmanager
async def tracker_events(tracker_url: str) -> AsyncIterator[Optional[AsyncConnection]]:
    """A transaction on Rasa's SQL tracker store that deletes for good (SQLite overwrites deleted
    rows rather than leaving them in free pages); None when there is no tracker store configured
    (tests of the gateway alone) or no `events` table yet."""
    if not tracker_url:
        yield None
        return
    engine = create_async_engine(async_tracker_url(tracker_url))
    try:
        async with engine.begin() as connection:
            if not await connection.run_sync(lambda sync: sync.dialect.has_table(sync, "events")):
                yield None
                return
            if connection.dialect.name == "sqlite":
                await connection.exec_driver_sql("PRAGMA secure_delete=ON")
            yield connection
    finally:
        await engine.dispose()


async def tracker_delete(tracker_url: str, where: str, params: dict[str, object]) -> int:
    """Delete Rasa tracker events matching `where` (bound parameters only); how many."""
    async with tracker_events(tracker_url) as connection:
        if connection is None:
            return 0
        result = await connection.execute(text(f"DELETE FROM events WHERE {where}"), params)  # noqa: S608
        return int(result.rowcount or 0)


async def _erased_row(session: AsyncSession) -> None:
    if await session.get(Conversation, ERASED_CONVERSATION) is None:
        session.add(Conversation(id=ERASED_CONVERSATION, channel="none", owner="bot"))
        await session.flush()


async def _trusted_contacts_told(
    session: AsyncSession, keys: KeySet, pseudonym_key: str, conversation_id: str
) -> List[str]:
    """The conversations of this user's trusted contacts that hold only what the service sent them."""
    found: List[str] = []
    plans = await session.scalars(select(CheckinPlan).where(CheckinPlan.conversation_id == conversation_id))
    for plan in plans.all():
        if not plan.contact_encrypted:
            continue
        contact = json.loads(keys.decrypt(plan.contact_encrypted))
        if contact.get("kind") != "whatsapp":
            continue  # only WhatsApp contacts are ever messaged (bot/checkins/scheduler.py)
        digits = "".join(c for c in str(contact.get("value", "")) if c.isdigit())
        contact_id = pseudonym(pseudonym_key, "whatsapp", digits)
        if contact_id == conversation_id or await session.get(Conversation, contact_id) is None:
            continue
        wrote = await session.scalar(select(InboxMessage.id).where(InboxMessage.conversation_id == contact_id).limit(1))
        involved = await session.scalar(
            select(Handoff.id).where(Handoff.conversation_id == contact_id).limit(1)
        ) or await session.scalar(select(Case.id).where(Case.conversation_id == contact_id).limit(1))
        if wrote is None and involved is None:
            found.append(contact_id)
    return found


async def erase_in_gateway(
    session: AsyncSession, keys: KeySet, conversation_id: str, result: Erased, pseudonym_key: str = ""
) -> None:
    """Everything of one conversation in the gateway database (the caller commits)."""
    if pseudonym_key:
        for contact_id in await _trusted_contacts_told(session, keys, pseudonym_key, conversation_id):
            await session.execute(delete(OutboxMessage).where(OutboxMessage.conversation_id == contact_id))
            await session.execute(delete(Identifier).where(Identifier.conversation_id == contact_id))
            await session.execute(delete(Conversation).where(Conversation.id == contact_id))
            result.contacts_erased += 1
    await _erased_row(session)
    now = utcnow()
    for handoff in (await session.scalars(select(Handoff).where(Handoff.conversation_id == conversation_id))).all():
        if handoff.status in ("queued", "active"):
            handoff.status = "closed" if handoff.status == "active" else "cancelled"
            handoff.outcome, handoff.closed_at, handoff.lease_expires_at = "erased", now, None
            result.agencies.add(handoff.agency_id)
        handoff.context_encrypted = None
        handoff.referral_note_encrypted = None
        handoff.conversation_id = ERASED_CONVERSATION
    await session.execute(delete(HandoffMessage).where(HandoffMessage.conversation_id == conversation_id))
    case_ids: List[int] = list(
        (await session.scalars(select(Case.id).where(Case.conversation_id == conversation_id))).all()
    )
    if case_ids:
        await session.execute(
            update(Case)
            .where(Case.id.in_(case_ids))
            .values(
                conversation_id=ERASED_CONVERSATION,
                details_encrypted=keys.encrypt(json.dumps({})),
                contact_encrypted=None,
                contact_method="anonymous",
                public_note_encrypted=None,
                updated_at=now,
            )
        )
        await session.execute(delete(CaseNote).where(CaseNote.case_id.in_(case_ids)))
        await session.execute(
            update(CaseAccess).where(CaseAccess.case_id.in_(case_ids)).values(referral_reason_encrypted=None)
        )
        result.cases_anonymised += len(case_ids)
    for model in (InboxMessage, OutboxMessage, Identifier, UrgentRequest):
        await session.execute(delete(model).where(model.conversation_id == conversation_id))
    await session.execute(delete(StatusCheck).where(StatusCheck.conversation_id == conversation_id))
    await session.execute(delete(Conversation).where(Conversation.id == conversation_id))
    result.conversations += 1


async def erase(
    db: async_sessionmaker[AsyncSession], keys: KeySet, tracker_url: str, conversation_id: str,
    pseudonym_key: str = "",
) -> Erased:
    """Erase one conversation everywhere: Rasa's tracker store, then the gateway database.

    In that order, the conversation row (with its `erase_requested_at`) goes last: when the
    tracker store cannot be reached the erasure is tried again, and once the row is gone
    nothing of the conversation is left anywhere.
    """
    result = Erased()
    result.tracker_events = await tracker_delete(tracker_url, "sender_id = :sender", {"sender": conversation_id})
    async with db() as session, session.begin():
        await erase_in_gateway(session, keys, conversation_id, result, pseudonym_key)
    logger.info("erased a conversation on request (%d case(s) anonymised)", result.cases_anonymised)
    return result


async def erase_requested(
    db: async_sessionmaker[AsyncSession], keys: KeySet, tracker_url: str, now: Optional[datetime] = None,
    pseudonym_key: str = "",
) -> Erased:
    """Erase every conversation whose user confirmed, once its last note is out (or long overdue)."""
    now = now or utcnow()
    total = Erased()
    async with db() as session:
        due = (
            await session.execute(
                select(Conversation.id, Conversation.erase_requested_at).where(
                    Conversation.erase_requested_at.is_not(None)
                )
            )
        ).all()
        waiting = set(
            (
                await session.scalars(
                    select(OutboxMessage.conversation_id).where(
                        OutboxMessage.conversation_id.in_([row.id for row in due]), OutboxMessage.status == "pending"
                    )
                )
            ).all()
        )
    for conversation_id, requested_at in due:
        assert requested_at is not None
        if requested_at.tzinfo is None:
            requested_at = requested_at.replace(tzinfo=now.tzinfo)
        if conversation_id in waiting and now - requested_at < DELIVERY_GRACE:
            continue
        done = await erase(db, keys, tracker_url, conversation_id, pseudonym_key)
        total.conversations += done.conversations
        total.cases_anonymised += done.cases_anonymised
        total.tracker_events += done.tracker_events
        total.contacts_erased += done.contacts_erased
        total.agencies |= done.agencies
    return total
