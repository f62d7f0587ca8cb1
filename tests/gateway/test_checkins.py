"""Safe-journey check-ins against fake Telegram and Graph APIs, with a fake clock.

The sweep is called directly (as the gateway's 30-second task would) with the clock moved on.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import count
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List, Optional

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select, update

from bot.app import create_app
from bot.app_keys import DB, DESK, KEYS
from bot.checkins import plans, schedule
from bot.checkins.api import CHECKINS
from bot.checkins.console import checkin_html
from bot.checkins.models import Checkin, CheckinPlan
from bot.handoff import service
from bot.store.models import Conversation, Handoff, HandoffMessage, Identifier
from tests.fakes import FakeGraph, FakeTelegram
from tests.gateway import test_checkins_forget as forget_test
from tests.gateway.casework_support import SERVICE, seed_directory
from tests.gateway.conftest import TELEGRAM_SECRET, FakeRasa, fixture, settle
from tests.gateway.test_whatsapp import notify

TG_HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
# Departure on Friday 5 December 2026 to Kenya (UTC+3): the arrival-day check-in is at 18:00 Nairobi.
BEFORE = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
ARRIVAL_DUE = datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)
TEMPLATE = "safepassage_checkin:en"
CONTACT_TEMPLATE = "safepassage_contact:en"


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Trip:
    clients: List[TestClient]
    clock: Clock
    telegram: FakeTelegram
    graph: FakeGraph
    rasa: FakeRasa
    settings: Any
    ids: Any = None

    @property
    def client(self) -> TestClient:
        return self.clients[0]

    @property
    def app(self) -> Any:
        return self.client.server.app

    async def start_replica(self) -> TestClient:
        """Another gateway process on the same database (a restart, or a second replica)."""
        client = TestClient(TestServer(create_app(self.settings), host="127.0.0.1"))
        await client.start_server()
        client.server.app[DESK].clock = self.clock
        client.server.app[CHECKINS].clock = self.clock
        self.clients.append(client)
        return client

    def next_id(self) -> int:
        if self.ids is None:
            self.ids = count(1)
        return int(next(self.ids))

    async def telegram_text(self, text: str) -> None:
        update = fixture("telegram", "text")
        n = self.next_id()
        update["update_id"] += 1000 + n
        update["message"]["message_id"] += 1000 + n
        update["message"]["text"] = text
        assert (await self.client.post("/telegram/webhook", json=update, headers=TG_HEADERS)).status == 200
        await settle(self.client)

    async def telegram_press(self, payload: str, user: Optional[int] = None) -> None:
        update = fixture("telegram", "callback_query")
        if user is not None:
            update["callback_query"]["from"]["id"] = update["callback_query"]["message"]["chat"]["id"] = user
        n = self.next_id()
        update["update_id"] += 2000 + n
        update["callback_query"]["id"] = f"press-{n}"
        update["callback_query"]["data"] = payload
        assert (await self.client.post("/telegram/webhook", json=update, headers=TG_HEADERS)).status == 200
        await settle(self.client)

    async def conversation(self, channel: str = "telegram") -> str:
        async with self.app[DB]() as session:
            row = (await session.scalars(select(Conversation).where(Conversation.channel == channel))).first()
        assert row is not None
        return row.id

    async def plan(self, conversation_id: str, **overrides: Any) -> Any:
        body: Dict[str, Any] = {"conversation_id": conversation_id, "departure": "2026-12-05", "country": "KE"}
        body.update(overrides)
        return await self.client.post("/api/v1/checkins", json=body, headers=SERVICE)

    async def sweep(self, at: datetime, client: Optional[TestClient] = None) -> int:
        self.clock.now = at
        moved = int(await (client or self.client).server.app[CHECKINS].sweep())
        for each in self.clients:
            await settle(each)
        return moved

    def sent_texts(self) -> List[str]:
        return [str(m.get("text")) for m in self.telegram.sent()]

    async def checkins(self) -> List[Checkin]:
        async with self.app[DB]() as session:
            return list((await session.scalars(select(Checkin).order_by(Checkin.id))).all())

    async def handoffs(self) -> List[Handoff]:
        async with self.app[DB]() as session:
            return list((await session.scalars(select(Handoff).order_by(Handoff.id))).all())

    def context(self, handoff: Handoff) -> Dict[str, Any]:
        return service.unseal_context(self.app[KEYS], handoff.context_encrypted)


@pytest.fixture
async def trip(
    fake_rasa: tuple[FakeRasa, str], fake_telegram: FakeTelegram, fake_graph: FakeGraph, channel_settings: Any,
) -> AsyncIterator[Trip]:
    settings = channel_settings(checkin_whatsapp_template=TEMPLATE, checkin_contact_template=CONTACT_TEMPLATE)
    await seed_directory(settings.database_url)
    result = Trip([], Clock(BEFORE), fake_telegram, fake_graph, fake_rasa[0], settings)
    await result.start_replica()
    yield result
    for client in result.clients:
        await client.close()


async def telegram_plan(trip: Trip, **overrides: Any) -> str:
    await trip.telegram_text("hello")
    conversation_id = await trip.conversation()
    response = await trip.plan(conversation_id, **overrides)
    assert response.status == 201, await response.text()
    return conversation_id


# ---- the schedule ------------------------------------------------------------------------------


def test_due_times_are_daytime_in_the_destination() -> None:
    times = schedule.plan_times(
        datetime(2026, 12, 5).date(), "Africa/Nairobi", ["arrival", "day3", "day14", "day30"], BEFORE
    )
    assert [label for label, _ in times] == ["arrival", "day3", "day14", "day30"]
    assert times[0][1] == ARRIVAL_DUE
    assert times[1][1] == datetime(2026, 12, 8, 7, 0, tzinfo=timezone.utc)  # 10:00 in Nairobi
    assert schedule.zone_for("KE") == "Africa/Nairobi" and schedule.zone_for("RU") == "Europe/Moscow"
    assert schedule.zone_for("ZZ") == "UTC"
    # 23:30 in Nairobi is night: the message waits for 08:00.
    night = datetime(2026, 12, 5, 20, 30, tzinfo=timezone.utc)
    assert schedule.daytime(night, "Africa/Nairobi") == datetime(2026, 12, 6, 5, 0, tzinfo=timezone.utc)


async def test_a_check_in_goes_out_on_time_and_only_once(trip: Trip) -> None:
    conversation_id = await telegram_plan(trip)
    before = len(trip.telegram.sent())
    assert await trip.sweep(ARRIVAL_DUE - timedelta(minutes=1)) == 0
    assert len(trip.telegram.sent()) == before

    assert await trip.sweep(ARRIVAL_DUE) == 1
    message = trip.telegram.sent()[-1]
    assert "checking in" in message["text"]
    buttons = [b["text"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["I'm OK", "I need help"]
    assert await trip.sweep(ARRIVAL_DUE + timedelta(minutes=1)) == 0
    assert sum("checking in" in t for t in trip.sent_texts()) == 1
    assert conversation_id


async def test_a_restart_neither_loses_nor_repeats_a_check_in(trip: Trip) -> None:
    await telegram_plan(trip)
    await trip.sweep(ARRIVAL_DUE)
    await trip.client.close()  # the gateway stops
    trip.clients.pop(0)
    restarted = await trip.start_replica()
    assert await trip.sweep(ARRIVAL_DUE + timedelta(minutes=5), restarted) == 0
    day3 = datetime(2026, 12, 8, 7, 0, tzinfo=timezone.utc)
    await trip.telegram_press("/checkin_ok:1")
    assert await trip.sweep(day3, restarted) == 1
    assert sum("checking in" in t for t in trip.sent_texts()) == 2


async def test_two_replicas_sweeping_at_once_send_once(trip: Trip) -> None:
    await telegram_plan(trip)
    second = await trip.start_replica()
    trip.clock.now = ARRIVAL_DUE
    moved = await asyncio.gather(trip.app[CHECKINS].sweep(), second.server.app[CHECKINS].sweep())
    for client in trip.clients:
        await settle(client)
    assert sum(moved) == 1
    assert sum("checking in" in t for t in trip.sent_texts()) == 1


# ---- answers and escalation ------------------------------------------------------------------


async def test_i_am_ok_settles_and_names_the_next_check_in(trip: Trip) -> None:
    await telegram_plan(trip)
    await trip.sweep(ARRIVAL_DUE)
    rasa_turns = len(trip.rasa.received)
    await trip.telegram_press("/checkin_ok:1")
    assert "Next check-in: Tuesday 8 December, 10:00 (Africa/Nairobi time)" in trip.sent_texts()[-1]
    assert len(trip.rasa.received) == rasa_turns  # the gateway answered, not the bot
    assert [c.status for c in await trip.checkins()][:2] == ["ok", "pending"]
    # No reminder and no alert follow an answered check-in.
    assert await trip.sweep(ARRIVAL_DUE + timedelta(days=2)) == 0
    assert await trip.handoffs() == []


async def test_i_need_help_gives_numbers_and_an_urgent_counselor_for_the_destination(trip: Trip) -> None:
    await telegram_plan(trip, recruiter="Gulf Stars Agency")
    await trip.sweep(ARRIVAL_DUE)
    await trip.telegram_press("/checkin_help:1")
    texts = trip.sent_texts()
    assert any("Call" in t and "Kenya" in t for t in texts[-4:])
    [handoff] = await trip.handoffs()
    assert handoff.priority == service.URGENT and handoff.country == "KE"
    assert handoff.agency_id == "sample-ke-children-services"
    shared = trip.context(handoff)["checkin"]
    assert shared["signal"] == "help" and shared["recruiter"] == "Gulf Stars Agency"
    assert (await trip.checkins())[0].status == "help"


async def test_an_emergency_after_leaving_goes_to_the_destinations_agency(trip: Trip) -> None:
    conversation_id = await telegram_plan(trip)
    body = {"conversation_id": conversation_id, "reason": "emergency"}
    trip.clock.now = ARRIVAL_DUE  # the departure day has come (the desk's clock too)
    response = await trip.client.post("/api/v1/handoffs", json=body, headers=SERVICE)
    assert response.status == 201, await response.text()
    [handoff] = await trip.handoffs()
    assert handoff.country == "KE" and handoff.agency_id == "sample-ke-children-services"
    assert trip.context(handoff)["checkin"]["signal"] == "emergency"
    html = checkin_html(trip.context(handoff)["checkin"])
    assert "Destination: KE" in html and "Trusted contact" not in html


async def test_the_code_word_raises_a_quiet_alarm_and_is_never_stored(trip: Trip) -> None:
    await telegram_plan(trip, code_word="Blue Mango")
    await trip.telegram_text("blue mango!")
    assert trip.sent_texts()[-1] == "Got it 👍"
    assert "blue mango!" not in [b["message"] for b in trip.rasa.received]
    [handoff] = await trip.handoffs()
    assert handoff.priority == service.URGENT and "code word" in handoff.topic
    async with trip.app[DB]() as session:
        plan = (await session.scalars(select(CheckinPlan))).one()
    assert plan.code_word_hash and "mango" not in plan.code_word_hash.lower()
    raw = b"".join(p.read_bytes() for p in Path(trip.settings.database_url.split("///")[1]).parent.glob("gateway.db*"))
    assert b"Blue Mango" not in raw and b"blue mango" not in raw
    # From now on a counselor reads the conversation: the next message goes to the console.
    await trip.telegram_text("what about my visa?")
    assert trip.rasa.received[-1]["message"] == "hello"
    async with trip.app[DB]() as session:
        lines = (await session.scalars(select(HandoffMessage).where(HandoffMessage.sender == "user"))).all()
    said = [trip.app[KEYS].decrypt(line.body_encrypted) for line in lines]
    assert said == ["[Check-in] The person answered: [code word]", "what about my visa?"]


async def test_silence_brings_one_reminder_then_an_alert_with_only_what_was_agreed(trip: Trip) -> None:
    await telegram_plan(trip, city="Mombasa", recruiter="Gulf Stars Agency", window_hours=24)
    await trip.sweep(ARRIVAL_DUE)
    # The answer window ends at 18:00 Nairobi the next day: daytime, so the reminder goes then.
    assert await trip.sweep(ARRIVAL_DUE + timedelta(hours=23)) == 0
    assert await trip.sweep(ARRIVAL_DUE + timedelta(hours=24)) == 1
    assert "haven't heard from you" in trip.sent_texts()[-1]
    assert await trip.handoffs() == []
    assert await trip.sweep(ARRIVAL_DUE + timedelta(hours=48)) == 1
    [handoff] = await trip.handoffs()
    assert handoff.reason == "checkin" and handoff.topic == "Missed check-in" and handoff.status == "queued"
    shared = trip.context(handoff)["checkin"]
    assert shared == {
        "signal": "missed", "destination": "KE", "departure": "2026-12-05", "zone": "Africa/Nairobi",
        "city": "Mombasa", "checkin": "arrival", "due": ARRIVAL_DUE.isoformat(), "recruiter": "Gulf Stars Agency",
    }
    assert (await trip.checkins())[0].status == "alerted"
    assert await trip.sweep(ARRIVAL_DUE + timedelta(hours=60)) == 0  # one alert, not one a sweep
    assert len(await trip.handoffs()) == 1


async def test_a_trusted_contact_is_told_only_with_consent(trip: Trip) -> None:
    contact = {"kind": "whatsapp", "value": "+254 711 000 999"}
    conversation_id = await telegram_plan(trip, contact=contact, contact_consent=False)
    async with trip.app[DB]() as session:
        plan = (await session.scalars(select(CheckinPlan))).one()
    assert plan.contact_encrypted is None  # without a yes, the number is not even kept
    response = await trip.plan(conversation_id, contact=contact, contact_consent=True)
    body = await response.json()
    assert "Your trusted contact will get a WhatsApp message" in body["text"]
    await trip.sweep(ARRIVAL_DUE)
    await trip.sweep(ARRIVAL_DUE + timedelta(hours=24))
    await trip.sweep(ARRIVAL_DUE + timedelta(hours=48))
    [sent] = trip.graph.messages
    assert sent["to"] == "254711000999" and sent["type"] == "template"
    assert sent["template"]["name"] == "safepassage_contact"
    parameters = [p["text"] for p in sent["template"]["components"][0]["parameters"]]
    assert parameters == ["KE", "Saturday 5 December, 18:00"]
    [handoff] = await trip.handoffs()
    assert trip.context(handoff)["checkin"]["trusted_contact"] == {"kind": "whatsapp", "value": "+254 711 000 999"}


async def test_a_telegram_contact_is_shown_to_the_counselor_not_messaged(trip: Trip) -> None:
    response = await trip.plan(await (telegram_plan(trip)), contact={"kind": "telegram", "value": "@auntie"},
                               contact_consent=True)
    assert "the counselor will see their details" in (await response.json())["text"]


# ---- channels -----------------------------------------------------------------------------------


async def test_whatsapp_outside_the_window_uses_the_template_with_the_buttons(trip: Trip) -> None:
    assert await notify(trip.client, fixture("whatsapp", "text")) == 200
    await settle(trip.client)
    conversation_id = await trip.conversation("whatsapp")
    response = await trip.plan(conversation_id)
    assert response.status == 201, await response.text()
    async with trip.app[DB]() as session, session.begin():  # two days of silence: the window is closed
        await session.execute(
            update(Conversation).where(Conversation.id == conversation_id)
            .values(last_inbound_at=datetime.now(timezone.utc) - timedelta(days=2))
        )
    before = len(trip.graph.messages)
    await trip.sweep(ARRIVAL_DUE)
    [sent] = trip.graph.messages[before:]
    assert sent["type"] == "template" and sent["template"]["name"] == "safepassage_checkin"
    payloads = [c["parameters"][0]["payload"] for c in sent["template"]["components"] if c["type"] == "button"]
    assert payloads == ["/checkin_ok:1", "/checkin_help:1"]
    # The person taps the template's quick reply: it comes back as a button and settles the check-in.
    press = fixture("whatsapp", "template_button")
    press["entry"][0]["changes"][0]["value"]["messages"][0]["button"]["payload"] = "/checkin_ok:1"
    assert await notify(trip.client, press) == 200
    await settle(trip.client)
    assert (await trip.checkins())[0].status == "ok"


async def test_whatsapp_without_a_template_and_the_web_chat_are_refused(
    trip: Trip, channel_settings: Any
) -> None:
    response = await trip.client.post("/webchat/messages", json={"session_id": "web-1", "text": "hello"})
    assert response.status == 200
    web_id = await trip.conversation("webchat")
    available = await trip.client.get("/api/v1/checkins/availability", params={"conversation_id": web_id},
                                      headers=SERVICE)
    assert (await available.json())["available"] is False
    refused = await trip.plan(web_id)
    assert refused.status == 409
    assert "Check-ins need Telegram or WhatsApp" in (await refused.json())["text"]

    plain = TestClient(TestServer(create_app(channel_settings()), host="127.0.0.1"))
    await plain.start_server()
    try:
        assert await notify(plain, fixture("whatsapp", "text")) == 200
        await settle(plain)
        async with plain.server.app[DB]() as session:
            wa = (await session.scalars(select(Conversation).where(Conversation.channel == "whatsapp"))).one()
        answer = await plain.post("/api/v1/checkins", json={"conversation_id": wa.id, "departure": "2026-12-05",
                                                             "country": "KE"}, headers=SERVICE)
        assert answer.status == 409 and "not available yet" in (await answer.json())["text"]
    finally:
        await plain.close()


# ---- pause, change, stop, retention ----------------------------------------------------------


async def test_pause_resume_change_and_stop(trip: Trip) -> None:
    conversation_id = await telegram_plan(trip)
    paused = await trip.client.post(f"/api/v1/checkins/{conversation_id}/pause", headers=SERVICE)
    assert "paused" in (await paused.json())["text"]
    assert await trip.sweep(ARRIVAL_DUE) == 0
    trip.clock.now = ARRIVAL_DUE + timedelta(hours=1)
    resumed = await trip.client.post(f"/api/v1/checkins/{conversation_id}/resume", headers=SERVICE)
    assert "Tuesday 8 December, 10:00" in (await resumed.json())["text"]  # the missed one is skipped
    # Changing the dates replaces the plan.
    trip.clock.now = BEFORE
    changed = await trip.plan(conversation_id, departure="2026-12-10", schedule=["arrival", "day14"])
    assert [c["label"] for c in (await changed.json())["checkins"]] == ["arrival", "day14"]
    assert len(await trip.checkins()) == 2
    stopped = await trip.client.delete(f"/api/v1/checkins/{conversation_id}", headers=SERVICE)
    assert (await stopped.json())["deleted"] is True
    assert await trip.checkins() == []
    async with trip.app[DB]() as session:
        assert (await session.scalars(select(CheckinPlan))).first() is None


def tracker_rows(path: Path, sender: str) -> List[str]:
    with sqlite3.connect(path) as db:
        return [data for (data,) in db.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))]


async def test_stopping_forgets_the_answers_in_rasas_tracker_once_the_turn_is_over(trip: Trip) -> None:
    # The trusted contact's number reached Rasa as "[phone]"; the plan gets the number the gateway kept.
    await trip.telegram_text("my sister +254 711 000 999 on whatsapp")
    conversation_id = await trip.conversation()
    planned = await trip.plan(conversation_id, contact={"kind": "whatsapp", "value": "[phone]"},
                              contact_consent=True, code_word="bluepelican", city="Mombasa")
    assert "Your trusted contact will get a WhatsApp message" in (await planned.json())["text"]
    async with trip.app[DB]() as session:
        plan = (await session.scalars(select(CheckinPlan))).one()
        assert plan.contact_encrypted is not None
        assert json.loads(trip.app[KEYS].decrypt(plan.contact_encrypted))["value"] == "+254 711 000 999"
        assert (await session.scalars(select(Identifier))).first() is None  # moved from the vault into the plan
    # What Rasa's tracker store holds of the opt-in (the answers, the echoes, the form's slots).
    tracker = Path(trip.settings.rasa_tracker_url.removeprefix("sqlite:///"))
    with sqlite3.connect(tracker) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255),"
                   " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)")
        for event in forget_test.BEFORE + forget_test.OPT_IN:
            db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, 0, ?)",
                       (conversation_id, event["event"], json.dumps(event)))
    during: List[int] = []

    async def stop_checkins(sender: str) -> List[Dict[str, Any]]:
        """action_stop_checkins, inside Rasa's turn: the tracker must not change under Rasa."""
        stopped = await trip.client.delete(f"/api/v1/checkins/{sender}", headers=SERVICE)
        during.append(len(tracker_rows(tracker, sender)))
        return [{"recipient_id": sender, "text": (await stopped.json())["text"]}]

    trip.rasa.actions["stop check-ins"] = stop_checkins
    await trip.telegram_text("stop check-ins")
    assert "Check-ins are stopped" in trip.sent_texts()[-1]
    assert during == [len(forget_test.BEFORE + forget_test.OPT_IN)]
    left = "".join(tracker_rows(tracker, conversation_id))
    assert "bluepelican" not in left and "Doha" not in left and "checkin_" not in left
    assert "help, I'm in Nairobi" in left  # the rest of the conversation stays
    async with trip.app[DB]() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None and conversation.checkins_forget_at is None
        assert (await session.scalars(select(CheckinPlan))).first() is None


async def test_data_is_deleted_a_retention_period_after_the_last_check_in(trip: Trip) -> None:
    await telegram_plan(trip, schedule=["arrival"])
    await trip.sweep(ARRIVAL_DUE)
    await trip.telegram_press("/checkin_ok:1")
    assert "last check-in" in trip.sent_texts()[-1]
    await trip.sweep(ARRIVAL_DUE + timedelta(days=29))
    assert len(await trip.checkins()) == 1
    await trip.sweep(ARRIVAL_DUE + timedelta(days=31))
    assert await trip.checkins() == []


async def test_someone_elses_check_in_cannot_be_answered(trip: Trip) -> None:
    await telegram_plan(trip)
    await trip.sweep(ARRIVAL_DUE)
    await trip.telegram_press("/checkin_ok:1", user=555000999)  # another Telegram user replays the payload
    assert trip.sent_texts()[-1] == "You have no check-ins planned right now."
    assert (await trip.checkins())[0].status == "awaiting"
    assert plans.code_word_matches("x", "garbage") is False


async def test_the_api_needs_the_service_token_and_a_valid_body(trip: Trip) -> None:
    assert (await trip.client.post("/api/v1/checkins", json={})).status == 401
    bad = await trip.client.post("/api/v1/checkins", json={"conversation_id": "x", "departure": "soon",
                                                           "country": "KE"}, headers=SERVICE)
    assert bad.status == 400 and "departure" in (await bad.json())["error"]
    past = await trip.plan(await telegram_plan(trip), departure="2020-01-01")
    assert past.status == 422

