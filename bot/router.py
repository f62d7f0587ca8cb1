"""The turn runner: takes each conversation's inbox in arrival order and answers it.

A bot-owned conversation's messages go to Rasa's REST channel; the replies go to the outbox
in the same transaction that marks the message done. When Rasa is down or slow the user is
told once (the holding message) and the message is retried until Rasa answers: nothing is
dropped. One worker per conversation, so its messages run one at a time; different
conversations run in parallel.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import erasure, identifier_vault, identifiers
from bot.channels import geo, notes
from bot.checkins.forget import forget_in_tracker
from bot.crypto import KeySet
from bot.delivery import inbound as kinds
from bot.delivery.outbox import Deliverer, enqueue, unseal
from bot.delivery.workers import ConversationWorkers
from bot.handoff.desk import Desk
from bot.language import chosen_language, decide
from bot.metrics import HOLDING_SENT, RASA_ERRORS, observe_turn
from bot.rasa_client import BotReply, RasaClient, RasaUnavailable
from bot.store.models import Conversation, InboxMessage, OutboxMessage, utcnow

if TYPE_CHECKING:
    from bot.checkins.scheduler import Checkins

logger = logging.getLogger(__name__)
BATCH = 20  # pending messages of one conversation read at once
RECENT_REPLIES = 30  # a button press counts when the bot offered it in this many last messages


@dataclass
class ChannelSpec:
    """What the runner needs to know about a channel."""

    name: str
    text_limit: Optional[int] = None
    # Called when a message's turn starts (WhatsApp marks it read, Telegram stops a button's spinner).
    on_turn_start: Optional[Callable[[Conversation, InboxMessage], Awaitable[None]]] = None
    # More choices than this become numbered text ("reply with the number").
    max_buttons: Optional[int] = None
    # True when the platform itself only delivers payloads the bot put on its buttons or templates
    # (WhatsApp); otherwise (web chat, Telegram callback data) a press is checked against the
    # buttons the bot offered.
    trusted_buttons: bool = False


def numbered(
    replies: List[BotReply], max_buttons: Optional[int], language: Optional[str] = None
) -> tuple[List[BotReply], Optional[List[str]]]:
    """Replies whose choices do not fit as buttons become a numbered list; returns the payloads."""
    choices: Optional[List[str]] = None
    result: List[BotReply] = []
    for reply in replies:
        if max_buttons is not None and len(reply.buttons) > max_buttons:
            lines = [f"{i}. {b['title']}" for i, b in enumerate(reply.buttons, start=1)]
            text = "\n".join([reply.text, "", *lines, "", notes.say("NUMBERED_CHOICE", language)]).strip()
            result.append(BotReply(text=text))
            choices = [b["payload"] for b in reply.buttons]
        else:
            result.append(reply)
    return result, choices


# Typed on any channel (WhatsApp has no commands): leave at once, like Telegram's /stop.
QUICK_EXIT_WORDS = frozenset(("/stop", "/exit", "exit", "quick exit", "salir", "sortir", "quitter"))


def command_of(text: str) -> str:
    """"/start@SafePassageBot payload" → "/start"."""
    words = text.split()
    return words[0].split("@")[0].lower() if words else ""


def language_command(row: InboxMessage) -> bool:
    """"/language" typed as text (WhatsApp and the web chat have no commands) counts as the command."""
    return row.kind == kinds.TEXT and command_of(row.text or "") == "/language"


def rasa_text_for(row: InboxMessage, conversation: Conversation) -> Optional[str]:
    """What to send to Rasa for this message, or None when the gateway answers alone."""
    text = (row.text or "").strip()
    if row.kind == kinds.COMMAND or language_command(row):
        command = command_of(text)
        if command == "/start":
            return "/greet"
        if command == "/stop":
            return "/restart"
        if command == "/language":  # "/language es" switches; a bare "/language" offers the buttons
            choice = chosen_language(text)
            return f'/change_language{{"language":"{choice}"}}' if choice else None
        # Any other command: its words as plain text (a leading "/" would read as an intent).
        return text.lstrip("/") or None
    if row.kind in (kinds.TEXT, kinds.BUTTON, kinds.LOCATION, kinds.MEDIA):
        if row.kind == kinds.TEXT and " ".join(text.lower().strip(" .!").split()) in QUICK_EXIT_WORDS:
            return "/restart"
        if row.kind == kinds.TEXT and conversation.numbered_choices and text.isdigit():
            index = int(text) - 1
            if 0 <= index < len(conversation.numbered_choices):
                return str(conversation.numbered_choices[index])
        return text or None
    return None


def made_by_gateway(row: InboxMessage, rasa_text: str, spec: ChannelSpec) -> bool:
    """True for Rasa input the gateway (or a platform that checks payloads) wrote itself: a
    command's intent, a location, a numbered choice, a WhatsApp button's id.
    """
    if row.kind == kinds.LOCATION or (row.kind == kinds.BUTTON and spec.trusted_buttons):
        return True
    if row.kind == kinds.COMMAND or rasa_text == "/restart":
        return rasa_text in ("/greet", "/restart")
    return rasa_text != (row.text or "").strip()


def screened(text: str, offered: Sequence[str]) -> str:
    """A user's text as Rasa may read it: a leading "/" (Rasa's direct-intent syntax, such as
    `/affirm` or `/inform{"country":"X"}`) only passes when it is exactly a payload the bot
    offered; anything else loses its slashes and is read as plain words.
    """
    if not text.startswith("/") or text in offered:
        return text
    return text.lstrip("/").strip()


def with_language(rasa_text: str, language: str) -> str:
    """A payload ("/check_job_offer", "/inform{...}") with the language as one more entity.

    Rasa does not run its NLU pipeline on a payload, so the metadata's language would not reach
    the `language` slot; as an entity in the payload it does. Typed text is left alone.
    """
    match = re.match(r"^(/[A-Za-z_][\w/]*)(\{.*\})?$", rasa_text, re.DOTALL)
    if not match or match.group(1) == "/restart":
        return rasa_text
    try:
        entities = json.loads(match.group(2)) if match.group(2) else {}
    except ValueError:
        return rasa_text
    if not isinstance(entities, dict) or "language" in entities:
        return rasa_text
    return match.group(1) + json.dumps({**entities, "language": language}, separators=(",", ":"))


def gateway_replies(row: InboxMessage, language: Optional[str] = None) -> List[BotReply]:
    """What the gateway says itself before (or instead of) Rasa's answer."""
    meta = row.meta or {}
    if row.kind == kinds.MEDIA:
        return [BotReply(notes.media(str(meta.get("media", "file")), language))]
    if row.kind == kinds.CONTACTS:
        return [BotReply(notes.say("CONTACTS", language))]
    if row.kind == kinds.UNSUPPORTED:
        return [BotReply(notes.say("UNSUPPORTED", language))]
    if row.kind == kinds.EDIT:
        return [BotReply(notes.say("EDITED", language))]
    if row.kind == kinds.LOCATION and not row.text:
        # no country could be found for the point
        return [BotReply(notes.say("LOCATION_UNKNOWN", language))]
    if row.kind == kinds.COMMAND or language_command(row):
        if command_of(row.text or "") == "/language" and not chosen_language(row.text or ""):
            return [BotReply(notes.say("LANGUAGES", language), notes.language_buttons())]
    return []


class TurnRunner(ConversationWorkers):
    lease_kind = "turn"

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        keys: KeySet,
        pseudonym_key: str,
        rasa: RasaClient,
        deliverer: Deliverer,
        channels: Mapping[str, ChannelSpec],
        retry_cap_seconds: float = 30.0,
        holding_after: float = 10.0,
        max_concurrent_turns: int = 4,
        messages_per_minute: int = 20,
    ) -> None:
        self.db = db
        self.keys = keys
        self.pseudonym_key = pseudonym_key
        self.rasa = rasa
        self.deliverer = deliverer
        self.channels = dict(channels)
        self.retry_cap = retry_cap_seconds
        self.holding_after = holding_after
        self.messages_per_minute = messages_per_minute
        # Rasa answers one message at a time per process: more turns in flight only make each
        # slower. Waiting turns queue here, leaving the event loop free to acknowledge webhooks.
        self._slots = asyncio.Semaphore(max_concurrent_turns)
        self._waiters: Dict[int, asyncio.Event] = {}
        self._holding_timers: Dict[int, asyncio.Future[None]] = {}  # inbox id → its holding message's timer
        self._failures: Dict[str, int] = {}
        self.desk: Optional[Desk] = None  # human handoff (bot/handoff/desk.py), set by the app
        self.checkins: Optional[Checkins] = None  # check-in buttons and code word (bot/checkins/), set by the app
        self.tracker_url = ""  # Rasa's SQL tracker store, where stopped check-ins are forgotten (set by the app)
        super().__init__()

    async def accept(self, message: kinds.Inbound) -> kinds.Recorded:
        """Write an inbound message to the inbox and start its turn (not again for a duplicate)."""
        recorded = await kinds.record(self.db, message, self.pseudonym_key, self.keys)
        if not recorded.duplicate and recorded.row is not None:
            language = recorded.conversation.language if recorded.conversation is not None else None
            self._time_holding(recorded.row, language)
        if not recorded.duplicate:
            first = (recorded.conversation, [recorded.row]) if recorded.row and recorded.conversation else None
            self.kick(recorded.conversation_id, first)
        return recorded

    def watch(self, inbox_id: int) -> asyncio.Event:
        """An event set when this message has been answered or the holding message was sent."""
        return self._waiters.setdefault(inbox_id, asyncio.Event())

    def unwatch(self, inbox_id: int) -> None:
        self._waiters.pop(inbox_id, None)

    async def recover(self) -> int:
        """After a start: run every message that was acknowledged but not yet answered."""
        async with self.db() as session:
            ids = (
                await session.scalars(
                    select(InboxMessage.conversation_id).where(InboxMessage.status == "pending").distinct()
                )
            ).all()
        for conversation_id in ids:
            self.kick(conversation_id, sweep=True)
        return len(ids)

    async def has_work(self, conversation_id: str) -> bool:
        async with self.db() as session:
            return bool(await session.scalar(select(InboxMessage.id).where(
                InboxMessage.conversation_id == conversation_id, InboxMessage.status == "pending").limit(1)))

    async def step(self, conversation_id: str, batch: Optional[Any] = None) -> bool:
        if batch is not None:
            conversation, rows = batch
        else:
            conversation, rows = await self._pending(conversation_id)
        if not rows or conversation is None:
            self._failures.pop(conversation_id, None)
            return False
        for row in rows:  # messages this replica did not receive (another one died) are timed too
            self._time_holding(row, conversation.language)
        for row in rows:
            async with self._slots:
                answered = await self._run(conversation, row)
            if not answered:  # Rasa could not answer: the message stays first in line
                failures = self._failures[conversation_id] = self._failures.get(conversation_id, 0) + 1
                await asyncio.sleep(min(self.retry_cap, 0.5 * 2**failures))
                return True
            self._failures.pop(conversation_id, None)
        # Messages recorded meanwhile re-arm the worker through kick(); a full batch may have more.
        return len(rows) == BATCH

    async def _pending(self, conversation_id: str) -> tuple[Optional[Conversation], List[InboxMessage]]:
        async with self.db() as session:
            rows = list(
                (
                    await session.scalars(
                        select(InboxMessage)
                        .where(InboxMessage.conversation_id == conversation_id, InboxMessage.status == "pending")
                        .order_by(InboxMessage.id)
                        .limit(BATCH)
                    )
                ).all()
            )
            conversation = await session.get(Conversation, conversation_id)
        return conversation, rows

    async def _run(self, conversation: Conversation, row: InboxMessage) -> bool:
        """One message's turn; False when Rasa could not answer (the message stays pending)."""
        spec = self.channels.get(row.channel, ChannelSpec(row.channel))
        if row.attempts == 0 and spec.on_turn_start is not None:
            # `row` is a detached copy: the platform's message id is opened for the hook only.
            row.platform_ref = self.keys.decrypt_optional(row.platform_ref)
            try:
                await spec.on_turn_start(conversation, row)
            except Exception as exc:  # a read receipt or a spinner is not worth failing a turn
                logger.info("%s turn-start hook failed: %s", row.channel, type(exc).__name__)
        refused = await self._refused(conversation, row)
        if refused is not None:  # a blocked sender or a flood: never Rasa, never a counselor
            async with self.db() as session, session.begin():
                fresh = await session.get(InboxMessage, row.id)
                assert fresh is not None
                await enqueue(session, self.keys, conversation.id, row.channel, refused, row.id, spec.text_limit)
                fresh.status, fresh.text, fresh.processed_at = "done", None, utcnow()
                fresh.attempts = row.attempts + 1
            self.deliverer.kick(conversation.id)
            self._finish(row.id)
            return True
        # `row` is a detached copy: opening its text here never writes plaintext back.
        row.text = self.keys.decrypt_optional(row.text)
        if row.kind == kinds.LOCATION:
            row.text = await locate(json.loads(row.text or "{}"))
        if self.checkins is not None and await self.checkins.take(conversation, row, row.text or ""):
            self._finish(row.id)  # a check-in answer or the code word, in any ownership state
            return True
        if self.desk is not None:
            # A conversation that is queued or with a counselor: the message goes to the console.
            taken = await self.desk.take(conversation.id, row, row.text or "")
            if taken.handled:
                self._finish(row.id)
                return True
            if taken.rasa_paused:  # back from a counselor: Rasa listens again before this turn
                try:
                    await self.desk.resume(conversation.id)
                except RasaUnavailable as exc:
                    logger.warning("rasa unavailable to resume a conversation: %s", exc)
                    await self._hold(row, spec, conversation.language)
                    return False
        rasa_text = rasa_text_for(row, conversation)
        expired = False
        if rasa_text is not None and row.kind == kinds.BUTTON and rasa_text.startswith("#"):
            rasa_text = await self._choice_payload(conversation.id, rasa_text)
            expired = rasa_text is None
        elif rasa_text is not None and not made_by_gateway(row, rasa_text, spec):
            rasa_text = await self._from_user(conversation.id, row, rasa_text) or None
        # The conversation's language after this message (bot/language.py): Rasa answers in it.
        decision = decide(
            conversation.language, conversation.language_source,
            text=(row.text or "") if row.kind == kinds.TEXT else "",
            hint=conversation.language_hint,
            choice=chosen_language(rasa_text or ""),
        )
        language = decision.language
        replies = gateway_replies(row, language)
        if expired:
            replies = [BotReply(notes.say("CHOICE_EXPIRED", language))]
        erase_requested = rasa_text == erasure.ERASE_PAYLOAD
        if rasa_text in (erasure.ERASE_PAYLOAD, erasure.KEEP_PAYLOAD):
            # The answer to the bot's "erase your data?" buttons: the gateway acts on it, not Rasa.
            replies = replies + [BotReply(notes.say("ERASING" if erase_requested else "ERASE_KEPT", language))]
            rasa_text = None
        if rasa_text is not None:
            rasa_text = with_language(rasa_text, language)
            metadata = {"channel": row.channel, "language": language}
            if conversation.language_hint:
                metadata["language_hint"] = conversation.language_hint
            # A slow Rasa is still working on the message: tell the user once, keep waiting for
            # this answer, and never send the same message again (Rasa would run it twice).
            # Only a failed request (Rasa down, an error, no answer at all) is retried later.
            request = asyncio.ensure_future(self.rasa.send(conversation.id, rasa_text, metadata=metadata))
            try:
                done, _ = await asyncio.wait({request}, timeout=self.holding_after)
                if not done:
                    await self._hold(row, spec, language)
                answer = await request
            except RasaUnavailable as exc:
                logger.warning("rasa unavailable for a %s turn: %s", row.channel, exc)
                RASA_ERRORS.labels("turn").inc()
                await self._hold(row, spec, language)
                return False
            finally:
                request.cancel()
            if rasa_text == "/restart":
                answer = [BotReply(notes.say("STOPPED", language))]
            replies = replies + answer
        replies, choices = numbered(replies, spec.max_buttons, language)
        async with self.db() as session, session.begin():
            # Of two replicas that both ran this message (one had lost its lease unnoticed), only
            # the first to mark it answered stores its replies; the other's are dropped.
            marked = await session.execute(
                update(InboxMessage).where(InboxMessage.id == row.id, InboxMessage.status == "pending")
                .values(status="done", text=None, processed_at=utcnow(), attempts=row.attempts + 1)
            )
            answered_elsewhere = not getattr(marked, "rowcount", 0)
            current = await session.get(Conversation, conversation.id)
            assert current is not None
            if not answered_elsewhere:
                sent = await self._store_answer(session, current, row, spec, replies, choices,
                                                language, decision.source, erase_requested)
        if answered_elsewhere:
            logger.warning("a %s message was answered by another replica meanwhile", row.channel)
            self._finish(row.id)
            return True
        forget_checkins = current.checkins_forget_at is not None
        # The next message in this batch sees this one's choices and language.
        conversation.numbered_choices = current.numbered_choices
        conversation.language, conversation.language_source = current.language, current.language_source
        observe_turn(row.channel, row.received_at)
        self.deliverer.kick(conversation.id, (current, sent) if sent else None)
        if self.desk is not None and current.owner != "bot" and not current.rasa_paused:
            await self.desk.pause(conversation.id)  # this turn asked for a counselor
        if forget_checkins:
            await self._forget_checkins(conversation.id)
        self._finish(row.id)
        return True

    async def _store_answer(
        self, session: AsyncSession, current: Conversation, row: InboxMessage,
        spec: ChannelSpec, replies: List[BotReply], choices: Optional[Any], language: str, source: Optional[str],
        erase_requested: bool,
    ) -> List[OutboxMessage]:
        """The turn's replies queued and the conversation updated, in the caller's transaction (which
        has already marked the message answered)."""
        sent = await enqueue(session, self.keys, current.id, row.channel, replies, row.id, spec.text_limit)
        if erase_requested:
            current.erase_requested_at = utcnow()  # erased once this reply is out (bot/erasure.py)
        current.language, current.language_source = language, source
        if choices is not None:
            current.numbered_choices = choices
        elif row.kind in (kinds.TEXT, kinds.BUTTON, kinds.COMMAND):
            current.numbered_choices = None
        return sent

    async def _forget_checkins(self, conversation_id: str) -> None:
        """Check-ins were stopped in this turn: their answers leave Rasa's tracker now, between turns
        (on a failure the mark stays and the next turn tries again)."""
        try:
            await forget_in_tracker(self.tracker_url, conversation_id)
        except Exception as exc:  # the tracker store is down: keep the mark, the user's turn went fine
            logger.warning("could not remove check-in answers from the tracker: %s", type(exc).__name__)
            return
        async with self.db() as session, session.begin():
            await session.execute(
                update(Conversation).where(Conversation.id == conversation_id).values(checkins_forget_at=None)
            )

    async def _refused(self, conversation: Conversation, row: InboxMessage) -> Optional[List[BotReply]]:
        """The only replies for a blocked sender or one over the rate limit; None to go on."""
        if conversation.blocked_at is not None:
            return [BotReply(notes.say("BLOCKED", conversation.language))]
        async with self.db() as session:
            recent = await session.scalar(
                select(func.count(InboxMessage.id)).where(
                    InboxMessage.conversation_id == conversation.id,
                    InboxMessage.id <= row.id,
                    InboxMessage.received_at >= utcnow() - timedelta(minutes=1),
                )
            )
        if (recent or 0) <= self.messages_per_minute:
            return None
        # Over the limit: say so once, then stay quiet until the minute has passed.
        if recent == self.messages_per_minute + 1:
            return [BotReply(notes.say("SLOW_DOWN", conversation.language))]
        return []

    async def _offered(self, conversation_id: str, latest_only: bool) -> List[str]:
        """Payloads of the buttons the bot offered: in its latest reply, or in its recent ones."""
        async with self.db() as session:
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.conversation_id == conversation_id)
                    .order_by(OutboxMessage.id.desc())
                    .limit(RECENT_REPLIES)
                )
            ).all()
        if latest_only and rows:
            rows = [row for row in rows if row.inbox_id == rows[0].inbox_id]
        return [str(b.get("payload")) for row in rows for b in unseal(self.keys, row.body).get("buttons") or []]

    async def _from_user(self, conversation_id: str, row: InboxMessage, text: str) -> str:
        """What the user sent, made safe for Rasa: payloads checked, identifiers replaced.

        A typed "/..." passes only as a payload of the bot's latest reply; a button press (a
        payload the platform or the web chat passed on) only as one of its recent replies.
        Phone numbers, e-mail addresses and ID numbers become placeholders; the originals are
        kept encrypted (bot/identifier_vault.py).
        """
        if text.startswith("/"):
            text = screened(text, await self._offered(conversation_id, latest_only=row.kind != kinds.BUTTON))
            if text.startswith("/"):
                return text  # a payload the bot offered: no identifiers in it
        text, found = identifiers.redact(text)
        if found and row.attempts == 0:
            async with self.db() as session, session.begin():
                identifier_vault.keep(session, self.keys, conversation_id, found)
        return text

    async def _choice_payload(self, conversation_id: str, reference: str) -> Optional[str]:
        """A long payload a button referred to as "#<outbox id>:<index>" (Telegram's 64 bytes)."""
        try:
            outbox_id, index = (int(part) for part in reference[1:].split(":", 1))
        except ValueError:
            return None
        async with self.db() as session:
            row = await session.get(OutboxMessage, outbox_id)
        if row is None or row.conversation_id != conversation_id:
            return None  # never another conversation's choices
        buttons = unseal(self.keys, row.body).get("buttons") or []
        return str(buttons[index]["payload"]) if 0 <= index < len(buttons) else None

    async def _hold(self, row: InboxMessage, spec: ChannelSpec, language: Optional[str] = None) -> None:
        """Tell the user once that the answer is delayed; the message stays pending."""
        async with self.db() as session, session.begin():
            await session.execute(
                update(InboxMessage).where(InboxMessage.id == row.id).values(attempts=row.attempts + 1)
            )
            await self._enqueue_holding(session, row, language)
        self.deliverer.kick(row.conversation_id)
        self._finish(row.id)

    async def _hold_later(self, row: InboxMessage, language: Optional[str] = None) -> None:
        await asyncio.sleep(max(0.0, self.holding_after - seconds_since(row.received_at)))
        try:
            async with self.db() as session, session.begin():
                held = await self._enqueue_holding(session, row, language)
        except Exception as exc:  # the turn itself will try again
            logger.warning("holding message not queued: %s", type(exc).__name__)
            return
        if held:
            self.deliverer.kick(row.conversation_id)
            self._finish(row.id)

    async def _enqueue_holding(self, session: AsyncSession, row: InboxMessage, language: Optional[str] = None) -> bool:
        """Queue the holding message unless it was already (an atomic flag: replicas may race)."""
        claimed = await session.execute(
            update(InboxMessage)
            .where(InboxMessage.id == row.id, InboxMessage.holding_sent.is_(False),
                   InboxMessage.status == "pending")
            .values(holding_sent=True)
        )
        if not getattr(claimed, "rowcount", 0):
            return False
        HOLDING_SENT.labels(row.channel).inc()
        holding = [BotReply(notes.say("HOLDING", language))]
        await enqueue(session, self.keys, row.conversation_id, row.channel, holding, row.id)
        return True

    def _time_holding(self, row: InboxMessage, language: Optional[str] = None) -> None:
        """Make the holding message due `holding_after` seconds after the message arrived,
        whatever its turn waits for: a free slot, an earlier message of the same conversation
        that Rasa cannot answer yet (a hung or dead Rasa server, its conversation lock), or a
        lease. Answering the message (or holding it) first cancels the timer."""
        if row.id in self._holding_timers:
            return
        timer = asyncio.ensure_future(self._hold_later(row, language))
        self._holding_timers[row.id] = timer
        timer.add_done_callback(self._forget_timer)

    def _forget_timer(self, timer: asyncio.Future[None]) -> None:
        for inbox_id, held in list(self._holding_timers.items()):
            if held is timer:
                del self._holding_timers[inbox_id]

    async def close(self) -> None:
        for timer in list(self._holding_timers.values()):
            timer.cancel()
        await super().close()

    def _finish(self, inbox_id: int) -> None:
        timer = self._holding_timers.pop(inbox_id, None)
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
        event = self._waiters.pop(inbox_id, None)
        if event is not None:
            event.set()


def seconds_since(moment: Optional[datetime]) -> float:
    """How long ago `moment` was (0 when unknown; SQLite gives naive UTC datetimes)."""
    if moment is None:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return (utcnow() - moment).total_seconds()


def location_text(country_code: Optional[str]) -> str:
    """A shared location as Rasa input: the country as an `inform` with its entity."""
    return "/inform" + json.dumps({"country": country_code}) if country_code else ""


async def locate(point: Dict[str, Any]) -> str:
    """The Rasa input for a shared point ("" when no country is found).

    The offline index loads on the first location (about 2 s), so it runs in a thread: other
    conversations are not held up.
    """
    try:
        latitude, longitude = float(point["latitude"]), float(point["longitude"])
    except (KeyError, TypeError, ValueError):
        return ""
    return location_text(await asyncio.to_thread(geo.country_for, latitude, longitude))
