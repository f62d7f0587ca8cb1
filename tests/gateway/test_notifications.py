"""Routed agencies are told through their own system: signed, retried until acknowledged."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, AsyncIterator, Dict, List

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.casework.notifications import SIGNATURE_HEADER, TIMESTAMP_HEADER, retry_delay, sign, verify
from bot.crypto import KeySet
from bot.store.database import create_engine, session_factory
from bot.store.models import Agency
from tests.databases import reads_sqlite_file
from tests.gateway.casework_support import Casework
from tests.gateway.conftest import ENCRYPTION_KEY

SECRET = "agency-signing-secret"


class AgencyReceiver:
    """An agency's own system on 127.0.0.1: fails the first `failures` deliveries, records all."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: List[Dict[str, Any]] = []
        self.app = web.Application()
        self.app.router.add_post("/hook", self.hook)

    async def hook(self, request: web.Request) -> web.Response:
        raw = await request.read()
        valid = verify(SECRET, request.headers[TIMESTAMP_HEADER], raw, request.headers[SIGNATURE_HEADER])
        self.received.append({"valid": valid, "body": json.loads(raw)})
        if len(self.received) <= self.failures:
            return web.Response(status=503)
        return web.json_response({"ok": True})


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[AgencyReceiver, str]]:
    fake = AgencyReceiver(failures=2)
    server = TestServer(fake.app, host="127.0.0.1")
    await server.start_server()
    yield fake, str(server.make_url("/hook"))
    await server.close()


async def point_agency_at(casework: Casework, agency_id: str, url: str) -> None:
    engine = create_engine(casework.settings.database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            agency = await session.get(Agency, agency_id)
            assert agency is not None
            agency.notify_url = url
            agency.notify_secret_encrypted = KeySet([ENCRYPTION_KEY]).encrypt(SECRET)
    finally:
        await engine.dispose()


@reads_sqlite_file
async def test_a_routed_agency_is_notified_and_retried_until_it_acknowledges(casework: Casework, receiver) -> None:
    fake, url = receiver
    await point_agency_at(casework, "sample-ke-children-services", url)
    filed = await casework.file()
    for _ in range(100):
        if len(fake.received) >= 3:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # no further delivery once acknowledged
    assert len(fake.received) == 3  # 503, 503, then 200
    assert all(r["valid"] for r in fake.received)
    body = fake.received[-1]["body"]
    assert body["reference"] == filed["reference"] and body["event"] == "case.routed"
    assert body["case_url"] == f"/api/v1/cases/{filed['reference']}"
    # No narrative or contact travels in the notification: the agency fetches them with its token.
    sent = json.dumps(body)
    assert "details" not in body and "700 111 222" not in sent and "700111222" not in sent
    import sqlite3

    with sqlite3.connect(casework.database_path) as db:
        rows = dict(db.execute("SELECT agency_id, notify_state FROM case_access").fetchall())
    assert rows == {"sample-ke-children-services": "delivered", "sample-intl-casework": "not_configured"}


def test_signatures_reject_tampering_and_stale_timestamps() -> None:
    now = str(int(time.time()))
    body = b'{"reference":"SP-7KQ2MX"}'
    signature = sign(SECRET, now, body)
    assert verify(SECRET, now, body, signature)
    assert not verify(SECRET, now, body + b" ", signature)
    assert not verify("other-secret", now, body, signature)
    old = str(int(time.time()) - 3600)
    assert not verify(SECRET, old, body, sign(SECRET, old, body))


def test_retry_delays_grow_and_are_capped() -> None:
    assert [retry_delay(n, 5, 60) for n in range(1, 6)] == [5, 10, 20, 40, 60]
