"""The three real processes (Rasa, action server, gateway) on free loopback ports, once per session."""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path
from typing import Any, Coroutine, Iterator, TypeVar

import pytest

from bot.launcher import MODEL, Stack
from tests.fakes import FakeGraph, FakeTelegram

T = TypeVar("T")
TELEGRAM_TOKEN = "424242:integration-token"
TELEGRAM_SECRET = "integration-telegram-secret"
WA_APP_SECRET = "integration-app-secret"
WA_TOKEN = "integration-graph-token"


class Fakes:
    """The fake Telegram and Graph APIs, served from a background event loop for the whole session."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.telegram = FakeTelegram(TELEGRAM_TOKEN)
        self.graph = FakeGraph(WA_TOKEN)
        self.telegram_url = self.run(self.telegram.start())
        self.graph_url = self.run(self.graph.start())

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(30)

    def close(self) -> None:
        self.run(self.telegram.close())
        self.run(self.graph.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="session")
def fakes() -> Iterator[Fakes]:
    started = Fakes()
    yield started
    started.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, fakes: Fakes) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
    var_dir: Path = tmp_path_factory.mktemp("var")
    stack = Stack(
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
        var_dir=var_dir,
        extra_env={
            "PSEUDONYM_KEY": "integration-pseudonym-key",
            "RASA_AUTH_TOKEN": "integration-rasa-token",
            "CASEWORK_SERVICE_TOKEN": "integration-service-token",
            "SAMPLE_DATA": "1",
            # Telegram in webhook mode and WhatsApp, both pointed at the fakes on 127.0.0.1.
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_PUBLIC_URL": "https://safepassage.example.org",
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": fakes.telegram_url,
            "WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
            "WHATSAPP_APP_SECRET": WA_APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "integration-verify-token",
            "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
            "WHATSAPP_API_URL": fakes.graph_url,
        },
    )
    stack.start()
    try:
        stack.wait_healthy(timeout=240)
        yield stack
    finally:
        stack.stop()
