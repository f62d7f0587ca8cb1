"""Property test of conversation ownership: random interleavings of user messages (and platform
retries of them), claims, disconnects, transfers and closes never lose a message, never deliver one
twice, and never leave a conversation with two owners.

The real turn runner, desk, outbox and SQLite database run in one event loop; Rasa is the fake
from conftest.py, whose "talk to a person" asks the desk for a counselor inside the turn, as the
action server does. Steps do not wait for each other: the workers run while later steps do.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from bot.casework.routing import load_routing
from bot.crypto import KeySet
from bot.delivery import inbound as kinds
from bot.delivery.inbound import Inbound
from bot.delivery.outbox import Deliverer, SendResult, unseal
from bot.handoff import service
from bot.handoff.desk import Desk
from bot.rasa_client import RasaClient
from bot.router import ChannelSpec, TurnRunner
from bot.settings import _default_routing_file
from bot.store.database import create_engine, session_factory
from bot.store.migrate import upgrade
from bot.store.models import Conversation, Handoff, HandoffMessage, InboxMessage, OutboxMessage
from tests.gateway.casework_support import seed_directory
from tests.gateway.conftest import ENCRYPTION_KEY, FakeRasa

CHANNEL = "fake"
AGENCY = "sample-intl-casework"
OTHER = "sample-intl-child-protection"
LEASE = 60.0
_TEMPLATE: Dict[str, Path] = {}


@dataclass(frozen=True)
class Counselor:
    id: int
    role: str
    agency_id: str


COUNSELORS = [Counselor(1, "counselor", AGENCY), Counselor(2, "counselor", AGENCY), Counselor(3, "counselor", OTHER)]


def template_database() -> Path:
    """A migrated database with the sample directory, made once and copied for each example."""
    if "path" not in _TEMPLATE:
        path = Path(tempfile.mkdtemp()) / "template.db"
        url = f"sqlite+aiosqlite:///{path}"
        upgrade(url)
        asyncio.run(seed_directory(url))
        _TEMPLATE["path"] = path
    return _TEMPLATE["path"]


class RecordingSender:
    def __init__(self) -> None:
        self.sent: List[int] = []

    async def send(self, conversation: Conversation, message: OutboxMessage) -> SendResult:
        self.sent.append(message.id)
        return SendResult.sent(f"p{message.id}")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now


class Ownership(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.dir = Path(tempfile.mkdtemp())
        shutil.copy(template_database(), self.dir / "gateway.db")
        self.keys = KeySet((ENCRYPTION_KEY,))
        self.counter = 0
        self.accepted: List[str] = []  # external ids of user messages
        self.texts: Dict[str, str] = {}
        self.counselor_lines: List[str] = []
        self.loop.run_until_complete(self._start())

    async def _start(self) -> None:
        self.engine = create_engine(f"sqlite+aiosqlite:///{self.dir / 'gateway.db'}")
        self.db = session_factory(self.engine)
        self.rasa = FakeRasa()
        self.bot_saw_while_not_owner: List[str] = []

        async def before_turn(body: Dict[str, Any]) -> None:
            # Only a bot-owned conversation's messages may reach Rasa (checked as they arrive).
            async with self.db() as session:
                conversation = await session.get(Conversation, body["sender"])
            if conversation is not None and conversation.owner != "bot":
                self.bot_saw_while_not_owner.append(body["message"])

        self.rasa.before_turn = before_turn
        self.rasa_server = TestServer(self.rasa.app, host="127.0.0.1")
        await self.rasa_server.start_server()
        import aiohttp

        self.http = aiohttp.ClientSession()
        client = RasaClient(self.http, str(self.rasa_server.make_url("")).rstrip("/"), "token", 10)
        self.sender = RecordingSender()
        self.deliverer = Deliverer(self.db, self.keys, {CHANNEL: self.sender}, {}, pseudonym_key="key")
        self.runner = TurnRunner(self.db, self.keys, "key", client, self.deliverer, {CHANNEL: ChannelSpec(CHANNEL)},
                                 messages_per_minute=100_000)  # this user is fast on purpose, not abusive
        self.clock = Clock()
        self.desk = Desk(self.db, self.keys, self.deliverer, client, load_routing(_default_routing_file()),
                         lease_seconds=LEASE, escalate_seconds=10_000)
        self.desk.clock = self.clock
        self.runner.desk = self.desk

        async def request_human(sender: str) -> List[Dict[str, Any]]:
            opened = await self.desk.request(sender, "request_human", None, "en", "Asked for a person", {})
            return [{"text": opened.reply.text}]

        self.rasa.actions["talk to a person"] = request_human

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    async def _settle(self) -> None:
        for _ in range(3):
            await self.runner.idle()
            await self.deliverer.idle()

    async def _open(self) -> Optional[Handoff]:
        async with self.db() as session:
            return await service.open_handoff_for(session, self.conversation_id())

    def conversation_id(self) -> str:
        return Inbound(CHANNEL, "", "user", "user", kinds.TEXT).conversation_id("key")

    # ---- what the user does -----------------------------------------------------------------

    @rule(what=st.sampled_from(["message", "message", "talk to a person", "cancel"]))
    def user_sends(self, what: str) -> None:
        self.counter += 1
        external = f"m{self.counter}"
        text = f"message {self.counter}" if what == "message" else what
        self.texts[external] = text
        self.accepted.append(external)
        self.run(self.runner.accept(Inbound(CHANNEL, external, "user", "user", kinds.TEXT, text=text)))

    @precondition(lambda self: bool(self.accepted))
    @rule(index=st.integers(min_value=0, max_value=50))
    def platform_retries_a_message(self, index: int) -> None:
        external = self.accepted[index % len(self.accepted)]
        recorded = self.run(
            self.runner.accept(Inbound(CHANNEL, external, "user", "user", kinds.TEXT, text=self.texts[external]))
        )
        assert recorded.duplicate

    # ---- what counselors do ------------------------------------------------------------------

    async def _try(self, move: Any) -> bool:
        try:
            await move
        except service.HandoffError:
            return False
        return True

    @rule(who=st.sampled_from(COUNSELORS))
    def claim(self, who: Counselor) -> None:
        handoff = self.run(self._open())
        if handoff is not None:
            won = self.run(self._try(self.desk.claim(handoff.id, who)))
            # Only a waiting conversation of the counselor's own agency can be claimed (workers
            # may cancel it meanwhile, so a lost claim proves nothing; a won one must be right).
            if won:
                assert handoff.status == "queued" and handoff.agency_id == who.agency_id

    @rule(who=st.sampled_from(COUNSELORS))
    def counselor_says(self, who: Counselor) -> None:
        handoff = self.run(self._open())
        if handoff is None:
            return
        self.counter += 1
        text = f"counselor line {self.counter}"
        if self.run(self._try(self.desk.say(handoff.id, who, text))):
            self.counselor_lines.append(text)

    @rule(who=st.sampled_from(COUNSELORS))
    def close(self, who: Counselor) -> None:
        handoff = self.run(self._open())
        if handoff is not None:
            self.run(self._try(self.desk.close(handoff.id, who, "resolved")))

    @rule(who=st.sampled_from(COUNSELORS), to=st.sampled_from(COUNSELORS))
    def transfer_to_counselor(self, who: Counselor, to: Counselor) -> None:
        handoff = self.run(self._open())
        if handoff is not None:
            self.run(self._try(self.desk.transfer_to_counselor(handoff.id, who, to)))

    @rule(who=st.sampled_from(COUNSELORS), share=st.booleans())
    def refer_to_other_agency(self, who: Counselor, share: bool) -> None:
        handoff = self.run(self._open())
        if handoff is not None:
            target = OTHER if who.agency_id == AGENCY else AGENCY
            self.run(self._try(self.desk.transfer_to_agency(handoff.id, who, target, "referral", share)))

    @rule(seconds=st.sampled_from([10.0, LEASE + 1]), keep=st.sampled_from(COUNSELORS + [None]))
    def time_passes(self, seconds: float, keep: Optional[Counselor]) -> None:
        """Time passes; one counselor (or none) stays connected; lost claims go back to the queue."""
        self.clock.now += timedelta(seconds=seconds)
        if keep is not None:
            self.run(self.desk.heartbeat(keep.id))
        self.run(self.desk.sweep())

    @rule()
    def settle(self) -> None:
        self.run(self._settle())

    # ---- what must always hold ----------------------------------------------------------------

    @invariant()
    def one_owner_at_most(self) -> None:
        async def check() -> None:
            async with self.db() as session:
                open_rows = (
                    await session.scalars(select(Handoff).where(Handoff.status.in_(service.OPEN)))
                ).all()
                conversation = await session.get(Conversation, self.conversation_id())
            assert len(open_rows) <= 1, "two open handoffs for one conversation"
            for row in open_rows:
                assert (row.status == "active") == (row.counselor_id is not None)
            if conversation is not None:
                expected = {"queued": "queued", "active": "human"}.get(open_rows[0].status) if open_rows else "bot"
                assert conversation.owner == expected

        self.run(check())

    def teardown(self) -> None:
        try:
            self.run(self._settle())
            self.run(self._final_checks())
        finally:
            self.run(self._stop())
            self.loop.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    async def _final_checks(self) -> None:
        async with self.db() as session:
            pending = await session.scalar(
                select(func.count()).select_from(InboxMessage).where(InboxMessage.status != "done")
            )
            inbox = {
                row.id: self.keys.decrypt(row.platform_ref or "")
                for row in (await session.scalars(select(InboxMessage))).all()
            }
            to_console = [
                (row.inbox_id, row.sender, self.keys.decrypt(row.body_encrypted))
                for row in (await session.scalars(select(HandoffMessage))).all()
            ]
            outbox = (await session.scalars(select(OutboxMessage))).all()
        assert pending == 0, "a user message was left unanswered"
        assert self.bot_saw_while_not_owner == [], "the bot got messages while a human owned the conversation"
        assert sorted(inbox.values()) == sorted(set(self.accepted)), "a message was lost or stored twice"
        to_rasa = [body["message"] for body in self.rasa.received]
        console_user = [text for _, sender, text in to_console if sender == "user"]
        for external in self.accepted:
            text = self.texts[external]
            seen = to_rasa.count(text) + console_user.count(text)
            if text.startswith("message "):
                assert seen == 1, f"{text!r} reached bot and console {seen} times"
        # Every outbound row went out exactly once; every counselor line is among them, once.
        assert sorted(self.sender.sent) == sorted(row.id for row in outbox)
        assert all(row.status == "sent" for row in outbox)
        bodies = [unseal(self.keys, row.body).get("text") for row in outbox]
        for line in self.counselor_lines:
            assert bodies.count(line) == 1

    async def _stop(self) -> None:
        await self.runner.close()
        await self.deliverer.close()
        await self.http.close()
        await self.rasa_server.close()
        await self.engine.dispose()


Ownership.TestCase.settings = settings(
    max_examples=40, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestOwnership = Ownership.TestCase
