"""A gateway wired to a fake Rasa server on 127.0.0.1 that records what it was sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any, AsyncIterator, Dict, List

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.settings import Settings
from bot.store.migrate import upgrade

SERVICE_TOKEN = "service-token-for-tests"
ENCRYPTION_KEY = "kNKsv0p8bSC8hF0rVYmVYkxTUnaEXOfz1lwN-mxXA0A="  # a Fernet key used only by tests


class FakeRasa:
    """Answers the REST channel like Rasa does; can be switched off to simulate an outage."""

    def __init__(self) -> None:
        self.received: List[Dict[str, Any]] = []
        self.up = True
        self.app = web.Application()
        self.app.router.add_post("/webhooks/rest/webhook", self.webhook)
        self.app.router.add_get("/status", self.status)

    async def webhook(self, request: web.Request) -> web.Response:
        if not self.up:
            return web.Response(status=500)
        body = await request.json()
        self.received.append(body)
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
def settings_factory(tmp_path: Path) -> Any:
    def make(rasa_url: str, **overrides: Any) -> Settings:
        url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
        upgrade(url)
        values: Dict[str, Any] = dict(
            pseudonym_key="pseudonym-key-for-tests",
            rasa_auth_token="rasa-token",
            casework_service_token=SERVICE_TOKEN,
            database_url=url,
            rasa_url=rasa_url,
            action_server_url="http://127.0.0.1:9",  # nothing listens there
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


# The casework fixtures (a gateway with the sample directory and agency tokens) live beside their helpers.
from tests.gateway.casework_support import casework  # noqa: E402, F401
