"""Retention: the purge that removes what is older than each data class may be kept.

Runs inside the gateway every `PURGE_INTERVAL_MINUTES` and as `python -m bot purge`. The limits
are per data class (docs/privacy.md): messages (inbox, outbox, counselor chat lines, identifiers
typed, urgent requests, status checks, idle conversations and their platform address), Rasa's
tracker events, closed cases, audit entries. Open cases and open handoffs are never purged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Dict, Optional

from sqlalchemy import delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.console.audit import record
from bot.erasure import ERASED_CONVERSATION, tracker_delete
from bot.settings import Settings
from bot.store.models import (
    AuditEvent,
    Case,
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


@dataclass(frozen=True)
class Limits:
    """How long each data class is kept."""

    messages: timedelta
    trackers: timedelta
    closed_cases: timedelta
    audit: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            messages=timedelta(days=settings.retention_messages_days),
            trackers=timedelta(days=settings.retention_trackers_days),
            closed_cases=timedelta(days=settings.retention_closed_cases_days),
            audit=timedelta(days=settings.retention_audit_days),
        )


@dataclass
class Purged:
    rows: Dict[str, int] = field(default_factory=dict)

    def add(self, name: str, count: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + count

    def summary(self) -> str:
        return ", ".join(f"{name} {count}" for name, count in sorted(self.rows.items())) or "nothing"


async def _delete(session: AsyncSession, purged: Purged, name: str, statement: object) -> None:
    result = await session.execute(statement)  # type: ignore[call-overload]
    purged.add(name, int(result.rowcount or 0))


async def purge_gateway(session: AsyncSession, limits: Limits, now: datetime, purged: Purged) -> None:
    """Everything in the gateway database older than allowed (the caller commits)."""
    messages = now - limits.messages
    await _delete(session, purged, "inbox", delete(InboxMessage).where(InboxMessage.received_at < messages))
    await _delete(session, purged, "outbox", delete(OutboxMessage).where(OutboxMessage.created_at < messages))
    await _delete(session, purged, "identifiers", delete(Identifier).where(Identifier.created_at < messages))
    await _delete(
        session, purged, "handoff_messages", delete(HandoffMessage).where(HandoffMessage.created_at < messages)
    )
    await _delete(session, purged, "urgent_requests", delete(UrgentRequest).where(UrgentRequest.created_at < messages))
    await _delete(session, purged, "status_checks", delete(StatusCheck).where(StatusCheck.checked_at < messages))
    await _delete(
        session,
        purged,
        "cases",
        delete(Case).where(Case.status == "closed", Case.updated_at < now - limits.closed_cases),
    )
    # Idle conversations: gone with their address, unless a case or a handoff still refers to them;
    # then only the address (the link to the person) and the remembered choices go.
    idle = (Conversation.last_message_at < messages) & (Conversation.id != ERASED_CONVERSATION)
    referred = exists(select(Case.id).where(Case.conversation_id == Conversation.id)) | exists(
        select(Handoff.id).where(Handoff.conversation_id == Conversation.id, Handoff.status.in_(("queued", "active")))
    )
    await session.execute(
        update(Handoff)
        .where(
            Handoff.status.not_in(("queued", "active")),
            Handoff.conversation_id.in_(select(Conversation.id).where(idle)),
        )
        .values(conversation_id=ERASED_CONVERSATION, context_encrypted=None, referral_note_encrypted=None)
    )
    await _delete(session, purged, "conversations", delete(Conversation).where(idle & ~referred))
    await session.execute(
        update(Conversation)
        .where(idle, Conversation.address.is_not(None))
        .values(address=None, numbered_choices=None, language_hint=None)
    )
    await _delete(session, purged, "audit_log", delete(AuditEvent).where(AuditEvent.at < now - limits.audit))
    if any(purged.rows.values()):
        # The chain now starts later: say so in the chain itself (counts only).
        await record(session, "retention_purge", detail={k: v for k, v in purged.rows.items() if v})


async def purge(
    db: async_sessionmaker[AsyncSession], tracker_url: str, limits: Limits, now: Optional[datetime] = None
) -> Purged:
    """Run the purge on the gateway database and Rasa's tracker store."""
    now = now or utcnow()
    purged = Purged()
    async with db() as session, session.begin():
        if await session.get(Conversation, ERASED_CONVERSATION) is None:
            session.add(Conversation(id=ERASED_CONVERSATION, channel="none", owner="bot"))
            await session.flush()
        await purge_gateway(session, limits, now, purged)
    cutoff = (now - limits.trackers).timestamp()
    purged.add("tracker_events", await tracker_delete(tracker_url, "timestamp < :cutoff", {"cutoff": cutoff}))
    logger.info("retention purge: %s", purged.summary())
    return purged
