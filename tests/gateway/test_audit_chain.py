"""The audit log's hash chain, `python -m bot verify-audit`, and the audit of casework API calls."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.console.audit import record
from bot.store.database import create_engine, session_factory
from tests.gateway.casework_support import Casework


async def write_rows(database_url: str, count: int) -> None:
    engine = create_engine(database_url)
    try:
        for index in range(count):
            async with session_factory(engine)() as session, session.begin():
                await record(session, "view_queue", agency_id="sample-ke-police-unit", detail={"n": index})
    finally:
        await engine.dispose()


def verify(database_url: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name, value in (("PSEUDONYM_KEY", "p"), ("RASA_AUTH_TOKEN", "r"), ("CASEWORK_SERVICE_TOKEN", "c")):
        monkeypatch.setenv(name, value)
    return main(["verify-audit"])


@pytest.mark.parametrize(
    ("tamper", "broken_row"),
    [
        ("UPDATE audit_log SET action = 'login' WHERE id = 3", 3),  # an edited row
        ("UPDATE audit_log SET detail = '{\"n\": 99}' WHERE id = 2", 2),  # an edited detail
        ("DELETE FROM audit_log WHERE id = 3", 4),  # a deleted row: the next one no longer follows
    ],
)
def test_verify_audit_finds_the_first_edited_or_deleted_row(
    settings_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    tamper: str, broken_row: int,
) -> None:
    settings = settings_factory("http://127.0.0.1:9")
    asyncio.run(write_rows(settings.database_url, 5))
    assert verify(settings.database_url, monkeypatch) == 0
    assert "intact: 5 row(s)" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "gateway.db") as db:
        db.execute(tamper)
    assert verify(settings.database_url, monkeypatch) == 1
    assert f"BROKEN at row {broken_row}" in capsys.readouterr().out


async def test_every_casework_api_call_is_audited_without_content(casework: Casework) -> None:
    filed = await casework.file()
    reference = filed["reference"]
    seen = await casework.client.get(
        f"/api/v1/cases/{reference}", headers=casework.agency("sample-ke-children-services")
    )
    assert seen.status == 200
    refused = await casework.client.get(f"/api/v1/cases/{reference}")  # no token
    assert refused.status == 401
    with sqlite3.connect(casework.database_path) as db:
        rows = db.execute(
            "SELECT agency_id, detail FROM audit_log WHERE action = 'api_call' ORDER BY id"
        ).fetchall()
    details = [(agency, json.loads(detail)) for agency, detail in rows]
    assert (None, {"method": "POST", "route": "/api/v1/reports", "status": 201, "caller": "service"}) in details
    assert (
        "sample-ke-children-services",
        {"method": "GET", "route": "/api/v1/cases/{reference}", "status": 200, "caller": "agency", "case": reference},
    ) in details
    assert (
        None,
        {"method": "GET", "route": "/api/v1/cases/{reference}", "status": 401, "caller": "unauthenticated",
         "case": reference},
    ) in details
    dumped = str(rows)
    assert "school" not in dumped and "700 111 222" not in dumped  # never the report's content
