"""The check-in desk: the sweep that sends, reminds and alerts, and the buttons and code word.

Every move of a check-in is one transaction with a guarded update ("… WHERE version = v"), and
the message it sends is written to the outbox in that same transaction: after a crash the move
either happened with its message or not at all, and of several gateway replicas sweeping at
once exactly one wins each row. Nothing is sent at night in the destination (schedule.daytime).
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from actions.numbers_message import emergency_text
from bot.checkins import plans, schedule, texts
from bot.checkins.models import Checkin, CheckinPlan
from bot.crypto import KeySet
from bot.delivery import inbound as kinds
from bot.delivery.outbox import Deliverer, enqueue, seal
from bot.handoff import service
from bot.handoff.desk import Desk
from bot.pseudonym import pseudonym
from bot.rasa_client import BotReply
from bot.store.models import Agency, Conversation, InboxMessage, utcnow
from locales.catalogue import languages

logger = logging.getLogger(__name__)
MAX_CODE_WORD_CHARS = 64  # longer messages are not compared with the code word


@dataclass(frozen=True)
class Template:
    """An approved WhatsApp template: "name:language" from the settings."""

    name: str
    language: str

    @classmethod
    def parse(cls, setting: str) -> Optional[Template]:
        if not setting:
            return None
        name, _, language = setting.partition(":")
        return cls(name, language or "en")


class Checkins:
    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        keys: KeySet,
        deliverer: Deliverer,
        desk: Desk,
        pseudonym_key: str,
        channels: Sequence[str],
        checkin_template: Optional[Template] = None,
        contact_template: Optional[Template] = None,
        retention_days: float = 30.0,
    ) -> None:
        self.db = db
        self.keys = keys
        self.deliverer = deliverer
        self.desk = desk
        self.pseudonym_key = pseudonym_key
        self.channels = set(channels)  # the push channels this gateway runs
        self.checkin_template = checkin_template
        self.contact_template = contact_template
        self.retention_days = retention_days
        self.clock: Callable[[], datetime] = service.now_utc  # tests move time

    def refusal(self, channel: str, language: Optional[str] = None) -> Optional[str]:
        """Why check-ins cannot run on this channel, or None when they can."""
        if channel == "telegram" and "telegram" in self.channels:
            return None
        if channel == "whatsapp" and "whatsapp" in self.channels and self.checkin_template is not None:
            return None
        if channel == "whatsapp":
            return texts.say("WHATSAPP_REFUSED", language)
        return texts.say("WEBCHAT_REFUSED", language)

    def contact_by_whatsapp(self, contact: Optional[Dict[str, str]]) -> bool:
        return bool(contact and contact.get("kind") == "whatsapp" and self.contact_template
                    and "whatsapp" in self.channels)

    # ---- the sweep ---------------------------------------------------------------------------

    async def sweep(self) -> int:
        """Move every check-in that is due; returns how many moved (here)."""
        now = self.clock()
        async with self.db() as session:
            due = (
                await session.execute(
                    select(Checkin.id, Checkin.version)
                    .join(CheckinPlan, CheckinPlan.id == Checkin.plan_id)
                    .where(
                        CheckinPlan.status == "active",
                        Checkin.status.in_(plans.OPEN),
                        Checkin.next_at <= now,
                    )
                    .order_by(Checkin.next_at)
                    .limit(100)
                )
            ).all()
        moved = 0
        for checkin_id, version in due:
            try:
                moved += await self._advance(checkin_id, version, now)
            except Exception:  # one bad row must not stop the others; the next sweep retries
                logger.exception("check-in %s could not move", checkin_id)
        async with self.db() as session, session.begin():
            await plans.purge(session, self.retention_days, now)
        return moved

    async def _advance(self, checkin_id: int, version: int, now: datetime) -> bool:
        async def move(session: AsyncSession, effects: service.Effects) -> bool:
            checkin = await session.get(Checkin, checkin_id)
            if checkin is None or checkin.version != version:
                return False
            plan = await session.get(CheckinPlan, checkin.plan_id)
            assert plan is not None
            old = checkin.status
            if old == "pending":
                values: Dict[str, Any] = dict(
                    status="awaiting", sent_at=now,
                    next_at=schedule.daytime(now + timedelta(hours=plan.window_hours), plan.zone),
                )
            elif old == "awaiting":
                values = dict(status="reminded", next_at=now + timedelta(hours=plan.window_hours))
            else:
                values = dict(status="alerted", next_at=None)
            # The guard: another replica (or a button press) that moved this row first wins.
            result = await session.execute(
                update(Checkin)
                .where(Checkin.id == checkin_id, Checkin.version == version)
                .values(version=version + 1, **values)
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) != 1:
                return False
            if old == "pending":
                await self._send(session, plan, texts.checkin_reply(checkin_id, language=plan.language), effects)
            elif old == "awaiting":
                await self._send(session, plan, texts.checkin_reply(checkin_id, "REMINDER", plan.language), effects)
            else:
                await self._alert(session, plan, checkin, effects, now)
                await plans.settle_if_done(session, plan, now)
            return True

        return await self.desk.run(move)

    async def _send(
        self, session: AsyncSession, plan: CheckinPlan, reply: BotReply, effects: service.Effects
    ) -> None:
        rows = await enqueue(session, self.keys, plan.conversation_id, plan.channel, [reply])
        if plan.channel == "whatsapp" and self.checkin_template is not None:
            # Outside the 24-hour window WhatsApp takes only an approved template (with the same buttons).
            for row in rows:
                body = {"text": reply.text, "buttons": reply.buttons, "template": self._template(
                    self.checkin_template, [], reply.buttons)}
                row.body = seal(self.keys, body)
        effects.conversations.add(plan.conversation_id)

    @staticmethod
    def _template(template: Template, parameters: List[str], buttons: List[Dict[str, str]]) -> Dict[str, Any]:
        return {"name": template.name, "language": template.language,
                "components": texts.template_components(parameters, buttons)}

    async def _alert(
        self, session: AsyncSession, plan: CheckinPlan, checkin: Checkin, effects: service.Effects, now: datetime
    ) -> None:
        """Two messages unanswered: a queued handoff for the routed agency, and the trusted contact."""
        context = plans.shared_context(self.keys, plan, checkin, "missed")
        opened = await self._open(session, plan, "checkin", texts.TOPIC_MISSED, context, effects, now)
        checkin.handoff_id = opened.handoff.id if opened else None
        if plan.contact_consent and plan.contact_encrypted and self.contact_template is not None:
            contact = json.loads(self.keys.decrypt(plan.contact_encrypted))
            if contact.get("kind") == "whatsapp" and "whatsapp" in self.channels:
                await self._tell_contact(session, plan, str(contact["value"]), checkin, effects)

    async def _open(
        self, session: AsyncSession, plan: CheckinPlan, reason: str, topic: str, context: Dict[str, Any],
        effects: service.Effects, now: datetime,
    ) -> Optional[service.Opened]:
        # The destination's agency; the routing table's default covers a country it does not know.
        agency_id = self.desk.routing.handoff_agency(plan.country, plan.language)
        agency = await session.get(Agency, agency_id)
        if agency is None or not agency.active:
            logger.error("check-in alert: agency %r is not in the directory", agency_id)
            return None
        return await service.open_handoff(
            session, self.keys, effects, conversation_id=plan.conversation_id, agency=agency, reason=reason,
            language=plan.language, country=plan.country, topic=topic, context=context,
            helplines="", now=now,
        )

    async def _tell_contact(
        self, session: AsyncSession, plan: CheckinPlan, number: str, checkin: Checkin, effects: service.Effects
    ) -> None:
        """A WhatsApp template to the trusted contact's number (a conversation of its own)."""
        assert self.contact_template is not None
        digits = "".join(c for c in number if c.isdigit())
        contact_id = pseudonym(self.pseudonym_key, "whatsapp", digits)
        conversation = await session.get(Conversation, contact_id)
        if conversation is None:
            conversation = Conversation(id=contact_id, channel="whatsapp", address=self.keys.encrypt(digits))
            session.add(conversation)
            await session.flush()
        due = schedule.local_text(plans.schedule_due(checkin), plan.zone,
                                  languages().supported(self.contact_template.language))
        template = self._template(self.contact_template, [plan.country, due], [])
        rows = await enqueue(session, self.keys, contact_id, "whatsapp", [BotReply("")])
        for row in rows:
            row.body = seal(self.keys, {"text": "", "buttons": [], "template": template})
        effects.conversations.add(contact_id)

    async def travelling(self, conversation_id: str) -> Optional[Tuple[str, Dict[str, Any]]]:
        """(destination, shared context) once the person has left; None before or without a plan.

        An emergency without a country then goes to the destination's agency, with what the person
        agreed to share (bot/handoff/api.py).
        """
        async with self.db() as session:
            plan = await plans.plan_for(session, conversation_id)
            if plan is None or plan.departure > self.clock().date():
                return None
            return plan.country, plans.shared_context(self.keys, plan, None, "emergency")

    # ---- the person's answers (from the turn runner, before Rasa and the desk) ---------------

    async def take(self, conversation: Conversation, row: InboxMessage, text: str) -> bool:
        """Handle a check-in button or the code word; True when the message is answered here."""
        if row.kind == kinds.BUTTON and text.startswith((texts.OK_PAYLOAD, texts.HELP_PAYLOAD)):
            command, _, number = text.partition(":")
            checkin_id = int(number) if number.isdigit() else None
            if command == texts.OK_PAYLOAD:
                await self._answer_ok(conversation, row, checkin_id)
            else:
                await self._answer_help(conversation, row, checkin_id, "help")
            return True
        if row.kind == kinds.TEXT and 0 < len(text) <= MAX_CODE_WORD_CHARS:
            async with self.db() as session:
                plan = await plans.plan_for(session, conversation.id)
            if plan is not None and plan.code_word_hash:  # while the plan exists, finished or not
                if await asyncio.to_thread(plans.code_word_matches, text, plan.code_word_hash):
                    await self._answer_help(conversation, row, None, "code word")
                    return True
        return False

    async def _mine(self, session: AsyncSession, conversation_id: str, checkin_id: Optional[int]) -> Tuple[
            Optional[CheckinPlan], Optional[Checkin]]:
        plan = await plans.plan_for(session, conversation_id)
        if plan is None:
            return None, None
        checkin = await session.get(Checkin, checkin_id) if checkin_id is not None else None
        if checkin is not None and checkin.plan_id != plan.id:
            checkin = None  # never another person's check-in
        if checkin is None:  # the code word, or an old button: the check-in waiting for an answer
            waiting = [c for c in await plans.open_checkins(session, plan.id) if c.status in plans.WAITING]
            checkin = waiting[0] if waiting else None
        return plan, checkin

    async def _answer_ok(self, conversation: Conversation, row: InboxMessage, checkin_id: Optional[int]) -> None:
        now = self.clock()

        async def move(session: AsyncSession, effects: service.Effects) -> None:
            plan, checkin = await self._mine(session, conversation.id, checkin_id)
            language = conversation.language
            if plan is None:
                reply = texts.say("NO_PLAN", language)
            elif checkin is None or checkin.status not in plans.WAITING + ("alerted",):
                reply = texts.say("ALREADY_ANSWERED", language)
            else:
                checkin.status, checkin.answered_at, checkin.next_at = "ok", now, None
                checkin.version += 1
                await self._note_for_counselor(session, conversation.id, row, texts.OK_BUTTON, effects)
                pending = [c for c in await plans.open_checkins(session, plan.id) if c.status == "pending"]
                if pending:
                    when = schedule.local_text(plans.schedule_due(pending[0]), plan.zone, language)
                    reply = texts.say("THANKS_NEXT", language, when=when, zone=plan.zone)
                else:
                    reply = texts.say("THANKS_LAST", language, days=round(self.retention_days))
                await plans.settle_if_done(session, plan, now)
            await self._done(session, row, [BotReply(reply)], effects)

        await self.desk.run(move)

    async def _answer_help(
        self, conversation: Conversation, row: InboxMessage, checkin_id: Optional[int], signal: str
    ) -> None:
        """"I need help" or the code word: an urgent handoff to the destination's agency."""
        now = self.clock()

        async def move(session: AsyncSession, effects: service.Effects) -> None:
            plan, checkin = await self._mine(session, conversation.id, checkin_id)
            country = plan.country if plan else None
            if plan is not None and checkin is not None and checkin.status in plans.WAITING + ("alerted",):
                checkin.status, checkin.answered_at, checkin.next_at = "help", now, None
                checkin.version += 1
            opened = None
            if plan is not None:
                context = plans.shared_context(self.keys, plan, checkin, signal)
                topic = texts.TOPIC_CODE_WORD if signal == "code word" else texts.TOPIC_HELP
                opened = await self._open(session, plan, "emergency", topic, context, effects, now)
                await plans.settle_if_done(session, plan, now)
            if signal == "code word":
                # nothing on the screen gives them away
                replies = [BotReply(texts.say("CODE_WORD_ACK", conversation.language))]
            else:
                replies = [BotReply(emergency_text(country, conversation.language)),
                           BotReply(texts.say("HELP_INTRO", conversation.language))]
                if opened is not None:
                    replies.append(opened.reply)
            await self._note_for_counselor(
                session, conversation.id, row, texts.HELP_BUTTON if signal == "help" else "[code word]", effects
            )
            await self._done(session, row, replies, effects)

        await self.desk.run(move)
        await self.desk.after_turn(conversation.id)  # Rasa rests while the counselor has the chat

    async def _note_for_counselor(
        self, session: AsyncSession, conversation_id: str, row: InboxMessage, answer: str, effects: service.Effects
    ) -> None:
        handoff = await service.open_handoff_for(session, conversation_id)
        if handoff is not None:
            await service.record_user_message(
                session, self.keys, effects, handoff, row.id, texts.CONSOLE_ANSWERED.format(answer=answer), row.kind
            )

    async def _done(
        self, session: AsyncSession, row: InboxMessage, replies: List[BotReply], effects: service.Effects
    ) -> None:
        fresh = await session.get(InboxMessage, row.id)
        assert fresh is not None
        fresh.status, fresh.text, fresh.processed_at = "done", None, utcnow()
        fresh.attempts = row.attempts + 1
        await enqueue(session, self.keys, row.conversation_id, row.channel, replies, row.id)
        effects.conversations.add(row.conversation_id)
