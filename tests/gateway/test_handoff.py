"""Human handoff through the web chat: who answers the user in each state, and what they read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Dict, List

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.app_keys import DB, DESK, KEYS
from bot.handoff import service
from bot.store.models import Conversation, Handoff, HandoffMessage
from tests.gateway.casework_support import SERVICE, seed_directory
from tests.gateway.conftest import FakeRasa, settle

# Monday 10:00 UTC: the default handoff agency (sample-intl-casework, Mon-Fri 09:00-17:00 UTC) is open.
OPEN_HOURS = datetime(2026, 11, 30, 10, 0, tzinfo=timezone.utc)
SATURDAY = datetime(2026, 12, 5, 10, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Counselor:
    id: int
    role: str
    agency_id: str
    display_name: str = "Counselor"


ANNA = Counselor(1, "counselor", "sample-intl-casework")
BEN = Counselor(2, "counselor", "sample-intl-casework")
OTHER_AGENCY = Counselor(3, "counselor", "sample-ke-mombasa-shelter")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Chat:
    client: TestClient
    rasa: FakeRasa
    clock: Clock
    cursor: int = 0

    @property
    def desk(self) -> Any:
        return self.client.server.app[DESK]

    async def say(self, text: str, session: str = "user-1") -> List[str]:
        response = await self.client.post("/webchat/messages", json={"session_id": session, "text": text})
        assert response.status == 200, await response.text()
        body = await response.json()
        self.cursor = max(self.cursor, body["cursor"])
        return [m["text"] for m in body["messages"]]

    async def later(self, session: str = "user-1") -> List[str]:
        await settle(self.client)
        response = await self.client.get(f"/webchat/messages?session_id={session}&after={self.cursor}")
        body = await response.json()
        self.cursor = body["cursor"]
        return [m["text"] for m in body["messages"]]

    async def handoff(self) -> Handoff:
        async with self.client.server.app[DB]() as session:
            row = (await session.scalars(select(Handoff).order_by(Handoff.id.desc()))).first()
        assert row is not None
        return row

    async def owner(self) -> str:
        handoff = await self.handoff()
        async with self.client.server.app[DB]() as session:
            conversation = await session.get(Conversation, handoff.conversation_id)
        assert conversation is not None
        return conversation.owner

    async def console_lines(self) -> List[tuple[str, str]]:
        keys = self.client.server.app[KEYS]
        async with self.client.server.app[DB]() as session:
            rows = (await session.scalars(select(HandoffMessage).order_by(HandoffMessage.id))).all()
        return [(row.sender, keys.decrypt(row.body_encrypted)) for row in rows]

    def texts_to_rasa(self) -> List[str]:
        return [body["message"] for body in self.rasa.received]


@pytest.fixture
async def chat(fake_rasa: tuple[FakeRasa, str], settings_factory: Any) -> AsyncIterator[Chat]:
    rasa, url = fake_rasa
    settings = settings_factory(url, counselor_reconnect_seconds=60, handoff_escalate_seconds=600)
    await seed_directory(settings.database_url)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    clock = Clock(OPEN_HOURS)
    client.server.app[DESK].clock = clock

    async def request_human(sender: str, reason: str = "request_human") -> List[Dict[str, Any]]:
        # What action_request_human does inside the Rasa turn: ask the gateway, say its answer.
        response = await client.post(
            "/api/v1/handoffs",
            json={"conversation_id": sender, "reason": reason, "context": {"job_check": {"risk": "high"}}},
            headers=SERVICE,
        )
        assert response.status in (200, 201), await response.text()
        return [{"text": (await response.json())["text"]}]

    rasa.actions["talk to a person"] = request_human

    async def emergency(sender: str) -> List[Dict[str, Any]]:
        await request_human(sender, "emergency")
        return [{"text": "Call 112 now."}, {"text": "Which country are you in?"}]

    rasa.actions["help now"] = emergency
    yield Chat(client, rasa, clock)
    await client.close()


async def test_a_waiting_user_is_told_their_place_and_their_messages_go_to_the_console(chat: Chat) -> None:
    replies = await chat.say("talk to a person")
    assert "You are next in line" in replies[0]
    assert "won't have to repeat your story" in replies[0]
    await settle(chat.client)
    assert await chat.owner() == "queued"
    assert chat.rasa.events[-1][1] == "pause"

    first = await chat.say("my cousin took my passport")
    second = await chat.say("are you there?")
    assert chat.texts_to_rasa() == ["talk to a person"]  # nothing after the request reached the bot
    assert "kept for the counselor" in first[0]
    assert second == []  # the place in line is not repeated after every message
    lines = await chat.console_lines()
    assert ("user", "my cousin took my passport") in lines and ("user", "are you there?") in lines


async def test_outside_opening_hours_the_user_gets_the_hours_and_helplines(chat: Chat) -> None:
    chat.clock.now = SATURDAY
    replies = await chat.say("talk to a person")
    assert "Nobody from" in replies[0] and "on duty right now" in replies[0]
    assert "Monday 09:00 (UTC time)" in replies[0]
    assert "•" in replies[0]  # helpline numbers meanwhile
    assert "Your request is kept" in replies[0]


async def test_claim_chat_both_ways_close_and_the_bot_answers_again(chat: Chat) -> None:
    await chat.say("talk to a person")
    handoff = await chat.handoff()
    await chat.desk.claim(handoff.id, ANNA)
    assert any("has joined" in text for text in await chat.later())
    assert await chat.owner() == "human"

    await chat.desk.say(handoff.id, ANNA, "Hello, I'm here. Are you safe right now?")
    assert await chat.later() == ["Hello, I'm here. Are you safe right now?"]
    assert await chat.say("yes I'm at home") == []
    assert ("user", "yes I'm at home") in await chat.console_lines()

    await chat.desk.close(handoff.id, ANNA, "information_given")
    assert any("back with the SafePassage assistant" in text for text in await chat.later())
    assert await chat.owner() == "bot"
    replies = await chat.say("thanks")
    assert replies[0] == "echo: thanks"
    # Rasa was resumed before the bot's turn, so the paused tracker did not swallow the message.
    assert [event for _, event in chat.rasa.events] == ["pause", "resume"]
    assert chat.texts_to_rasa() == ["talk to a person", "thanks"]


async def test_two_counselors_claiming_at_once_get_one_owner(chat: Chat) -> None:
    await chat.say("talk to a person")
    handoff = await chat.handoff()
    await chat.desk.claim(handoff.id, ANNA)
    with pytest.raises(service.HandoffError):
        await chat.desk.claim(handoff.id, BEN)
    with pytest.raises(service.HandoffError) as not_theirs:
        await chat.desk.say(handoff.id, BEN, "hi")
    assert not_theirs.value.status == 409
    assert (await chat.handoff()).counselor_id == ANNA.id


async def test_another_agency_cannot_claim_or_write(chat: Chat) -> None:
    await chat.say("talk to a person")
    handoff = await chat.handoff()
    with pytest.raises(service.HandoffError) as hidden:
        await chat.desk.claim(handoff.id, OTHER_AGENCY)
    assert hidden.value.status == 404
    with pytest.raises(service.HandoffError):
        await chat.desk.note(handoff.id, OTHER_AGENCY, "note")


async def test_the_user_can_stop_waiting(chat: Chat) -> None:
    await chat.say("talk to a person")
    replies = await chat.say("cancel")
    assert "stopped your request" in replies[0]
    assert await chat.owner() == "bot"
    assert (await chat.handoff()).status == "cancelled"
    assert (await chat.say("hello"))[0] == "echo: hello"


async def test_a_disconnected_counselor_loses_the_claim_and_the_user_is_told(chat: Chat) -> None:
    await chat.say("talk to a person")
    handoff = await chat.handoff()
    await chat.desk.claim(handoff.id, ANNA)
    await chat.later()
    chat.clock.now += timedelta(seconds=30)
    await chat.desk.heartbeat(ANNA.id)  # still connected
    chat.clock.now += timedelta(seconds=45)
    await chat.desk.sweep()
    assert (await chat.handoff()).status == "active"
    chat.clock.now += timedelta(seconds=61)  # gone longer than COUNSELOR_RECONNECT_SECONDS
    await chat.desk.sweep()
    again = await chat.handoff()
    assert again.status == "queued" and again.front and again.counselor_id is None
    assert any("lost their connection" in text for text in await chat.later())
    assert await chat.owner() == "queued"


async def test_requeued_conversation_goes_before_those_that_waited_longer(chat: Chat) -> None:
    await chat.say("talk to a person", session="early")
    await chat.say("talk to a person", session="user-1")
    async with chat.client.server.app[DB]() as session:
        early, late = (await session.scalars(select(Handoff).order_by(Handoff.id))).all()
    await chat.desk.claim(late.id, ANNA)
    chat.clock.now += timedelta(seconds=120)
    await chat.desk.sweep()
    async with chat.client.server.app[DB]() as session:
        queue = await service.queue_rows(session, "sample-intl-casework")
    assert [row.id for row in queue] == [late.id, early.id]


async def test_emergency_while_waiting_gives_numbers_and_makes_the_request_urgent(chat: Chat) -> None:
    await chat.say("talk to a person")
    replies = await chat.say("please help now he is coming back")
    assert "Call" in replies[0] and "urgent" in replies[0]
    assert (await chat.handoff()).priority == service.URGENT
    assert chat.texts_to_rasa() == ["talk to a person"]


async def test_after_an_emergency_the_country_answer_gets_that_countrys_numbers(chat: Chat) -> None:
    replies = await chat.say("help now")
    assert replies[0] == "Call 112 now."
    handoff = await chat.handoff()
    assert handoff.priority == service.URGENT and handoff.reason == "emergency"
    replies = await chat.say("I am in Kenya")
    assert "Kenya" in replies[0] and "999" in replies[0]
    assert ("user", "I am in Kenya") in await chat.console_lines()


async def test_a_long_human_chat_never_falls_back_to_the_bot(chat: Chat) -> None:
    await chat.say("talk to a person")
    handoff = await chat.handoff()
    await chat.desk.claim(handoff.id, ANNA)
    await chat.later()
    # Rasa would start a new session (and forget the pause) on a message after 60 minutes.
    chat.rasa.paused.clear()
    for minutes in (30, 90, 150):
        chat.clock.now = OPEN_HOURS + timedelta(minutes=minutes)
        await chat.desk.heartbeat(ANNA.id)
        assert await chat.say(f"still here after {minutes} minutes") == []
    assert chat.texts_to_rasa() == ["talk to a person"]
    assert await chat.owner() == "human"


async def test_unclaimed_requests_escalate_to_the_fallback_agency_once(chat: Chat) -> None:
    await chat.say("talk to a person")
    chat.clock.now += timedelta(minutes=11)
    await chat.desk.sweep()
    handoff = await chat.handoff()
    assert handoff.agency_id == "sample-intl-child-protection" and handoff.referred_by == "sample-intl-casework"
    assert handoff.escalated_at is not None
    told = await chat.later()
    assert sum("taking longer than usual" in text for text in told) == 1
    chat.clock.now += timedelta(minutes=30)
    await chat.desk.sweep()
    assert await chat.later() == []


async def test_referral_to_another_agency_without_consent_hides_the_earlier_chat(chat: Chat) -> None:
    await chat.say("talk to a person")
    handoff = await chat.handoff()
    await chat.desk.claim(handoff.id, ANNA)
    await chat.desk.note(handoff.id, ANNA, "private: seems scared")
    await chat.desk.transfer_to_agency(handoff.id, ANNA, "sample-ke-mombasa-shelter", "Needs shelter in Mombasa", False)
    moved = await chat.handoff()
    assert moved.status == "queued" and moved.agency_id == "sample-ke-mombasa-shelter"
    assert moved.history_from is not None  # the receiving agency sees only what follows
    assert any("passed your request" in text for text in await chat.later())
    await chat.desk.claim(handoff.id, OTHER_AGENCY)
    with pytest.raises(service.HandoffError):
        await chat.desk.say(handoff.id, ANNA, "still me")


async def test_a_typed_cancel_in_a_chat_with_a_counselor_is_a_message_to_them(chat: Chat) -> None:
    await chat.say("talk to a person")
    handoff = await chat.handoff()
    await chat.desk.claim(handoff.id, ANNA)
    await chat.later()
    # In the web chat a typed "cancel" while talking to a counselor is just a message to them.
    assert await chat.say("cancel") == []
    assert (await chat.handoff()).status == "active"
    assert ("user", "cancel") in await chat.console_lines()
    assert ("user", "cancel") in await chat.console_lines()


async def test_the_handoff_api_refuses_bad_requests(chat: Chat) -> None:
    client = chat.client
    bad = await client.post("/api/v1/handoffs", json={"conversation_id": "x", "reason": "bored"}, headers=SERVICE)
    assert bad.status == 400 and "reason" in (await bad.json())["error"]
    unauthorised = await client.post("/api/v1/handoffs", json={"conversation_id": "x", "reason": "request_human"})
    assert unauthorised.status == 401
    again = await client.post(
        "/api/v1/handoffs", json={"conversation_id": "x", "reason": "request_human"}, headers=SERVICE
    )
    assert again.status == 201
    twice = await client.post(
        "/api/v1/handoffs", json={"conversation_id": "x", "reason": "request_human"}, headers=SERVICE
    )
    assert twice.status == 200 and "already waiting" in (await twice.json())["text"]
