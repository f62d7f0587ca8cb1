"""The urgent-request endpoint the emergency action calls, and /healthz."""

from __future__ import annotations

import sqlite3

from aiohttp.test_utils import TestClient

from tests.databases import reads_sqlite_file
from tests.gateway.conftest import SERVICE_TOKEN


async def test_urgent_request_needs_the_service_token(gateway: TestClient) -> None:
    body = {"conversation_id": "we-abc", "reason": "emergency", "country": "QA"}
    assert (await gateway.post("/api/v1/urgent-requests", json=body)).status == 401
    wrong = {"Authorization": "Bearer not-the-token"}
    assert (await gateway.post("/api/v1/urgent-requests", json=body, headers=wrong)).status == 401


@reads_sqlite_file
async def test_urgent_request_is_recorded(gateway: TestClient, tmp_path) -> None:
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    body = {"conversation_id": "we-abc", "reason": "emergency", "country": "QA"}
    response = await gateway.post("/api/v1/urgent-requests", json=body, headers=headers)
    assert response.status == 201
    assert (await response.json())["status"] == "pending"
    with sqlite3.connect(tmp_path / "gateway.db") as db:
        rows = db.execute("SELECT conversation_id, reason, country, status FROM urgent_requests").fetchall()
    assert rows == [("we-abc", "emergency", "QA", "pending")]


async def test_urgent_request_validation(gateway: TestClient) -> None:
    headers = {"Authorization": f"Bearer {SERVICE_TOKEN}"}
    for body in (
        {"conversation_id": "we-abc", "reason": "boredom"},
        {"conversation_id": "", "reason": "emergency"},
        {"conversation_id": "we-abc", "reason": "emergency", "country": "Qatar"},
        ["not", "an", "object"],
    ):
        response = await gateway.post("/api/v1/urgent-requests", json=body, headers=headers)
        assert response.status == 400, body


async def test_health_reports_each_component(gateway: TestClient, fake_rasa) -> None:
    response = await gateway.get("/healthz")
    assert response.status == 503  # no action server listens in this test
    assert await response.json() == {
        "status": "degraded",
        "components": {"gateway": "ok", "database": "ok", "rasa": "ok", "action_server": "down"},
    }
    fake, _ = fake_rasa
    fake.up = False
    components = (await (await gateway.get("/healthz")).json())["components"]
    assert components["rasa"] == "down"
