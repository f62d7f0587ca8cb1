"""Conversation ownership: bot → queued → one counselor → bot, and every move in between.

Each transition is one database transaction that changes the handoff, `Conversation.owner` and,
where the user is told something, the outbox together, so a crash leaves no half-moved state.
Claims are conditional updates ("… WHERE status = 'queued'"): two counselors clicking at once
get one owner and one "already taken". A claim is a lease renewed by the counselor's open
console; an expired lease puts the conversation back at the front of its priority.

User messages reach this module from the turn runner (bot/router.py), one at a time per
conversation, so a message is recorded either for Rasa or for the counselor, exactly once.
"""

from __future__ import annotations

import json
import logging
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional, Protocol, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.audit import record
from bot.crypto import KeySet
from bot.delivery.outbox import enqueue
from bot.handoff import messages
from bot.handoff.hours import parse_hours
from bot.rasa_client import BotReply
from bot.store.models import Agency, Conversation, Handoff, HandoffMessage

logger = logging.getLogger(__name__)

URGENT, NORMAL = 0, 1
OPEN = ("queued", "active")
REASONS = ("request_human", "emergency", "job_check", "report", "checkin")
OUTCOMES = ("resolved", "referred_elsewhere", "information_given", "report_filed", "user_left", "no_response", "other")
TOPICS = {
    "request_human": "Asked for a person",
    "emergency": "Emergency",
    "job_check": "Job offer check",
    "report": "Report",
    "checkin": "Missed check-in",
}


class Actor(Protocol):
    """A console user (bot/console/auth.py's User)."""

    @property
    def id(self) -> int: ...
    @property
    def role(self) -> str: ...
    @property
    def agency_id(self) -> str: ...


class HandoffError(Exception):
    """A move that is not allowed now; `status` is the HTTP status the console answers with."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Effects:
    """What to do once the transaction commits: send the outbox, tell consoles."""

    conversations: set[str] = field(default_factory=set)  # outbox to kick
    agencies: set[str] = field(default_factory=set)  # queues changed
    handoffs: set[int] = field(default_factory=set)  # chats changed
    alerts: List[Dict[str, Any]] = field(default_factory=list)  # supervisor alerts


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def aware(moment: Optional[datetime]) -> Optional[datetime]:
    """SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


async def open_handoff_for(session: AsyncSession, conversation_id: str) -> Optional[Handoff]:
    return (
        await session.scalars(
            select(Handoff)
            .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(OPEN))
            .order_by(Handoff.id.desc())
            .limit(1)
        )
    ).first()


async def _tell(
    session: AsyncSession, keys: KeySet, effects: Effects, handoff: Handoff, reply: BotReply, system: bool = True
) -> None:
    """Send the user a message from the gateway, and show it in the console as a system line."""
    conversation = await session.get(Conversation, handoff.conversation_id)
    if conversation is None:
        return
    await enqueue(session, keys, conversation.id, conversation.channel, [reply])
    if system:
        session.add(
            HandoffMessage(
                handoff_id=handoff.id,
                conversation_id=handoff.conversation_id,
                sender="system",
                body_encrypted=keys.encrypt(reply.text),
            )
        )
    effects.conversations.add(conversation.id)
    effects.handoffs.add(handoff.id)


async def _set_owner(session: AsyncSession, conversation_id: str, owner: str) -> None:
    await session.execute(update(Conversation).where(Conversation.id == conversation_id).values(owner=owner))


async def position(session: AsyncSession, handoff: Handoff) -> int:
    """1 for the next to be claimed in this agency's queue."""
    earlier = Handoff.queued_at < handoff.queued_at
    if handoff.front:
        same_priority_ahead = Handoff.front.is_(True) & earlier
    else:
        same_priority_ahead = Handoff.front.is_(True) | earlier
    ahead = await session.scalar(
        select(func.count())
        .select_from(Handoff)
        .where(
            Handoff.agency_id == handoff.agency_id,
            Handoff.status == "queued",
            Handoff.id != handoff.id,
            (Handoff.priority < handoff.priority) | ((Handoff.priority == handoff.priority) & same_priority_ahead),
        )
    )
    return int(ahead or 0) + 1


async def typical_wait_minutes(session: AsyncSession, agency_id: str, now: datetime) -> Optional[int]:
    """The median wait of this agency's last claims (a week), when there are at least three."""
    rows = (
        await session.execute(
            select(Handoff.queued_at, Handoff.claimed_at)
            .where(
                Handoff.agency_id == agency_id,
                Handoff.claimed_at.is_not(None),
                Handoff.claimed_at > now - timedelta(days=7),
            )
            .order_by(Handoff.claimed_at.desc())
            .limit(20)
        )
    ).all()
    waits = [
        ((aware(claimed) or now) - (aware(queued) or now)).total_seconds() / 60 for queued, claimed in rows if claimed
    ]
    if len(waits) < 3:
        return None
    return max(1, round(statistics.median(waits)))


@dataclass
class Opened:
    handoff: Handoff
    created: bool
    reply: BotReply
    on_duty: Optional[bool]
    position: int


async def open_handoff(
    session: AsyncSession,
    keys: KeySet,
    effects: Effects,
    *,
    conversation_id: str,
    agency: Agency,
    reason: str,
    language: str,
    country: Optional[str],
    topic: str,
    context: Dict[str, Any],
    helplines: str,
    now: Optional[datetime] = None,
) -> Opened:
    """bot → queued (or the open request again). The returned reply is for the user."""
    now = now or now_utc()
    # The conversation's row, locked (PostgreSQL): two requests for one conversation at once (an
    # action server's retry reaching the other gateway) queue here, and the second finds the first's
    # open request instead of opening another. SQLite serialises writers anyway.
    conversation = await session.scalar(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if conversation is None:
        raise HandoffError("unknown conversation", 404)
    priority = URGENT if reason == "emergency" else NORMAL
    existing = await open_handoff_for(session, conversation_id)
    hours = parse_hours(agency.opening_hours, agency.timezone)
    on_duty = hours.on_duty(now) if hours else None
    if existing is not None:
        if priority < existing.priority:
            existing.priority = priority
            existing.reason = reason
            existing.topic = topic[:64]
            effects.agencies.add(existing.agency_id)
            effects.alerts.append({"agency_id": existing.agency_id, "handoff_id": existing.id, "kind": "urgent"})
        merged = dict(unseal_context(keys, existing.context_encrypted))
        merged.update(context)
        existing.context_encrypted = keys.encrypt(json.dumps(merged))
        await session.flush()
        where = await position(session, existing)
        reply = (
            messages.already_with_counselor(existing.language)
            if existing.status == "active"
            else messages.already_waiting(where, existing.language)
        )
        return Opened(existing, False, reply, on_duty, where)
    handoff = Handoff(
        conversation_id=conversation_id,
        agency_id=agency.id,
        status="queued",
        priority=priority,
        front=False,
        reason=reason,
        topic=topic[:64],
        language=(language or "en")[:8],
        country=country,
        channel=conversation.channel,
        context_encrypted=keys.encrypt(json.dumps(context)) if context else None,
        requested_at=now,
        queued_at=now,
    )
    session.add(handoff)
    conversation.owner = "queued"
    await session.flush()
    where = await position(session, handoff)
    wait = await typical_wait_minutes(session, agency.id, now)
    reply = messages.queued(
        agency.name, where, wait, on_duty, hours.next_opening(now) if hours and on_duty is False else None,
        helplines, urgent=priority == URGENT, language=handoff.language,
    )
    session.add(
        HandoffMessage(
            handoff_id=handoff.id, conversation_id=conversation_id, sender="system",
            body_encrypted=keys.encrypt(f"Request for a counselor: {topic}"),
        )
    )
    effects.agencies.add(agency.id)
    if priority == URGENT:
        effects.alerts.append({"agency_id": agency.id, "handoff_id": handoff.id, "kind": "urgent"})
    return Opened(handoff, True, reply, on_duty, where)


def unseal_context(keys: KeySet, token: Optional[str]) -> Dict[str, Any]:
    if not token:
        return {}
    try:
        value = json.loads(keys.decrypt(token))
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


async def _locked(session: AsyncSession, handoff_id: int) -> Handoff:
    handoff = (
        await session.scalars(select(Handoff).where(Handoff.id == handoff_id).with_for_update())
    ).first()
    if handoff is None:
        raise HandoffError("no such conversation", 404)
    return handoff


def _may_see(actor: Actor, handoff: Handoff) -> bool:
    return handoff.agency_id == actor.agency_id


async def claim(
    session: AsyncSession, keys: KeySet, effects: Effects, handoff_id: int, actor: Actor, agency_name: str,
    lease_seconds: float, now: Optional[datetime] = None,
) -> Handoff:
    """queued → active with this counselor; exactly one of two simultaneous claims wins."""
    now = now or now_utc()
    handoff = await _locked(session, handoff_id)
    if not _may_see(actor, handoff):
        raise HandoffError("no such conversation", 404)  # another agency's: not even its existence
    result = await session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status == "queued", Handoff.agency_id == actor.agency_id)
        .values(
            status="active", counselor_id=actor.id, claimed_at=now, front=False,
            lease_expires_at=now + timedelta(seconds=lease_seconds),
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise HandoffError("this conversation is no longer waiting: someone else has it, or it ended")
    await session.refresh(handoff)
    await _set_owner(session, handoff.conversation_id, "human")
    await _tell(session, keys, effects, handoff, messages.joined(agency_name, handoff.language))
    effects.agencies.add(handoff.agency_id)
    return handoff


def _owns(actor: Actor, handoff: Handoff) -> bool:
    if handoff.status != "active" or handoff.agency_id != actor.agency_id:
        return False
    return handoff.counselor_id == actor.id or actor.role in ("supervisor", "admin")


async def counselor_message(
    session: AsyncSession, keys: KeySet, effects: Effects, handoff_id: int, actor: Actor, text: str
) -> HandoffMessage:
    """A counselor's reply: persisted for the console and put in the outbox in one transaction."""
    handoff = await _locked(session, handoff_id)
    if not _owns(actor, handoff) or handoff.counselor_id != actor.id:
        raise HandoffError("you are not the counselor of this conversation")
    conversation = await session.get(Conversation, handoff.conversation_id)
    assert conversation is not None
    await enqueue(session, keys, conversation.id, conversation.channel, [BotReply(text)])
    line = HandoffMessage(
        handoff_id=handoff.id, conversation_id=handoff.conversation_id, sender="counselor",
        agency_id=actor.agency_id, counselor_id=actor.id, body_encrypted=keys.encrypt(text),
    )
    session.add(line)
    await session.flush()
    effects.conversations.add(conversation.id)
    effects.handoffs.add(handoff.id)
    return line


async def private_note(
    session: AsyncSession, keys: KeySet, effects: Effects, handoff_id: int, actor: Actor, text: str
) -> HandoffMessage:
    """A note only this agency's counselors see; never sent to the user, never referred on."""
    handoff = await _locked(session, handoff_id)
    if not _may_see(actor, handoff):
        raise HandoffError("no such conversation", 404)
    line = HandoffMessage(
        handoff_id=handoff.id, conversation_id=handoff.conversation_id, sender="note",
        agency_id=actor.agency_id, counselor_id=actor.id, body_encrypted=keys.encrypt(text),
    )
    session.add(line)
    await session.flush()
    effects.handoffs.add(handoff.id)
    return line


async def close(
    session: AsyncSession, keys: KeySet, effects: Effects, handoff_id: int, actor: Actor, outcome: str,
    now: Optional[datetime] = None,
) -> Handoff:
    """active → closed; the conversation goes back to the bot (Rasa is resumed on its next turn)."""
    if outcome not in OUTCOMES:
        raise HandoffError(f"outcome must be one of {', '.join(OUTCOMES)}", 400)
    handoff = await _locked(session, handoff_id)
    if not _owns(actor, handoff):
        raise HandoffError("you are not the counselor of this conversation")
    handoff.status, handoff.outcome, handoff.closed_at = "closed", outcome, now or now_utc()
    handoff.lease_expires_at = None
    await _set_owner(session, handoff.conversation_id, "bot")
    await _tell(session, keys, effects, handoff, messages.closed(handoff.language))
    effects.agencies.add(handoff.agency_id)
    return handoff


async def user_ends(
    session: AsyncSession, keys: KeySet, effects: Effects, handoff: Handoff, now: Optional[datetime] = None
) -> None:
    """The user cancels while waiting, or leaves a chat with a counselor."""
    was_active = handoff.status == "active"
    handoff.status = "closed" if was_active else "cancelled"
    handoff.outcome = "user_left" if was_active else "cancelled"
    handoff.closed_at = now or now_utc()
    handoff.lease_expires_at = None
    await _set_owner(session, handoff.conversation_id, "bot")
    ending = messages.left(handoff.language) if was_active else messages.cancelled(handoff.language)
    await _tell(session, keys, effects, handoff, ending)
    effects.agencies.add(handoff.agency_id)


async def transfer_to_counselor(
    session: AsyncSession, keys: KeySet, effects: Effects, handoff_id: int, actor: Actor, target: Actor,
    agency_name: str, lease_seconds: float, now: Optional[datetime] = None,
) -> Handoff:
    """Hand an active chat to another counselor of the same agency (supervisors: reassign)."""
    now = now or now_utc()
    handoff = await _locked(session, handoff_id)
    if target.agency_id != handoff.agency_id or target.role not in ("counselor", "supervisor"):
        raise HandoffError("that person is not a counselor of this agency", 400)
    if handoff.status == "queued" and actor.role in ("supervisor", "admin") and _may_see(actor, handoff):
        pass  # a supervisor may assign a waiting conversation directly
    elif not _owns(actor, handoff):
        raise HandoffError("you are not the counselor of this conversation")
    if handoff.counselor_id == target.id and handoff.status == "active":
        raise HandoffError("that counselor already has this conversation", 400)
    was_queued = handoff.status == "queued"
    handoff.status, handoff.counselor_id, handoff.front = "active", target.id, False
    handoff.claimed_at = handoff.claimed_at or now
    handoff.lease_expires_at = now + timedelta(seconds=lease_seconds)
    await _set_owner(session, handoff.conversation_id, "human")
    reply = (
        messages.joined(agency_name, handoff.language)
        if was_queued
        else messages.new_counselor(agency_name, handoff.language)
    )
    await _tell(session, keys, effects, handoff, reply)
    effects.agencies.add(handoff.agency_id)
    return handoff


async def transfer_to_agency(
    session: AsyncSession, keys: KeySet, effects: Effects, handoff_id: int, actor: Actor, target: Agency,
    note: str, share_history: bool, now: Optional[datetime] = None,
) -> Handoff:
    """An inter-agency referral: the conversation joins the other agency's queue with a note.

    Without the user's agreement to share (`share_history`), the receiving agency sees only
    what comes after the referral, the note and the topic; never the sending agency's notes.
    """
    now = now or now_utc()
    handoff = await _locked(session, handoff_id)
    if not (_owns(actor, handoff) or (handoff.status == "queued" and actor.role in ("supervisor", "admin")
                                      and _may_see(actor, handoff))):
        raise HandoffError("you are not the counselor of this conversation")
    if target.id == handoff.agency_id or not target.active:
        raise HandoffError("choose another, active agency", 400)
    source = handoff.agency_id
    handoff.status, handoff.counselor_id, handoff.lease_expires_at = "queued", None, None
    handoff.agency_id, handoff.referred_by, handoff.front = target.id, source, True
    handoff.referral_note_encrypted = keys.encrypt(note) if note else None
    handoff.history_from = None if share_history else now
    await _set_owner(session, handoff.conversation_id, "queued")
    await _tell(session, keys, effects, handoff, messages.referred(target.name, handoff.language))
    effects.agencies.update({source, target.id})
    return handoff


async def expire_leases(
    session: AsyncSession, keys: KeySet, effects: Effects, now: Optional[datetime] = None
) -> int:
    """Claims whose counselor has been gone too long go back to the front of their queue."""
    now = now or now_utc()
    stale = (
        await session.scalars(
            select(Handoff).where(Handoff.status == "active", Handoff.lease_expires_at < now).with_for_update()
        )
    ).all()
    for handoff in stale:
        await record(session, "claim_lost", agency_id=handoff.agency_id, conversation_id=handoff.conversation_id,
                     detail={"handoff_id": handoff.id, "counselor_id": handoff.counselor_id})
        handoff.status, handoff.counselor_id, handoff.lease_expires_at, handoff.front = "queued", None, None, True
        await _set_owner(session, handoff.conversation_id, "queued")
        await _tell(session, keys, effects, handoff, messages.requeued(handoff.language))
        effects.agencies.add(handoff.agency_id)
    return len(stale)


async def renew_leases(
    session: AsyncSession, counselor_id: int, lease_seconds: float, now: Optional[datetime] = None
) -> None:
    """The counselor's console is connected: keep their claims alive."""
    now = now or now_utc()
    await session.execute(
        update(Handoff)
        .where(Handoff.status == "active", Handoff.counselor_id == counselor_id)
        .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
        .execution_options(synchronize_session=False)
    )


async def escalate(
    session: AsyncSession, keys: KeySet, effects: Effects, after_seconds: float, helplines_for: Any,
    fallback: Optional[Agency] = None, now: Optional[datetime] = None,
) -> int:
    """Requests nobody claimed in time: alert supervisors, tell the user once, optionally refer on."""
    now = now or now_utc()
    overdue = (
        await session.scalars(
            select(Handoff).where(
                Handoff.status == "queued",
                Handoff.escalated_at.is_(None),
                Handoff.queued_at < now - timedelta(seconds=after_seconds),
            ).with_for_update()
        )
    ).all()
    for handoff in overdue:
        handoff.escalated_at = now
        moves = fallback is not None and fallback.id != handoff.agency_id and fallback.active
        await record(session, "escalated", agency_id=handoff.agency_id, conversation_id=handoff.conversation_id,
                     detail={"handoff_id": handoff.id, "to_fallback": moves})
        effects.alerts.append({"agency_id": handoff.agency_id, "handoff_id": handoff.id, "kind": "unclaimed"})
        if moves and fallback is not None:
            effects.agencies.add(handoff.agency_id)
            handoff.referred_by, handoff.agency_id, handoff.front = handoff.agency_id, fallback.id, True
            session.add(
                HandoffMessage(
                    handoff_id=handoff.id, conversation_id=handoff.conversation_id, sender="system",
                    body_encrypted=keys.encrypt("Nobody claimed this request in time: moved to the fallback agency."),
                )
            )
        effects.agencies.add(handoff.agency_id)
        # helplines_for(country, language): actions.numbers_message.helpline_text
        late = messages.escalated(helplines_for(handoff.country, handoff.language), handoff.language)
        await _tell(session, keys, effects, handoff, late)
    return len(overdue)


async def record_user_message(
    session: AsyncSession, keys: KeySet, effects: Effects, handoff: Handoff, inbox_id: int, text: str, kind: str,
) -> None:
    """A user message while queued or with a counselor: it goes to the console (once: inbox_id is unique)."""
    session.add(
        HandoffMessage(
            handoff_id=handoff.id, conversation_id=handoff.conversation_id, sender="user", kind=kind,
            body_encrypted=keys.encrypt(text), inbox_id=inbox_id,
        )
    )
    effects.handoffs.add(handoff.id)
    effects.agencies.add(handoff.agency_id)


async def notice_due(handoff: Handoff, now: datetime, every_seconds: float = 300.0) -> bool:
    """Whether a waiting user should be reminded of their place (not after every message)."""
    last = aware(handoff.last_notice_at)
    return last is None or (now - last).total_seconds() >= every_seconds


async def queue_rows(session: AsyncSession, agency_id: str) -> Sequence[Handoff]:
    """An agency's open conversations: waiting ones urgent first, then front, then longest wait."""
    return (
        await session.scalars(
            select(Handoff)
            .where(Handoff.agency_id == agency_id, Handoff.status.in_(OPEN))
            .order_by(Handoff.status.desc(), Handoff.priority, Handoff.front.desc(), Handoff.queued_at)
        )
    ).all()
