"""A scripted load for the scaled topology: users on Telegram who each send a message, wait for
the bot's answer, and send the next one, while the test breaks a process.

What a user notices is measured: how long until the first thing the bot says (an answer or the
holding message), whether every message was answered, and whether any reply came twice.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import aiohttp
import asyncpg

from bot.channels import notes
from bot.pseudonym import pseudonym
from tests.fakes import FakeTelegram
from tests.gateway.casework_support import report_body
from tests.integration.conftest import TELEGRAM_SECRET

TEXTS = [
    "hello",
    "is a job in Dubai with a free visa safe?",
    "what are my rights as a child worker",
    "they want to keep my passport",
    "thank you",
]
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


@dataclass
class Casework:
    """Reports and handoffs filed through the casework API while a process is broken."""

    reports: List[str] = field(default_factory=list)  # idempotency keys acknowledged (2xx with a reference)
    reports_retried: int = 0  # extra attempts (same idempotency key)
    handoffs: List[str] = field(default_factory=list)  # conversation ids whose handoff was acknowledged
    handoffs_tried: List[str] = field(default_factory=list)  # every conversation a handoff was asked for
    handoffs_retried: int = 0
    refused: List[str] = field(default_factory=list)  # a 4xx: the action server would give up
    unacknowledged: List[str] = field(default_factory=list)  # no 2xx within the patience


@dataclass
class Results:
    posted: int = 0  # distinct messages acknowledged with 200
    redelivered: int = 0  # the same update delivered again, to the other gateway
    first_response: List[float] = field(default_factory=list)  # seconds to the first reply or holding message
    unanswered: List[str] = field(default_factory=list)  # updates never answered in time
    casework: Casework = field(default_factory=Casework)


def update_for(chat: int, update_id: int, text: str) -> Dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": int(time.time()), "text": text,
            "from": {"id": chat, "is_bot": False, "first_name": "Load", "language_code": "en"},
            "chat": {"id": chat, "type": "private", "first_name": "Load"},
        },
    }


def sends_to(telegram: FakeTelegram, chat: int) -> int:
    return sum(1 for call in list(telegram.calls) if call.method == "sendMessage"
               and int(call.params.get("chat_id", 0)) == chat)


class SendCounter:
    """sendMessage calls per chat, counted incrementally: re-reading every call on each poll
    (100 users, 20 polls a second, thousands of calls) starved the load generator and the fake
    Bot API on its thread, which made the bot look slower the longer a soak ran."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram
        self.seen = 0
        self.by_chat: Dict[int, int] = {}
        self.answers_by_chat: Dict[int, int] = {}  # the same, without the holding messages
        self.holding = {notes.say("HOLDING", code) for code in ("en", "es", "fr")}

    def _read(self) -> None:
        calls = self.telegram.calls
        end = len(calls)  # the fake appends from another thread: count up to a fixed end
        for call in calls[self.seen:end]:
            if call.method == "sendMessage":
                key = int(call.params.get("chat_id", 0))
                self.by_chat[key] = self.by_chat.get(key, 0) + 1
                if call.params.get("text") not in self.holding:
                    self.answers_by_chat[key] = self.answers_by_chat.get(key, 0) + 1
        self.seen = end

    def __call__(self, chat: int) -> int:
        """Every message the bot sent this chat."""
        self._read()
        return self.by_chat.get(chat, 0)

    def answers(self, chat: int) -> int:
        """The bot's answers to this chat (holding messages say the answer is coming; not counted)."""
        self._read()
        return self.answers_by_chat.get(chat, 0)


async def deliver(session: aiohttp.ClientSession, url: str, update: Dict[str, Any], patience: float = 90.0) -> bool:
    """POST like Telegram does: retried (same update id) until a 200 comes back."""
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        try:
            async with session.post(url, json=update, headers=HEADERS,
                                    timeout=aiohttp.ClientTimeout(total=10)) as response:
                if response.status == 200:
                    return True
        except (aiohttp.ClientError, asyncio.TimeoutError):
            pass
        await asyncio.sleep(1.0)
    return False


async def user(
    session: aiohttp.ClientSession, telegram: FakeTelegram, public_url: str, other_gateway: str,
    chat: int, until: float, results: Results, first_id: int,
) -> None:
    update_id = first_id
    while time.monotonic() < until:
        update_id += 1
        update = update_for(chat, update_id, TEXTS[update_id % len(TEXTS)])
        before = sends_to(telegram, chat)
        started = time.monotonic()
        if not await deliver(session, f"{public_url}/telegram/webhook", update):
            results.unanswered.append(f"u{update_id} (never acknowledged)")
            continue
        results.posted += 1
        if update_id % 3 == 0:  # a platform redelivery that lands on another replica
            if await deliver(session, f"{other_gateway}/telegram/webhook", update):
                results.redelivered += 1
        # The fake runs on another thread's event loop: poll its calls (an Event there cannot be awaited here).
        while sends_to(telegram, chat) == before and time.monotonic() - started < 90:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        if sends_to(telegram, chat) == before:
            results.unanswered.append(f"u{update_id}")
        else:
            results.first_response.append(time.monotonic() - started)
        await asyncio.sleep(1.0)


# actions/reports/submit.py: IN_TURN_DELAYS between the in-turn attempts; its background task then
# retries with the same key from 15 s on. Here the retries go on every 2 s (the suite's time is short).
RETRY_DELAYS = (0.5, 1.0, 2.0)


def handoff_body(conversation: str) -> Dict[str, Any]:
    """What actions/handoff.py sends for "talk to a person"."""
    return {"conversation_id": conversation, "reason": "request_human", "country": None, "language": "en",
            "context": {}}


async def casework_post(session: aiohttp.ClientSession, url: str, token: str,
                         body: Dict[str, Any]) -> tuple[Optional[int], Dict[str, Any]]:
    """actions/casework_client.call: the service token, a 5 s timeout; (None, {}) when unreachable."""
    try:
        async with session.post(url, json=body, headers={"Authorization": f"Bearer {token}"},
                                timeout=aiohttp.ClientTimeout(total=5)) as response:
            try:
                answer = await response.json(content_type=None)
            except ValueError:
                answer = {}
            return response.status, answer if isinstance(answer, dict) else {}
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return None, {}


async def _until_acknowledged(session: aiohttp.ClientSession, url: str, token: str, body: Dict[str, Any],
                              field_: str, patience: float) -> tuple[Optional[int], int]:
    """POST the same body (same idempotency key) until a 2xx carrying `field_`, a 4xx (not 429),
    or the patience runs out: (the last status, attempts)."""
    deadline = time.monotonic() + patience
    attempts = 0
    while True:
        status, answer = await casework_post(session, url, token, body)
        attempts += 1
        if status in (200, 201) and answer.get(field_):
            return status, attempts
        if status is not None and 400 <= status < 500 and status != 429:
            return status, attempts
        if time.monotonic() > deadline:
            return None, attempts
        await asyncio.sleep(RETRY_DELAYS[min(attempts - 1, len(RETRY_DELAYS) - 1)])


async def caseworker(session: aiohttp.ClientSession, public_url: str, other_gateway: str, token: str,
                     prefix: str, until: float, results: Results, patience: float = 90.0) -> None:
    """What the action server does for finished report forms and "talk to a person": a report
    (POST /api/v1/reports, one idempotency key per report, retried with it) and a handoff
    (POST /api/v1/handoffs), each for a conversation of its own, through nginx, until `until`.

    The handoffs' conversations are not the load users': a queued conversation's messages go to
    the console instead of the bot, which the message checks would count as lost.

    Every third one is sent again, to the other gateway, once acknowledged: the action server's
    retry after an answer lost on the way back (same idempotency key, same conversation)."""
    casework = results.casework

    async def filed(path: str, body: Dict[str, Any], field_: str, replay: bool) -> tuple[Optional[int], int]:
        """POST until acknowledged; a replay sends it once more, to the other gateway: (status, retries)."""
        status, attempts = await _until_acknowledged(session, f"{public_url}{path}", token, body, field_, patience)
        retried = attempts - 1
        if status in (200, 201) and replay:
            again, more = await _until_acknowledged(
                session, f"{other_gateway}{path}", token, body, field_, patience)
            retried += more
            status = status if again in (200, 201) else again
        return status, retried

    def record(name: str, status: Optional[int], acknowledged: List[str]) -> None:
        if status in (200, 201):
            acknowledged.append(name)
        else:
            (casework.refused if status else casework.unacknowledged).append(f"{name} ({status})")

    number = 0
    while time.monotonic() < until:
        number += 1
        key = f"{prefix}-report-{number:04d}"
        report = report_body(key=key, conversation=f"{prefix}-reporter-{number:04d}")
        status, retried = await filed("/api/v1/reports", report, "reference", number % 3 == 0)
        casework.reports_retried += retried
        record(key, status, casework.reports)
        conversation = f"{prefix}-waiting-{number:04d}"
        casework.handoffs_tried.append(conversation)
        status, retried = await filed("/api/v1/handoffs", handoff_body(conversation), "text", number % 3 == 0)
        casework.handoffs_retried += retried
        record(conversation, status, casework.handoffs)
        await asyncio.sleep(0.5)


async def casework_counts(database_url: str, keys: List[str], conversations: List[str]) -> Dict[str, Dict[str, int]]:
    """Cases stored per idempotency key, handoffs per conversation."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        cases = await connection.fetch(
            "SELECT idempotency_key, count(*) AS n FROM cases WHERE idempotency_key = ANY($1::text[]) "
            "GROUP BY idempotency_key", keys)
        handoffs = await connection.fetch(
            "SELECT conversation_id, count(*) AS n FROM handoffs WHERE conversation_id = ANY($1::text[]) "
            "GROUP BY conversation_id", conversations)
        return {
            "cases": {row["idempotency_key"]: int(row["n"]) for row in cases},
            "handoffs": {row["conversation_id"]: int(row["n"]) for row in handoffs},
        }
    finally:
        await connection.close()


async def settle(database_url: str, timeout: float = 120.0) -> Dict[str, int]:
    """Wait until no inbound message is pending and no reply unsent; the final counts."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        deadline = time.monotonic() + timeout
        while True:
            inbox = await connection.fetchval("SELECT count(*) FROM inbox WHERE status = 'pending'")
            outbox = await connection.fetchval("SELECT count(*) FROM outbox WHERE status = 'pending'")
            if (inbox == 0 and outbox == 0) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        return {
            "inbox_pending": int(inbox), "outbox_pending": int(outbox),
            "inbox_total": int(await connection.fetchval("SELECT count(*) FROM inbox")),
            "outbox_sent": int(await connection.fetchval(
                "SELECT count(*) FROM outbox WHERE channel = 'telegram' AND status <> 'pending' "
                "AND status <> 'failed'")),
            "outbox_failed": int(await connection.fetchval("SELECT count(*) FROM outbox WHERE status = 'failed'")),
        }
    finally:
        await connection.close()


async def counts_for(database_url: str, conversation_ids: List[str]) -> Dict[str, int]:
    """Inbound messages and platform sends recorded for these conversations."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        return {
            "inbox": int(await connection.fetchval(
                "SELECT count(*) FROM inbox WHERE conversation_id = ANY($1::text[])", conversation_ids)),
            "outbox_sent": int(await connection.fetchval(
                "SELECT count(*) FROM outbox WHERE conversation_id = ANY($1::text[]) AND channel = 'telegram' "
                "AND status NOT IN ('pending', 'failed')", conversation_ids)),
        }
    finally:
        await connection.close()


def conversation_of(pseudonym_key: str, chat: int) -> str:
    return pseudonym(pseudonym_key, "telegram", str(chat))
