"""Filing reports (idempotent, encrypted at rest, routed by consent) and checking their status."""

from __future__ import annotations

import asyncio
import sqlite3

from aiohttp.test_utils import TestClient

from bot.casework_admin import rotate_rows
from bot.crypto import KeySet, generate_key
from bot.store.database import create_engine, session_factory
from tests.databases import reads_sqlite_file
from tests.gateway.casework_support import SERVICE, Casework, report_body
from tests.gateway.conftest import ENCRYPTION_KEY


async def test_a_report_is_stored_with_a_reference_and_routed_by_consent(casework: Casework) -> None:
    filed = await casework.file()
    assert filed["reference"].startswith("SP-") and filed["status"] == "received" and not filed["replayed"]
    # Kenya routes to children's services, the police unit and the casework NGO; the reporter agreed
    # to child protection and NGOs but not the police, and no child is known to be at risk.
    assert [a["id"] for a in filed["agencies"]] == ["sample-ke-children-services", "sample-intl-casework"]
    assert all(a["verified"] is False and a["source"] for a in filed["agencies"])
    assert "notify_url" not in filed["agencies"][0]


@reads_sqlite_file
async def test_the_same_idempotency_key_returns_the_same_case_once(casework: Casework) -> None:
    first = await casework.file(key="retry-key-123")
    responses = await asyncio.gather(
        *[casework.client.post("/api/v1/reports", json=report_body(key="retry-key-123"), headers=SERVICE)
          for _ in range(5)]
    )
    for response in responses:
        assert response.status == 200
        body = await response.json()
        assert body["reference"] == first["reference"] and body["replayed"] is True
    with sqlite3.connect(casework.database_path) as db:
        assert db.execute("SELECT count(*) FROM cases").fetchone()[0] == 1
    # Another conversation cannot claim that key (and learns nothing about the case).
    other = await casework.client.post(
        "/api/v1/reports", json=report_body(key="retry-key-123", conversation="we-other"), headers=SERVICE
    )
    assert other.status == 409 and "reference" not in await other.json()


@reads_sqlite_file
async def test_narratives_and_contacts_are_not_in_the_database_file(casework: Casework) -> None:
    await casework.file()
    db_bytes = b"".join(
        path.read_bytes() for path in casework.database_path.parent.glob("gateway.db*")  # with -wal and -shm
    )
    for secret in (b"never goes to school", b"old market", b"700 111 222", b"about 12"):
        assert secret not in db_bytes
    with sqlite3.connect(casework.database_path) as db:
        details, contact = db.execute("SELECT details_encrypted, contact_encrypted FROM cases").fetchone()
    assert details.startswith("gAAAAA") and contact.startswith("gAAAAA")  # Fernet tokens


@reads_sqlite_file
async def test_rotating_keys_re_encrypts_every_stored_value(casework: Casework) -> None:
    await casework.file()
    new_key = generate_key()
    engine = create_engine(casework.settings.database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            changed = await rotate_rows(session, KeySet([new_key, ENCRYPTION_KEY]))
        async with session_factory(engine)() as session, session.begin():
            again = await rotate_rows(session, KeySet([new_key, ENCRYPTION_KEY]))
    finally:
        await engine.dispose()
    assert changed == 2 and again == 0  # details and phone; nothing left on the old key
    with sqlite3.connect(casework.database_path) as db:
        details = db.execute("SELECT details_encrypted FROM cases").fetchone()[0]
    assert "never goes to school" in KeySet([new_key]).decrypt(details)


async def test_invalid_reports_are_refused_with_a_reason(casework: Casework) -> None:
    client: TestClient = casework.client
    for body in (
        report_body(key="short"),
        report_body(category="theft"),
        report_body(country="Kenya"),
        report_body(contact={"method": "phone", "phone": "call me"}),
        report_body(details={"password": "x"}),
        report_body(danger_now="yes"),
        ["not", "an", "object"],
    ):
        response = await client.post("/api/v1/reports", json=body, headers=SERVICE)
        assert response.status == 400, body
    assert (await client.post("/api/v1/reports", json=report_body())).status == 401


async def test_no_consent_and_no_exception_means_no_agency_sees_it(casework: Casework) -> None:
    filed = await casework.file(consent={"child_protection": False, "police": False, "ngo": False})
    assert filed["agencies"] == []


async def test_a_child_at_risk_goes_to_the_authorities_even_without_consent(casework: Casework) -> None:
    filed = await casework.file(child_at_risk=True, consent={"child_protection": False, "police": False, "ngo": False})
    assert [a["id"] for a in filed["agencies"]] == ["sample-ke-children-services", "sample-ke-police-unit"]


async def status(client: TestClient, reference: str, conversation: str = "we-checker") -> tuple[int, dict]:
    response = await client.post(
        "/api/v1/reports/status", json={"conversation_id": conversation, "reference": reference}, headers=SERVICE
    )
    return response.status, await response.json()


async def test_status_shows_only_the_status_and_the_public_note(casework: Casework) -> None:
    filed = await casework.file()
    code, body = await status(casework.client, filed["reference"].lower().replace("-", " "))
    assert code == 200 and body == {"reference": filed["reference"], "status": "received", "public_note": None}
    await casework.client.patch(
        f"/api/v1/cases/{filed['reference']}", json={"status": "in_review", "public_note": "A caseworker has it."},
        headers=casework.agency("sample-ke-children-services"),
    )
    code, body = await status(casework.client, filed["reference"], conversation="we-second")
    assert body == {"reference": filed["reference"], "status": "in_review", "public_note": "A caseworker has it."}


async def test_wrong_references_all_get_the_same_answer(casework: Casework) -> None:
    await casework.file()
    answers = {str(await status(casework.client, ref, conversation=f"we-{i}"))
               for i, ref in enumerate(("SP-2222222", "SP-ZZZZZZ", "hello", ""))}
    assert answers == {"(404, {'error': 'not found'})"}


async def test_status_checks_are_rate_limited_per_conversation(casework: Casework) -> None:
    filed = await casework.file()
    limit = casework.settings.status_checks_per_hour
    for _ in range(limit):
        assert (await status(casework.client, "SP-AAAAAA", conversation="we-guesser"))[0] == 404
    # Even the right code is refused now: guessing stops at the limit.
    assert (await status(casework.client, filed["reference"], conversation="we-guesser"))[0] == 429
    assert (await status(casework.client, filed["reference"], conversation="we-someone-else"))[0] == 200
