"""Generated webhook requests per channel (hypothesis): malformed JSON, wrong types, huge and
deeply nested bodies, Unicode oddities, forged signatures. The gateway must never answer 5xx,
never log an unhandled exception, and never pass a forged request on to Rasa.

FUZZ_EXAMPLES sets the examples per channel: 10,000 by default (`make test`, `make fuzz`; about 50 s a
channel on the 2-core machine), fewer for a quick local run.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Coroutine, Dict, Iterator, List, TypeVar

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.store.migrate import upgrade
from tests.fakes import FakeGraph, FakeTelegram
from tests.gateway.conftest import (
    ENCRYPTION_KEY,
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    WA_APP_SECRET,
    WA_TOKEN,
    WA_VERIFY_TOKEN,
    FakeRasa,
    fixture,
)

T = TypeVar("T")
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=False, database=None,
                suppress_health_check=list(HealthCheck))


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()[:200]}")


class Live:
    """A gateway with Telegram and WhatsApp on a background event loop, for sync hypothesis tests."""

    def __init__(self, folder: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.rasa = FakeRasa()
        self.telegram, self.graph = FakeTelegram(TELEGRAM_TOKEN), FakeGraph(WA_TOKEN)
        self.run(self._start(folder))

    async def _start(self, folder: Path) -> None:
        from bot.settings import Settings

        self.rasa_server = TestServer(self.rasa.app, host="127.0.0.1")
        await self.rasa_server.start_server()
        self.database = folder / "gateway.db"
        url = f"sqlite+aiosqlite:///{self.database}"
        upgrade(url)
        settings_ = Settings(
            pseudonym_key="fuzz-key", rasa_auth_token="r", casework_service_token="s", database_url=url,
            rasa_url=str(self.rasa_server.make_url("")).rstrip("/"), action_server_url="http://127.0.0.1:9",
            data_encryption_keys=(ENCRYPTION_KEY,), holding_timeout_seconds=0.5, rasa_timeout_seconds=2.0,
            telegram_bot_token=TELEGRAM_TOKEN, telegram_public_url="https://safepassage.example.org",
            telegram_webhook_secret=TELEGRAM_SECRET, telegram_api_url=await self.telegram.start(),
            whatsapp_access_token=WA_TOKEN, whatsapp_app_secret=WA_APP_SECRET,
            whatsapp_verify_token=WA_VERIFY_TOKEN, whatsapp_phone_number_id="106540352242922",
            whatsapp_api_url=await self.graph.start(),
        )
        self.server = TestServer(create_app(settings_), host="127.0.0.1")
        await self.server.start_server()
        self.url = str(self.server.make_url("")).rstrip("/")
        self.session = aiohttp.ClientSession()

    def inbox_count(self) -> int:
        with sqlite3.connect(self.database) as db:
            return int(db.execute("SELECT count(*) FROM inbox").fetchone()[0])

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(60)

    def post(self, path: str, body: bytes, headers: Dict[str, str]) -> int:
        async def send() -> int:
            async with self.session.post(self.url + path, data=body, headers=headers) as response:
                await response.read()
                return response.status

        return self.run(send())

    def close(self) -> None:
        async def stop() -> None:
            await self.session.close()
            await self.server.close()
            await self.rasa_server.close()
            await self.telegram.close()
            await self.graph.close()

        self.run(stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    gateway = Live(tmp_path_factory.mktemp("fuzz"))
    gateway.errors = errors  # type: ignore[attr-defined]
    started = time.monotonic()
    yield gateway
    print(f"\n  fuzz module: {time.monotonic() - started:.1f}s")
    gateway.close()
    logging.getLogger().removeHandler(errors)


# ---- what a request body can be --------------------------------------------------------

ODD_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=80)  # surrogates, controls, RTL ...
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | ODD_TEXT
JSON_VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(ODD_TEXT, inner, max_size=5), max_leaves=30
)


def mutated(template: Dict[str, Any]) -> st.SearchStrategy[Any]:
    """A real payload with some field at any depth replaced by any JSON value (wrong types)."""

    def paths(value: Any, prefix: tuple[Any, ...] = ()) -> List[tuple[Any, ...]]:
        found = [prefix]
        if isinstance(value, dict):
            for key, item in value.items():
                found += paths(item, prefix + (key,))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                found += paths(item, prefix + (index,))
        return found

    def replace(path: tuple[Any, ...], new: Any) -> Any:
        copy = json.loads(json.dumps(template))
        if not path:
            return new
        target = copy
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = new
        return copy

    return st.builds(replace, st.sampled_from(paths(template)), JSON_VALUES)


def encoded(values: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    return values.map(lambda v: json.dumps(v, ensure_ascii=st_choice_ascii(v)).encode("utf-8", "surrogatepass"))


def st_choice_ascii(value: Any) -> bool:
    return hash(json.dumps(value, ensure_ascii=True)) % 2 == 0  # both escaped and raw UTF-8


NESTED = st.integers(1, 100_000).map(lambda depth: b"[" * depth + b"]" * depth) | st.integers(1, 50_000).map(
    lambda depth: b'{"a":' * depth + b"1" + b"}" * depth)
HUGE = st.sampled_from([2**16, 2**20, 5 * 2**20]).map(lambda size: b'{"update_id": 1, "x": "' + b"x" * size + b'"}')


def bodies(templates: List[Dict[str, Any]]) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=400),  # not JSON at all, invalid UTF-8
        encoded(JSON_VALUES),
        encoded(st.one_of(*(mutated(t) for t in templates))),
        st.one_of(*(mutated(t) for t in templates)).map(lambda v: json.dumps(v).encode()[:-1]),  # cut short
        NESTED,
        HUGE,
    )


TELEGRAM_TEMPLATES = [fixture("telegram", name) for name in ("start", "text", "callback_query", "photo", "location",
                                                             "edited_message")]
WHATSAPP_TEMPLATES = [fixture("whatsapp", name)
                      for name in ("text", "batch", "button_reply", "status_read", "location")]


def check(live: Live, status: int, inbox_before: int, forged: bool) -> None:
    assert status < 500
    assert live.errors.records == []  # type: ignore[attr-defined]
    if forged:
        assert status in (401, 403, 413)  # (413: too large to be read, so never checked or recorded)
        # Rasa is sent only what is in the inbox, and the inbox is written before the answer.
        assert live.inbox_count() == inbox_before


@FUZZ
@given(body=bodies(TELEGRAM_TEMPLATES), secret=st.sampled_from(["right", "wrong", "missing", "odd"]))
def test_telegram_webhook(live: Live, body: bytes, secret: str) -> None:
    headers = {"Content-Type": "application/json"}
    if secret == "right":
        headers["X-Telegram-Bot-Api-Secret-Token"] = TELEGRAM_SECRET
    elif secret == "wrong":
        headers["X-Telegram-Bot-Api-Secret-Token"] = TELEGRAM_SECRET[:-1] + "x"
    elif secret == "odd":
        headers["X-Telegram-Bot-Api-Secret-Token"] = "\u00e9\u202e" + TELEGRAM_SECRET
    before = live.inbox_count()
    live.errors.records.clear()  # type: ignore[attr-defined]
    try:
        latin1 = {key: value.encode("utf-8").decode("latin-1") for key, value in headers.items()}
        status = live.post("/telegram/webhook", body, latin1)
    except aiohttp.ClientError:
        status = 400  # the client refused to send it (a header it cannot encode): never reached us
    check(live, status, before, forged=secret != "right")


@FUZZ
@given(body=bodies(WHATSAPP_TEMPLATES),
       signature=st.sampled_from(["right", "wrong", "missing", "other-body", "no-prefix"]))
def test_whatsapp_webhook(live: Live, body: bytes, signature: str) -> None:
    digest = hmac.new(WA_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json"}
    if signature == "right":
        headers["X-Hub-Signature-256"] = f"sha256={digest}"
    elif signature == "wrong":
        headers["X-Hub-Signature-256"] = f"sha256={digest[:-1]}{'0' if digest[-1] != '0' else '1'}"
    elif signature == "other-body":
        other = hmac.new(WA_APP_SECRET.encode(), body + b" ", hashlib.sha256).hexdigest()
        headers["X-Hub-Signature-256"] = f"sha256={other}"
    elif signature == "no-prefix":
        headers["X-Hub-Signature-256"] = digest
    before = live.inbox_count()
    live.errors.records.clear()  # type: ignore[attr-defined]
    check(live, live.post("/whatsapp/webhook", body, headers), before, forged=signature != "right")


@FUZZ
@given(body=bodies([{"session_id": "fuzz-session", "text": "hello"}]))
def test_webchat_messages(live: Live, body: bytes) -> None:
    before = live.inbox_count()
    live.errors.records.clear()  # type: ignore[attr-defined]
    check(live, live.post("/webchat/messages", body, {"Content-Type": "application/json"}), before, forged=False)



def test_the_fuzzed_gateway_still_answers_a_real_message(live: Live) -> None:
    """After everything above, an authentic update still gets through (the checks can fail)."""
    body = json.dumps(fixture("telegram", "text")).encode()
    before = live.inbox_count()
    live.errors.records.clear()  # type: ignore[attr-defined]
    status = live.post("/telegram/webhook", body, {"Content-Type": "application/json",
                                                   "X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
    assert status == 200 and live.inbox_count() in (before, before + 1)  # +0 when fuzzing already sent it
