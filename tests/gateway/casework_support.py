"""Shared set-up for the casework tests: a gateway with the sample directory and agency tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Dict, Optional

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.casework.agency_auth import create_token
from bot.casework.directory import import_directory, parse_directory
from bot.casework_admin import SAMPLE_DIRECTORY
from bot.store.database import create_engine, session_factory
from tests.gateway.tokens import SERVICE_TOKEN

SERVICE = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
# One token per agency that the tests act as.
AGENCIES = (
    "sample-ke-children-services", "sample-ke-police-unit", "sample-intl-casework",
    "sample-ph-social-welfare", "sample-ke-nairobi-legal", "sample-intl-child-protection",
)


async def seed_directory(database_url: str) -> Dict[str, str]:
    """Import the sample directory and create one token per agency in AGENCIES; returns the tokens."""
    engine = create_engine(database_url)
    tokens = {}
    try:
        async with session_factory(engine)() as session, session.begin():
            entries = parse_directory(SAMPLE_DIRECTORY.read_text(encoding="utf-8"), str(SAMPLE_DIRECTORY))
            await import_directory(session, entries)
            await session.flush()
            for agency_id in AGENCIES:
                _, tokens[agency_id] = await create_token(session, agency_id, "tests")
    finally:
        await engine.dispose()
    return tokens


def report_body(key: str = "key-00000001", conversation: str = "we-reporter", **overrides: Any) -> Dict[str, Any]:
    body: Dict[str, Any] = {
        "idempotency_key": key,
        "conversation_id": conversation,
        "kind": "report",
        "category": "trafficking",
        "country": "KE",
        "language": "en",
        "danger_now": False,
        "child_at_risk": False,
        "consent": {"child_protection": True, "police": False, "ngo": True},
        "contact": {"method": "phone", "phone": "+254 700 111 222"},
        "details": {
            "what_happened": "A girl of about 12 cleans for the family next door and never goes to school.",
            "where": "Mombasa, near the old market",
            "when": "the last few weeks",
            "who_at_risk": "one girl, about 12",
        },
    }
    body.update(overrides)
    return body


@dataclass
class Casework:
    client: TestClient
    tokens: Dict[str, str]
    database_path: Any
    settings: Any = None
    extra: Dict[str, Any] = field(default_factory=dict)

    def agency(self, agency_id: str) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[agency_id]}"}

    async def file(self, **overrides: Any) -> Dict[str, Any]:
        response = await self.client.post("/api/v1/reports", json=report_body(**overrides), headers=SERVICE)
        assert response.status == 201, await response.text()
        return dict(await response.json())


@pytest.fixture
async def casework(fake_rasa: Any, settings_factory: Any, tmp_path: Any) -> AsyncIterator[Casework]:
    _, rasa_url = fake_rasa
    settings = settings_factory(rasa_url, notify_poll_seconds=0.05, notify_retry_base_seconds=0.05,
                                notify_retry_max_seconds=0.2)
    tokens = await seed_directory(settings.database_url)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    yield Casework(client=client, tokens=tokens, database_path=tmp_path / "gateway.db", settings=settings)
    await client.close()


def find(entries: Any, agency_id: str) -> Optional[Dict[str, Any]]:
    return next((e for e in entries if e["id"] == agency_id), None)
