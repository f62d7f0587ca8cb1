"""A gateway wired to a fake Rasa server on 127.0.0.1 that records what it was sent."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable, Dict, Iterator, List, Optional

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.app_keys import DELIVERER, RUNNER
from bot.settings import Settings
from bot.store.migrate import upgrade
from tests.databases import fresh_database
from tests.fakes import FakeGraph, FakeTelegram
from tests.gateway.tokens import SERVICE_TOKEN

ENCRYPTION_KEY = "kNKsv0p8bSC8hF0rVYmVYkxTUnaEXOfz1lwN-mxXA0A="  # a Fernet key used only by tests


class FakeRasa:
    """Answers the REST channel like Rasa does; can be switched off to simulate an outage."""

    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []
        self.received_at: List[float] = []
        self.up = True
        self.delay = 0.0  # seconds before answering (a slow model)
        self.next_replies: List[List[Dict[str, Any]]] = []  # answers to use instead of the echo
        self.in_flight: Dict[str, int] = {}
        self.most_in_flight_per_sender = 0
        self.most_in_flight = 0
        # Human handoff: tracker events the gateway appended, and what /model/parse answers.
        self.events: List[tuple[str, str]] = []
        self.paused: set[str] = set()
        self.intents: Dict[str, str] = {"help now": "emergency", "danger": "emergency"}
        self.countries: Dict[str, str] = {"kenya": "KE", "philippines": "PH"}
        # text → coroutine run during the turn (as an action calling the gateway would), returning replies
        self.actions: Dict[str, Callable[[str], Awaitable[List[Dict[str, Any]]]]] = {}
        self.before_turn: Optional[Callable[[Dict[str, Any]], Awaitable[None]]] = None  # a check per turn
        self.app = web.Application()
        self.app.router.add_post("/webhooks/rest/webhook", self.webhook)
        self.app.router.add_get("/status", self.status)
        self.app.router.add_post("/conversations/{sender}/tracker/events", self.tracker_event)
        self.app.router.add_post("/model/parse", self.parse)
        self.app.router.add_get("/conversations/{sender}/tracker", self.tracker)

    async def tracker_event(self, request: web.Request) -> web.Response:
        if not self.up:
            return web.Response(status=500)
        sender, event = request.match_info["sender"], (await request.json())["event"]
        self.events.append((sender, event))
        if event == "pause":
            self.paused.add(sender)
        elif event == "resume":
            self.paused.discard(sender)
        return web.json_response({"sender_id": sender})

    async def parse(self, request: web.Request) -> web.Response:
        if not self.up:
            return web.Response(status=500)
        text = (await request.json())["text"].lower()
        intent = next((name for phrase, name in self.intents.items() if phrase in text), "inform")
        entities = [{"entity": "country", "value": code} for name, code in self.countries.items() if name in text]
        return web.json_response({"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": entities})

    async def tracker(self, request: web.Request) -> web.Response:
        sender = request.match_info["sender"]
        events = [
            {"event": "user", "text": body["message"], "timestamp": at}
            for body, at in zip(self.received, self.received_at, strict=True)
            if body["sender"] == sender
        ]
        return web.json_response({"sender_id": sender, "events": events})

    async def webhook(self, request: web.Request) -> web.Response:
        if not self.up:
            return web.Response(status=500)
        body = await request.json()
        sender = body["sender"]
        if self.before_turn is not None:
            await self.before_turn(body)
        self.in_flight[sender] = self.in_flight.get(sender, 0) + 1
        self.most_in_flight_per_sender = max(self.most_in_flight_per_sender, self.in_flight[sender])
        self.most_in_flight = max(self.most_in_flight, sum(self.in_flight.values()))
        if self.delay:
            await asyncio.sleep(self.delay)
        self.in_flight[sender] -= 1
        self.received.append(body)
        self.received_at.append(time.time())  # the user event's timestamp in the tracker
        if sender in self.paused:  # Rasa ignores a paused conversation (only /restart gets through)
            return web.json_response([])
        if body["message"] in self.actions:
            return web.json_response(await self.actions[body["message"]](sender))
        if self.next_replies:
            return web.json_response(self.next_replies.pop(0))
        return web.json_response(
            [
                {"recipient_id": body["sender"], "text": f"echo: {body['message']}"},
                {
                    "recipient_id": body["sender"],
                    "text": "Here is what I can help with:",
                    "buttons": [{"title": "Find a helpline", "payload": "/ask_helpline"}],
                },
            ]
        )

    async def status(self, request: web.Request) -> web.Response:
        return web.json_response({"model_file": "safepassage.tar.gz"} if self.up else {}, status=200)


@pytest.fixture
async def fake_rasa() -> AsyncIterator[tuple[FakeRasa, str]]:
    fake = FakeRasa()
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    yield fake, str(server.make_url("")).rstrip("/")
    await server.close()


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """The test's own empty database: SQLite, or PostgreSQL with TEST_DATABASE_URL."""
    yield from fresh_database(tmp_path)


@pytest.fixture
def settings_factory(database_url: str, tmp_path: Path) -> Any:
    def make(rasa_url: str, **overrides: Any) -> Settings:
        url = database_url
        upgrade(url)
        values: Dict[str, Any] = dict(
            pseudonym_key="pseudonym-key-for-tests",
            rasa_auth_token="rasa-token",
            casework_service_token=SERVICE_TOKEN,
            database_url=url,
            rasa_url=rasa_url,
            action_server_url="http://127.0.0.1:9",  # nothing listens there
            rasa_tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}",  # never the repository's var/
            rasa_timeout_seconds=2.0,
            data_encryption_keys=(ENCRYPTION_KEY,),
        )
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
async def gateway(fake_rasa: tuple[FakeRasa, str], settings_factory: Any) -> AsyncIterator[TestClient]:
    _, rasa_url = fake_rasa
    client = TestClient(TestServer(create_app(settings_factory(rasa_url)), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


TELEGRAM_TOKEN = "123456:TEST-token"
TELEGRAM_SECRET = "telegram-secret-for-tests"
WA_APP_SECRET = "whatsapp-app-secret-for-tests"
WA_VERIFY_TOKEN = "verify-token-for-tests"
WA_TOKEN = "graph-token"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture(channel: str, name: str) -> Dict[str, Any]:
    data: Dict[str, Any] = json.loads((FIXTURES / channel / f"{name}.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    fake = FakeTelegram(TELEGRAM_TOKEN)
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
async def fake_graph() -> AsyncIterator[FakeGraph]:
    fake = FakeGraph(WA_TOKEN)
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def channel_settings(
    fake_rasa: tuple[FakeRasa, str], fake_telegram: FakeTelegram, fake_graph: FakeGraph, settings_factory: Any
) -> Any:
    def make(**overrides: Any) -> Settings:
        values: Dict[str, Any] = dict(
            telegram_bot_token=TELEGRAM_TOKEN,
            telegram_public_url="https://safepassage.example.org",
            telegram_webhook_secret=TELEGRAM_SECRET,
            telegram_api_url=fake_telegram.url,
            whatsapp_access_token=WA_TOKEN,
            whatsapp_app_secret=WA_APP_SECRET,
            whatsapp_verify_token=WA_VERIFY_TOKEN,
            whatsapp_phone_number_id="106540352242922",
            whatsapp_api_url=fake_graph.url,
        )
        values.update(overrides)
        return settings_factory(fake_rasa[1], **values)

    return make


@pytest.fixture
async def channels(channel_settings: Any) -> AsyncIterator[TestClient]:
    """A gateway with Telegram (webhook mode) and WhatsApp pointed at the fakes."""
    client = TestClient(TestServer(create_app(channel_settings()), host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


async def settle(client: TestClient) -> None:
    """Wait until every turn has run and every reply has been tried (retries included)."""
    app = client.server.app
    for _ in range(3):
        await app[RUNNER].idle()
        await app[DELIVERER].idle()
# The casework fixtures (a gateway with the sample directory and agency tokens) live beside their helpers.
from tests.gateway.casework_support import casework  # noqa: E402, F401


def payload_without_language(message: str) -> str:
    """A payload as the user's button sent it: the gateway adds the conversation's language as an
    entity (bot/router.py `with_language`), so `/greet{"language":"en"}` reads `/greet`."""
    if not message.startswith("/") or "{" not in message:
        return message
    intent, _, raw = message.partition("{")
    entities = json.loads("{" + raw)
    entities.pop("language", None)
    return intent + (json.dumps(entities) if entities else "")
