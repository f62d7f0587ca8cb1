"""Identifiers typed by users reach Rasa only as placeholders; typed "/" payloads are read as words."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from bot.console.shared_identifiers import Kept, fill
from bot.crypto import KeySet
from bot.identifiers import redact, restore
from tests.gateway.casework_support import SERVICE, Casework, report_body
from tests.gateway.conftest import ENCRYPTION_KEY, payload_without_language


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("call me on +254 712 345 678 please", "call me on [phone] please"),
        ("my number is 0712345678", "my number is [phone]"),
        ("+44 (0)20 7946 0958", "[phone]"),
        ("write to jane.doe@example.org", "write to [email]"),
        ("passport number A1234567 was taken", "passport number [id number] was taken"),
        ("ID: 29384756", "ID: [id number]"),
        ("my passport no 12345678", "my passport no [id number]"),
        # Not identifiers: helplines, amounts, dates, years, licence codes.
        ("call 116 111 or 112", "call 116 111 or 112"),
        ("salary 1,500,000 per month and a fee of 25000", "salary 1,500,000 per month and a fee of 25000"),
        ("the job starts 2024-05-01, I was born 12/05/2009", "the job starts 2024-05-01, I was born 12/05/2009"),
        ("I worked there from 2019-2024", "I worked there from 2019-2024"),
        ("their licence is SAMPLE-PH-0001", "their licence is SAMPLE-PH-0001"),
        ("they took my passport", "they took my passport"),
    ],
)
def test_identifiers_become_placeholders_and_other_numbers_stay(text: str, expected: str) -> None:
    redacted, found = redact(text)
    assert redacted == expected
    assert restore(redacted, found) == text


def stored_bytes(casework_or_path: Any) -> bytes:
    return b"".join(path.read_bytes() for path in casework_or_path.parent.glob("gateway.db*"))


async def test_rasa_gets_placeholders_and_the_gateway_keeps_the_numbers_encrypted(
    gateway: TestClient, fake_rasa: Any, tmp_path: Any
) -> None:
    fake, _ = fake_rasa
    text = "I am Ana, +254 711 222 333, ana.k@example.com, passport P7654321, they kept it"
    response = await gateway.post("/webchat/messages", json={"session_id": "s-ident", "text": text})
    assert response.status == 200
    assert fake.received[-1]["message"] == "I am Ana, [phone], [email], passport [id number], they kept it"
    with sqlite3.connect(tmp_path / "gateway.db") as db:
        rows = db.execute("SELECT placeholder, value_encrypted FROM identifiers ORDER BY id").fetchall()
    keys = KeySet([ENCRYPTION_KEY])
    assert [(p, keys.decrypt(v)) for p, v in rows] == [
        ("[email]", "ana.k@example.com"), ("[id number]", "P7654321"), ("[phone]", "+254 711 222 333")
    ]
    everything = stored_bytes(tmp_path / "gateway.db")
    for raw in (b"711 222 333", b"ana.k@example.com", b"P7654321"):
        assert raw not in everything


async def test_a_report_s_phone_placeholder_is_filled_with_the_number_the_user_typed(casework: Casework) -> None:
    client = casework.client
    await client.post("/webchat/messages", json={"session_id": "s-report", "text": "call me on 0722 333 444"})
    conversation = next(
        row[0] for row in sqlite3.connect(casework.database_path).execute("SELECT conversation_id FROM identifiers")
    )
    body = report_body(conversation=conversation, contact={"method": "phone", "phone": "[phone]"})
    response = await client.post("/api/v1/reports", json=body, headers=SERVICE)
    assert response.status == 201, await response.text()
    with sqlite3.connect(casework.database_path) as db:
        contact = db.execute("SELECT contact_encrypted FROM cases").fetchone()[0]
    assert KeySet([ENCRYPTION_KEY]).decrypt(contact) == "0722 333 444"


async def say(gateway: TestClient, text: str, payload: bool = False) -> None:
    response = await gateway.post("/webchat/messages", json={"session_id": "s-slash", "text": text, "payload": payload})
    assert response.status == 200


async def test_typed_direct_intents_cannot_set_slots_or_skip_a_form(gateway: TestClient, fake_rasa: Any) -> None:
    fake, _ = fake_rasa
    await say(gateway, '/inform{"country":"KE"}')
    await say(gateway, "/affirm")
    # The fake's replies offered only "/ask_helpline": a press of anything else is not a payload.
    await say(gateway, "/emergency", payload=True)
    assert [turn["message"] for turn in fake.received] == ['inform{"country":"KE"}', "affirm", "emergency"]


async def test_offered_buttons_still_send_their_payloads(gateway: TestClient, fake_rasa: Any) -> None:
    fake, _ = fake_rasa
    await say(gateway, "hello")  # the fake offers "Find a helpline" (/ask_helpline)
    await say(gateway, "/ask_helpline", payload=True)
    await say(gateway, "/ask_helpline")  # typed, but exactly what the latest reply offered
    sent = [payload_without_language(turn["message"]) for turn in fake.received]
    assert sent == ["hello", "/ask_helpline", "/ask_helpline"]


def test_the_console_puts_each_original_back_on_its_own_line_and_never_on_another() -> None:
    lines = [
        {"sender": "user", "text": "call [phone]", "at": 100.0},
        {"sender": "bot", "text": "Noted [phone]", "at": 101.0},
        {"sender": "user", "text": "or [phone] or [email]", "at": 200.0},
        {"sender": "user", "text": "[phone] again", "at": 300.0},
    ]
    # The first message's number was purged; the last one's was never kept (a retried turn).
    kept = [Kept("[phone]", "0722 000 002", 199.5), Kept("[email]", "a@example.org", 199.5)]
    filled, shown = fill(lines, kept)
    assert [line["text"] for line in filled] == ["call [phone]", "Noted [phone]", "or 0722 000 002 or a@example.org",
                                                 "[phone] again"]
    assert shown == 2
