"""The outbox: every outbound message is persisted, then sent in order with retries.

Each conversation's messages go out one at a time, oldest first; a message waiting for a
retry holds back the ones after it, so a user never reads replies out of order. Rows end
`sent` (then `delivered` / `read` where the platform reports it) or `failed`: the dead
letter, kept with its error for admins. Pending rows survive a restart (`recover`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Mapping, Optional, Protocol, Sequence

from sqlalchemy import select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.crypto import KeySet
from bot.delivery.workers import ConversationWorkers
from bot.metrics import MESSAGES_OUT, OUTBOX_FAILURES
from bot.pseudonym import message_key
from bot.rasa_client import BotReply
from bot.store.models import Conversation, OutboxMessage, utcnow

logger = logging.getLogger(__name__)

BATCH = 20  # unsent messages of one conversation read at once
SENT_WRITE_PATIENCE = 120.0  # seconds a sent message's status is retried while the database is away
# A later status never goes back: a `read` receipt arriving before `delivered` stays `read`.
STATUS_RANK = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}


@dataclass
class SendResult:
    """What a channel's sender reports for one attempt."""

    ok: bool
    platform_id: Optional[str] = None
    retry_after: Optional[float] = None  # set: try again (after this many seconds if > 0)
    error: Optional[str] = None  # a short reason, never message text
    status: str = "sent"  # for ok results that were not sent as written (see WhatsApp's window)

    @classmethod
    def sent(cls, platform_id: Optional[str]) -> SendResult:
        return cls(ok=True, platform_id=platform_id)

    @classmethod
    def retry(cls, error: str, after: float = 0.0) -> SendResult:
        return cls(ok=False, retry_after=after, error=error)

    @classmethod
    def failed(cls, error: str) -> SendResult:
        return cls(ok=False, error=error)


class Sender(Protocol):
    """One platform's way of sending a message (see bot/channels/)."""

    async def send(self, conversation: Conversation, message: OutboxMessage) -> SendResult: ...


class TokenBucket:
    """`rate` messages a second with bursts of `burst`; `acquire` waits for a token."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def delay(self) -> float:
        """Take a token now and return how long to wait before using it (0 when one was free)."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate

    async def acquire(self) -> None:
        wait = self.delay()
        if wait > 0:
            await asyncio.sleep(wait)


@dataclass(frozen=True)
class RateLimit:
    """Per-platform limits: messages a second overall, and per chat with a short burst."""

    overall_per_second: float
    per_chat_per_second: float
    per_chat_burst: float


class RateLimiter:
    def __init__(self, limit: RateLimit, max_chats: int = 10_000) -> None:
        self.limit = limit
        self.overall = TokenBucket(limit.overall_per_second, limit.overall_per_second)
        self.chats: OrderedDict[str, TokenBucket] = OrderedDict()
        self.max_chats = max_chats

    async def acquire(self, chat: str) -> None:
        bucket = self.chats.pop(chat, None) or TokenBucket(
            self.limit.per_chat_per_second, self.limit.per_chat_burst
        )
        self.chats[chat] = bucket
        while len(self.chats) > self.max_chats:
            self.chats.popitem(last=False)
        await bucket.acquire()
        await self.overall.acquire()


def seal(keys: KeySet, body: Dict[str, Any]) -> Dict[str, Any]:
    """A message body as stored: encrypted, since a reply can repeat what the user wrote."""
    return {"sealed": keys.encrypt(json.dumps(body, ensure_ascii=False))}


def unseal(keys: KeySet, body: Dict[str, Any]) -> Dict[str, Any]:
    if "sealed" not in body:
        return body
    opened: Dict[str, Any] = json.loads(keys.decrypt(str(body["sealed"])))
    return opened


def split_text(text: str, limit: int) -> List[str]:
    """Split a long reply at paragraph, then line, then sentence or word boundaries."""
    if len(text) <= limit:
        return [text]
    parts: List[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = -1
        for separator in ("\n\n", "\n", ". ", " "):
            position = window.rfind(separator)
            if position > limit // 3:
                cut = position + len(separator)
                break
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


async def enqueue(
    session: AsyncSession,
    keys: KeySet,
    conversation_id: str,
    channel: str,
    replies: Sequence[BotReply],
    inbox_id: Optional[int] = None,
    text_limit: Optional[int] = None,
) -> List[OutboxMessage]:
    """Add replies to the outbox inside the caller's transaction; long texts are split.

    Buttons stay with the last part of a split reply, so they come after all of its text.
    """
    rows: List[OutboxMessage] = []
    for reply in replies:
        parts = split_text(reply.text, text_limit) if text_limit and reply.text else [reply.text]
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            body: Dict[str, Any] = {"text": part, "buttons": reply.buttons if last else []}
            row = OutboxMessage(
                conversation_id=conversation_id,
                channel=channel,
                inbox_id=inbox_id,
                body=seal(keys, body),
                status="pending",
                attempts=0,
                next_attempt_at=utcnow(),
            )
            session.add(row)
            rows.append(row)
    await session.flush()
    MESSAGES_OUT.labels(channel).inc(len(rows))
    return rows


def backoff(attempts: int, base: float = 1.0, cap: float = 300.0) -> float:
    """1, 2, 4, ... seconds, capped."""
    return float(min(cap, base * (2 ** max(0, attempts - 1))))


def _aware(moment: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns: they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Deliverer(ConversationWorkers):
    """Sends pending outbox rows for channels that push (Telegram, WhatsApp)."""

    lease_kind = "outbox"

    def __init__(
        self,
        db: async_sessionmaker[AsyncSession],
        keys: KeySet,
        senders: Mapping[str, Sender],
        limits: Mapping[str, RateLimit],
        max_attempts: int = 10,
        backoff_base: float = 1.0,
        *,
        pseudonym_key: str,
    ) -> None:
        self.db = db
        self.keys = keys
        self.pseudonym_key = pseudonym_key  # platform message ids are stored as keyed hashes
        self.senders = dict(senders)
        self.limiters = {channel: RateLimiter(limit) for channel, limit in limits.items()}
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        super().__init__()

    async def recover(self) -> int:
        """After a start: pick up every conversation with unsent messages."""
        async with self.db() as session:
            ids = (
                await session.scalars(
                    select(OutboxMessage.conversation_id)
                    .where(OutboxMessage.status == "pending", OutboxMessage.channel.in_(self.senders))
                    .distinct()
                )
            ).all()
        for conversation_id in ids:
            self.kick(conversation_id, sweep=True)
        return len(ids)

    async def has_work(self, conversation_id: str) -> bool:
        async with self.db() as session:
            return bool(await session.scalar(select(OutboxMessage.id).where(
                OutboxMessage.conversation_id == conversation_id, OutboxMessage.status == "pending",
                OutboxMessage.channel.in_(self.senders)).limit(1)))

    async def _pending(self, conversation_id: str) -> Optional[tuple[Conversation, List[OutboxMessage]]]:
        """The conversation (address opened) and its unsent messages, oldest first."""
        async with self.db() as session:
            rows = list(
                (
                    await session.scalars(
                        select(OutboxMessage)
                        .where(
                            OutboxMessage.conversation_id == conversation_id,
                            OutboxMessage.status == "pending",
                            OutboxMessage.channel.in_(self.senders),
                        )
                        .order_by(OutboxMessage.id)
                        .limit(BATCH)
                    )
                ).all()
            )
            if not rows:
                return None
            conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None
        # A detached copy: opening the address here never writes it back in clear.
        conversation.address = self.keys.decrypt_optional(conversation.address)
        return conversation, rows

    async def step(self, conversation_id: str, batch: Optional[Any] = None) -> bool:
        if batch is not None and (not batch[1] or batch[1][0].channel not in self.senders):
            return False  # a pulling channel (the web chat): its client fetches the replies
        if batch is not None:
            conversation, rows = batch  # fresh from the turn: the address is still sealed
            conversation.address = self.keys.decrypt_optional(conversation.address)
            found: Optional[tuple[Conversation, List[OutboxMessage]]] = (conversation, rows)
        else:
            found = await self._pending(conversation_id)
        if found is None:
            return False
        conversation, rows = found
        for row in rows:
            wait = (_aware(row.next_attempt_at) - utcnow()).total_seconds()
            if wait > 0:  # the oldest message waits for its retry, and the later ones wait behind it
                await asyncio.sleep(wait)
            if not self.still_ours(conversation_id):
                return True  # the lease went stale while waiting: the worker stops (workers.py)
            if self.leases is not None and not await self._claim(row):
                return True  # another replica sent it or is sending it: read the rows again
            if not await self._attempt(conversation, row):
                return True  # a retry is scheduled: look again (the order is kept)
        # Messages added meanwhile re-arm the worker through kick(); a full batch may have more.
        return len(rows) == BATCH

    async def _claim(self, row: OutboxMessage) -> bool:
        """Replicas only: take this row for one send, or learn that another replica has it.

        The attempt is counted before the send, and the row is kept from others for a lease's
        lifetime: a replica that lost its conversation's lease unnoticed and still holds the row in
        memory finds its `attempts` moved on and sends nothing. If this replica dies mid-send, the
        row goes out again once the claim runs out (at least once: the platform may have it).
        """
        assert self.leases is not None
        claimed_until = utcnow() + timedelta(seconds=self.leases.ttl)
        async with self.db() as session, session.begin():
            result = await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.status == "pending",
                       OutboxMessage.attempts == row.attempts)
                .values(attempts=row.attempts + 1, next_attempt_at=claimed_until)
            )
        if not getattr(result, "rowcount", 0):
            logger.info("%s message already claimed by another replica", row.channel)
            return False
        return True  # _attempt writes the same count (row.attempts + 1) with the outcome

    async def _attempt(self, conversation: Conversation, row: OutboxMessage) -> bool:
        """One try; True when the message is settled (sent or failed for good)."""
        row.body = unseal(self.keys, row.body)  # a detached copy: never written back in clear
        limiter = self.limiters.get(row.channel)
        if limiter is not None:
            await limiter.acquire(conversation.id)
        try:
            result = await self.senders[row.channel].send(conversation, row)
        except Exception as exc:  # a sender bug or an unexpected network error: retry later
            logger.warning("%s send raised %s", row.channel, type(exc).__name__)
            result = SendResult.retry(type(exc).__name__)
        attempts = row.attempts + 1
        values: Dict[str, Any] = {"attempts": attempts, "updated_at": utcnow()}
        settled = True
        if result.ok:
            hashed = message_key(self.pseudonym_key, row.channel, result.platform_id) if result.platform_id else None
            values.update(status=result.status, platform_id=hashed, error=result.error)
        elif result.retry_after is not None and attempts < self.max_attempts:
            delay = max(result.retry_after, backoff(attempts, self.backoff_base))
            values.update(next_attempt_at=utcnow() + timedelta(seconds=delay), error=result.error)
            logger.info("%s send will be retried in %.1fs (%s)", row.channel, delay, result.error)
            OUTBOX_FAILURES.labels(row.channel, "no").inc()
            settled = False
        else:
            values.update(status="failed", error=(result.error or "failed")[:200])
            logger.warning("%s message failed for good: %s", row.channel, result.error)
            OUTBOX_FAILURES.labels(row.channel, "yes").inc()
        # The platform has the message: its `sent` must be written even if the database is away
        # for a while, or the row stays pending and the message goes out again.
        await self._record(row.id, values, patience=SENT_WRITE_PATIENCE if result.ok else 0.0)
        return settled

    async def _record(self, row_id: int, values: Dict[str, Any], patience: float) -> None:
        """Write one attempt's outcome, trying again for up to `patience` seconds."""
        deadline = time.monotonic() + patience
        delay = 0.2
        while True:
            try:
                async with self.db() as session, session.begin():
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending")
                        .values(**values)
                    )
                return
            except (SQLAlchemyError, OSError) as exc:
                if time.monotonic() + delay > deadline:
                    raise
                logger.warning("outbox status not written (%s); trying again", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(2.0, delay * 2)

    async def record_status(self, channel: str, platform_id: str, status: str, error: Optional[str] = None) -> bool:
        """A delivery receipt from the platform; statuses only move forward. False if unknown."""
        key = message_key(self.pseudonym_key, channel, platform_id)
        async with self.db() as session, session.begin():
            row = await session.scalar(
                select(OutboxMessage).where(OutboxMessage.channel == channel, OutboxMessage.platform_id == key)
            )
            if row is None:
                return False
            if status == "failed":
                row.status, row.error = "failed", (error or "failed")[:200]
            elif row.status != "failed" and STATUS_RANK.get(status, 0) > STATUS_RANK.get(row.status, 0):
                row.status = status
            row.updated_at = utcnow()
            return True
