"""The handoff desk: runs ownership moves in transactions and carries out their effects.

The turn runner asks `take()` about every user message first: a conversation that is queued or
with a counselor keeps its messages away from Rasa. Consoles call the other methods. After each
commit the desk sends the outbox and signals the consoles; a periodic `sweep()` returns lost
claims to the queue and escalates requests nobody claimed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Awaitable, Callable, Dict, Optional, TypeVar

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from actions.numbers_message import emergency_text, helpline_text
from bot import identifiers
from bot.casework.routing import RoutingTable
from bot.crypto import KeySet
from bot.delivery import inbound as kinds
from bot.delivery.outbox import Deliverer, enqueue
from bot.handoff import messages, service
from bot.handoff.hub import Hub
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.store.models import Agency, Conversation, Handoff, InboxMessage, utcnow
from locales.catalogue import localize

logger = logging.getLogger(__name__)
T = TypeVar("T")
EMERGENCY_CONFIDENCE = 0.5
MEDIA_NOTE = (
    "Your counselor can read text only: they can't see photos or hear voice messages here, "
    "and nothing was saved. Please describe it in words if you can."
)


@dataclass
class Taken:
    """What the desk did with a user message: `handled` (it went to the console), else whether
    Rasa's tracker still holds a pause the runner must undo before the turn."""

    handled: bool
    rasa_paused: bool = False


class Desk:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        keys: KeySet,
        deliverer: Deliverer,
        rasa: RasaClient,
        routing: RoutingTable,
        hub: Optional[Hub] = None,
        lease_seconds: float = 60.0,
        escalate_seconds: float = 600.0,
        use_fallback: bool = True,
    ) -> None:
        self.db = db
        self.keys = keys
        self.deliverer = deliverer
        self.rasa = rasa
        self.routing = routing
        self.hub = hub or Hub()
        self.lease_seconds = lease_seconds
        self.escalate_seconds = escalate_seconds
        self.use_fallback = use_fallback
        self.clock: Callable[[], datetime] = service.now_utc  # tests move time

    # ---- transactions and their effects ----------------------------------------------------

    async def run(self, move: Callable[[AsyncSession, service.Effects], Awaitable[T]]) -> T:
        """Run one move in a transaction; after the commit send the outbox and tell consoles."""
        effects = service.Effects()
        async with self.db() as session, session.begin():
            result = await move(session, effects)
            handoff_agencies: Dict[int, str] = {}
            for handoff_id in effects.handoffs:
                handoff = await session.get(Handoff, handoff_id)
                if handoff is not None:
                    handoff_agencies[handoff_id] = handoff.agency_id
        self.apply(effects, handoff_agencies)
        return result

    def apply(self, effects: service.Effects, handoff_agencies: Dict[int, str]) -> None:
        for conversation_id in effects.conversations:
            self.deliverer.kick(conversation_id)
        self.hub.publish(effects.agencies, handoff_agencies, effects.alerts)

    # ---- requests from the bot --------------------------------------------------------------

    async def request(
        self, conversation_id: str, reason: str, country: Optional[str], language: str, topic: str,
        context: Dict[str, Any],
    ) -> service.Opened:
        agency_id = self.routing.handoff_agency(country, language)

        async def move(session: AsyncSession, effects: service.Effects) -> service.Opened:
            agency = await session.get(Agency, agency_id)
            if agency is None or not agency.active:
                raise service.HandoffError(f"handoff agency {agency_id!r} is not in the directory", 503)
            return await service.open_handoff(
                session, self.keys, effects, conversation_id=conversation_id, agency=agency, reason=reason,
                language=language, country=country, topic=topic, context=context,
                helplines=helpline_text(country, language), now=self.clock(),
            )

        return await self.run(move)

    # ---- counselors (from the console) ---------------------------------------------------------

    async def claim(self, handoff_id: int, actor: service.Actor) -> Handoff:
        async def move(session: AsyncSession, effects: service.Effects) -> Handoff:
            name = await _agency_name(session, actor.agency_id)
            return await service.claim(
                session, self.keys, effects, handoff_id, actor, name, self.lease_seconds, self.clock()
            )

        return await self.run(move)

    async def say(self, handoff_id: int, actor: service.Actor, text: str) -> None:
        async def move(session: AsyncSession, effects: service.Effects) -> None:
            await service.counselor_message(session, self.keys, effects, handoff_id, actor, text)

        await self.run(move)

    async def note(self, handoff_id: int, actor: service.Actor, text: str) -> None:
        async def move(session: AsyncSession, effects: service.Effects) -> None:
            await service.private_note(session, self.keys, effects, handoff_id, actor, text)

        await self.run(move)

    async def close(self, handoff_id: int, actor: service.Actor, outcome: str) -> Handoff:
        async def move(session: AsyncSession, effects: service.Effects) -> Handoff:
            return await service.close(session, self.keys, effects, handoff_id, actor, outcome, self.clock())

        return await self.run(move)

    async def transfer_to_counselor(self, handoff_id: int, actor: service.Actor, target: service.Actor) -> Handoff:
        async def move(session: AsyncSession, effects: service.Effects) -> Handoff:
            name = await _agency_name(session, actor.agency_id)
            return await service.transfer_to_counselor(
                session, self.keys, effects, handoff_id, actor, target, name, self.lease_seconds, self.clock()
            )

        return await self.run(move)

    async def transfer_to_agency(
        self, handoff_id: int, actor: service.Actor, agency_id: str, note: str, share_history: bool
    ) -> Handoff:
        async def move(session: AsyncSession, effects: service.Effects) -> Handoff:
            target = await session.get(Agency, agency_id)
            if target is None:
                raise service.HandoffError("no such agency", 400)
            return await service.transfer_to_agency(
                session, self.keys, effects, handoff_id, actor, target, note, share_history, self.clock()
            )

        return await self.run(move)

    # ---- user messages (from the turn runner) ---------------------------------------------

    async def take(self, conversation_id: str, row: InboxMessage, text: str) -> Taken:
        """Route one user message: to the console when the conversation is not the bot's."""
        async with self.db() as session:
            conversation = await session.get(Conversation, conversation_id)
            owner = conversation.owner if conversation else "bot"
            language = conversation.language if conversation else None
            paused = bool(conversation.rasa_paused) if conversation else False
        is_cancel = _is_cancel(row, text)
        if owner == "bot":
            if is_cancel and row.kind == kinds.BUTTON:  # an old "Stop waiting" button
                await self._answer(conversation_id, row, [messages.nothing_to_cancel(language)])
                return Taken(True)
            return Taken(False, paused)
        intent, country = await self._understand(row, text)

        async def move(session: AsyncSession, effects: service.Effects) -> Optional[bool]:
            conversation = await session.get(Conversation, conversation_id)
            handoff = await service.open_handoff_for(session, conversation_id)
            if conversation is None or conversation.owner == "bot":
                return None  # closed meanwhile: the bot answers
            if handoff is None:  # never left without an owner: back to the bot
                conversation.owner = "bot"
                return None
            fresh = await session.get(InboxMessage, row.id)
            assert fresh is not None
            fresh.status, fresh.text, fresh.processed_at = "done", None, utcnow()
            fresh.attempts = row.attempts + 1
            now = self.clock()
            ends = (is_cancel and (handoff.status == "queued" or row.kind == kinds.BUTTON)) or (
                row.kind == kinds.COMMAND and text.split()[:1] and text.split()[0].split("@")[0].lower() == "/stop"
            )
            if ends:
                await service.user_ends(session, self.keys, effects, handoff, now)
                return conversation.rasa_paused
            await service.record_user_message(
                session, self.keys, effects, handoff, row.id, _console_text(row, text), row.kind
            )
            replies = []
            if intent == "emergency":
                if country:
                    handoff.country = country
                if handoff.priority != service.URGENT:
                    handoff.priority = service.URGENT
                    handoff.topic = service.TOPICS["emergency"]
                effects.alerts.append({"agency_id": handoff.agency_id, "handoff_id": handoff.id, "kind": "urgent"})
                replies.append(messages.urgent_now(emergency_text(handoff.country, handoff.language), handoff.language))
            elif country and handoff.reason == "emergency" and country != handoff.country:
                # The answer to "which country are you in?" after an emergency: the right numbers.
                handoff.country = country
                replies.append(messages.BotReply(emergency_text(country, handoff.language)))
            elif row.kind == kinds.MEDIA:
                replies.append(messages.BotReply(localize("handoff_desk", "MEDIA_NOTE", MEDIA_NOTE, handoff.language)))
            elif handoff.status == "queued" and await service.notice_due(handoff, now):
                replies.append(messages.still_waiting(await service.position(session, handoff), handoff.language))
                handoff.last_notice_at = now
            if replies:
                await enqueue(session, self.keys, conversation_id, row.channel, replies, row.id)
                effects.conversations.add(conversation_id)
            effects.agencies.add(handoff.agency_id)
            return conversation.rasa_paused

        result = await self.run(move)
        if result is None:
            async with self.db() as session:
                conversation = await session.get(Conversation, conversation_id)
                paused = bool(conversation.rasa_paused) if conversation else False
            return Taken(False, paused)
        if not result:
            await self.pause(conversation_id)
        return Taken(True)

    async def _answer(self, conversation_id: str, row: InboxMessage, replies: list[messages.BotReply]) -> None:
        async with self.db() as session, session.begin():
            fresh = await session.get(InboxMessage, row.id)
            assert fresh is not None
            fresh.status, fresh.text, fresh.processed_at = "done", None, utcnow()
            await enqueue(session, self.keys, conversation_id, row.channel, replies, row.id)
        self.deliverer.kick(conversation_id)

    async def _understand(self, row: InboxMessage, text: str) -> tuple[Optional[str], Optional[str]]:
        """(intent, country) of a waiting user's message: emergencies win in every state."""
        if row.kind == kinds.BUTTON and text.startswith("/emergency"):
            return "emergency", None
        if row.kind == kinds.LOCATION and text.startswith("/inform"):
            return None, _country_in(text)
        if row.kind not in (kinds.TEXT, kinds.MEDIA) or not text.strip():
            return None, None
        try:
            parsed = await self.rasa.parse(identifiers.redact(text)[0])  # Rasa never sees an identifier
        except RasaUnavailable:
            return None, None  # the message still reaches the counselor
        intent = (parsed.get("intent") or {}).get("name")
        confidence = float((parsed.get("intent") or {}).get("confidence") or 0.0)
        country = next(
            (str(e.get("value")) for e in parsed.get("entities") or [] if e.get("entity") == "country"), None
        )
        if intent == "emergency" and confidence < EMERGENCY_CONFIDENCE:
            intent = None
        return intent, country if country and len(country) == 2 else None

    # ---- Rasa's pause ------------------------------------------------------------------------

    async def pause(self, conversation_id: str) -> None:
        """Pause the Rasa conversation (belt and braces: the gateway already keeps messages away)."""
        try:
            await self.rasa.add_event(conversation_id, "pause")
        except RasaUnavailable as exc:
            logger.info("could not pause a conversation in Rasa yet: %s", exc)
            return
        await self._set_paused(conversation_id, True)

    async def resume(self, conversation_id: str) -> None:
        """Undo the pause before the bot answers again; raises RasaUnavailable (the turn retries)."""
        await self.rasa.add_event(conversation_id, "resume")
        await self._set_paused(conversation_id, False)

    async def _set_paused(self, conversation_id: str, paused: bool) -> None:
        async with self.db() as session, session.begin():
            await session.execute(
                update(Conversation).where(Conversation.id == conversation_id).values(rasa_paused=paused)
            )

    async def after_turn(self, conversation_id: str) -> None:
        """A bot turn that opened a handoff (the action called the API): pause Rasa now."""
        async with self.db() as session:
            conversation = await session.get(Conversation, conversation_id)
        if conversation is not None and conversation.owner != "bot" and not conversation.rasa_paused:
            await self.pause(conversation_id)

    # ---- housekeeping ---------------------------------------------------------------------

    async def sweep(self) -> None:
        """Lost claims back to the queue; unclaimed requests escalated."""

        async def move(session: AsyncSession, effects: service.Effects) -> None:
            await service.expire_leases(session, self.keys, effects, self.clock())
            fallback = None
            if self.use_fallback and self.routing.handoff_fallback:
                fallback = await session.get(Agency, self.routing.handoff_fallback)
            await service.escalate(
                session, self.keys, effects, self.escalate_seconds, helpline_text, fallback=fallback,
                now=self.clock(),
            )

        await self.run(move)

    async def heartbeat(self, counselor_id: int) -> None:
        async with self.db() as session, session.begin():
            await service.renew_leases(session, counselor_id, self.lease_seconds, self.clock())


async def _agency_name(session: AsyncSession, agency_id: str) -> str:
    agency = await session.get(Agency, agency_id)
    return agency.name if agency is not None else "a partner agency"


def _is_cancel(row: InboxMessage, text: str) -> bool:
    if row.kind == kinds.BUTTON:
        return text.strip() == messages.CANCEL_PAYLOAD
    if row.kind == kinds.TEXT:
        return " ".join(text.lower().strip(" .!").split()) in messages.cancel_words()
    return False


def _country_in(text: str) -> Optional[str]:
    import json

    try:
        value = json.loads(text[len("/inform"):]).get("country")
    except (ValueError, AttributeError):
        return None
    return str(value) if value else None


def _console_text(row: InboxMessage, text: str) -> str:
    """What the counselor reads for a message that was not plain text."""
    meta = row.meta or {}
    if row.kind == kinds.MEDIA:
        what = str(meta.get("media", "file"))
        return f"[The user sent a {what}; it was not downloaded]" + (f" {text}" if text else "")
    if row.kind == kinds.LOCATION:
        country = _country_in(text) if text else None
        return f"[The user shared a location{' in ' + country if country else ''}]"
    if row.kind == kinds.CONTACTS:
        return "[The user shared a contact card; it was not saved]"
    if row.kind == kinds.EDIT:
        return "[The user edited an earlier message] " + text
    if row.kind == kinds.UNSUPPORTED:
        return "[A message type that cannot be shown]"
    return text
