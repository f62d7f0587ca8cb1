"""Erasure on request ("delete my data") and the retention purge, with a fake Rasa and a fake clock."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import erasure, retention
from bot.app import create_app
from bot.app_keys import DB, KEYS
from bot.channels import notes
from bot.crypto import KeySet
from bot.pseudonym import pseudonym
from bot.store.models import AuditEvent, Case, Conversation, utcnow
from tests.gateway.casework_support import SERVICE, report_body, seed_directory
from tests.gateway.conftest import ENCRYPTION_KEY

CONFIRM = {
    "text": "Do you want me to erase your data? This can't be undone.",
    "buttons": [
        {"title": "Yes, erase my data", "payload": erasure.ERASE_PAYLOAD},
        {"title": "No, keep it", "payload": erasure.KEEP_PAYLOAD},
    ],
}


def make_tracker(path: Path, senders: List[str], timestamp: float) -> None:
    """A tracker store with Rasa's `events` table, as Rasa's SQLTrackerStore makes it."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255),"
            " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        )
        for sender in senders:
            db.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
                (sender, timestamp, json.dumps({"text": "they took my passport [id number]"})),
            )


def tracker_senders(path: Path) -> List[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT sender_id FROM events")]


def rows_mentioning(database: Path, needle: str) -> List[str]:
    """Every table.column in the gateway database whose value contains `needle`."""
    found = []
    with sqlite3.connect(database) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            for column in columns:
                # Names from the database's own catalogue, not from input.
                query = f"SELECT count(*) FROM {table} WHERE CAST({column} AS TEXT) LIKE ?"  # noqa: S608
                hits = db.execute(query, (f"%{needle}%",))
                if hits.fetchone()[0]:
                    found.append(f"{table}.{column}")
    return found


class Privacy:
    def __init__(self, client: TestClient, fake: Any, database: Path, tracker: Path) -> None:
        self.client, self.fake, self.database, self.tracker = client, fake, database, tracker

    async def say(self, session_id: str, text: str, payload: bool = False) -> List[Dict[str, Any]]:
        response = await self.client.post(
            "/webchat/messages", json={"session_id": session_id, "text": text, "payload": payload}
        )
        assert response.status == 200
        return list((await response.json())["messages"])


@pytest.fixture
async def privacy(fake_rasa: Any, settings_factory: Any, tmp_path: Path) -> AsyncIterator[Privacy]:
    fake, url = fake_rasa
    tracker = tmp_path / "tracker.db"
    settings = settings_factory(url, rasa_tracker_url=f"sqlite:///{tracker}")
    await seed_directory(settings.database_url)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    yield Privacy(client, fake, tmp_path / "gateway.db", tracker)
    await client.close()


async def wait_until_gone(privacy: Privacy, conversation_id: str) -> None:
    for _ in range(100):  # the gateway's privacy job runs every 2 s
        with sqlite3.connect(privacy.database) as db:
            if not db.execute("SELECT 1 FROM conversations WHERE id = ?", (conversation_id,)).fetchall():
                return
        await asyncio.sleep(0.1)
    raise AssertionError("the conversation was not erased")


async def test_erasure_after_confirming_leaves_nothing_of_the_user_and_an_anonymous_report(
    privacy: Privacy,
) -> None:
    me = pseudonym("pseudonym-key-for-tests", "webchat", "s-erase")
    await privacy.say("s-erase", "they took my passport P7654321, call me on +254 711 222 333")
    filed = await privacy.client.post(
        "/api/v1/reports",
        json=report_body(conversation=me, contact={"method": "phone", "phone": "[phone]"}),
        headers=SERVICE,
    )
    assert filed.status == 201
    reference = (await filed.json())["reference"]
    make_tracker(privacy.tracker, [me, "we-someone-else"], utcnow().timestamp())

    privacy.fake.next_replies.append([CONFIRM])
    asked = await privacy.say("s-erase", "please delete my data")
    assert asked[0]["buttons"][0]["payload"] == erasure.ERASE_PAYLOAD
    told = await privacy.say("s-erase", erasure.ERASE_PAYLOAD, payload=True)
    assert [m["text"] for m in told] == [notes.ERASING]
    await wait_until_gone(privacy, me)

    assert rows_mentioning(privacy.database, me) == []
    everything = b"".join(path.read_bytes() for path in privacy.database.parent.glob("gateway.db*"))
    for raw in (b"P7654321", b"711 222 333", b"never goes to school"):
        assert raw not in everything
    assert tracker_senders(privacy.tracker) == ["we-someone-else"]
    with sqlite3.connect(privacy.database) as db:
        case = db.execute(
            "SELECT reference, category, country, contact_method, contact_encrypted, details_encrypted FROM cases"
        ).fetchone()
        assert db.execute("SELECT count(*) FROM identifiers").fetchone()[0] == 0
    assert case[:5] == (reference, "trafficking", "KE", "anonymous", None)
    assert json.loads(KeySet([ENCRYPTION_KEY]).decrypt(case[5])) == {}
    # The confirmation went to Rasa as a question only: the press itself never did.
    assert erasure.ERASE_PAYLOAD not in [turn["message"] for turn in privacy.fake.received]


async def test_no_erasure_without_confirming_and_a_typed_payload_is_not_a_confirmation(privacy: Privacy) -> None:
    me = pseudonym("pseudonym-key-for-tests", "webchat", "s-keep")
    privacy.fake.next_replies.append([CONFIRM])
    await privacy.say("s-keep", "delete my data")
    kept = await privacy.say("s-keep", erasure.KEEP_PAYLOAD, payload=True)
    assert [m["text"] for m in kept] == [notes.ERASE_KEPT]
    # Later, not offered any more: typing the payload is just words for Rasa.
    await privacy.say("s-keep", erasure.ERASE_PAYLOAD)
    assert privacy.fake.received[-1]["message"] == "erase_my_data"
    await asyncio.sleep(2.5)
    with sqlite3.connect(privacy.database) as db:
        assert db.execute("SELECT erase_requested_at FROM conversations WHERE id = ?", (me,)).fetchone() == (None,)


async def test_erasure_cancels_a_waiting_handoff(privacy: Privacy) -> None:
    me = pseudonym("pseudonym-key-for-tests", "webchat", "s-wait")
    await privacy.say("s-wait", "hello")
    response = await privacy.client.post(
        "/api/v1/handoffs", json={"conversation_id": me, "reason": "request_human"}, headers=SERVICE
    )
    assert response.status in (200, 201)
    app = privacy.client.server.app
    await erasure.erase(app[DB], app[KEYS], f"sqlite:///{privacy.tracker}", me)
    with sqlite3.connect(privacy.database) as db:
        status, outcome, link = db.execute("SELECT status, outcome, conversation_id FROM handoffs").fetchone()
    assert (status, outcome, link) == ("cancelled", "erased", erasure.ERASED_CONVERSATION)


async def test_the_purge_removes_everything_older_than_allowed_and_keeps_the_rest(privacy: Privacy) -> None:
    app = privacy.client.server.app
    old, recent = "s-old", "s-recent"
    await privacy.say(old, "my number is 0722 333 444")
    open_case = await privacy.client.post(
        "/api/v1/reports", json=report_body(conversation=pseudonym("pseudonym-key-for-tests", "webchat", old)),
        headers=SERVICE,
    )
    assert open_case.status == 201
    closed = await privacy.client.post(
        "/api/v1/reports", json=report_body(key="key-closed-1", conversation="we-closed"), headers=SERVICE
    )
    assert closed.status == 201
    now = utcnow()
    async with app[DB]() as session, session.begin():
        for case in (await session.execute(Case.__table__.select())).all():
            if case.conversation_id == "we-closed":
                await session.execute(
                    Case.__table__.update().where(Case.id == case.id).values(status="closed", updated_at=now)
                )
        session.add(AuditEvent(action="view", detail={}, at=now))
    make_tracker(privacy.tracker, ["we-old-sender"], now.timestamp())

    # 31 days later (the fake clock): a new conversation, then the purge.
    later = now + timedelta(days=31)
    make_tracker(privacy.tracker, ["we-recent-sender"], later.timestamp())
    await privacy.say(recent, "hello")
    async with app[DB]() as session, session.begin():
        await session.execute(
            Conversation.__table__.update()
            .where(Conversation.id == pseudonym("pseudonym-key-for-tests", "webchat", recent))
            .values(last_message_at=later)
        )
    limits = retention.Limits(
        messages=timedelta(days=30), trackers=timedelta(days=30), closed_cases=timedelta(days=30),
        audit=timedelta(days=30),
    )
    purged = await retention.purge(app[DB], f"sqlite:///{privacy.tracker}", limits, now=later)
    assert purged.rows["tracker_events"] == 1 and purged.rows["cases"] == 1 and purged.rows["audit_log"] >= 1

    assert tracker_senders(privacy.tracker) == ["we-recent-sender"]
    with sqlite3.connect(privacy.database) as db:
        cases = db.execute("SELECT status FROM cases").fetchall()
        old_conversation = db.execute(
            "SELECT address FROM conversations WHERE id = ?", (pseudonym("pseudonym-key-for-tests", "webchat", old),)
        ).fetchone()
        counts = {
            "identifiers": db.execute("SELECT count(*) FROM identifiers").fetchone()[0],
            "audit_log": db.execute("SELECT count(*) FROM audit_log WHERE action != 'retention_purge'").fetchone()[0],
        }
        recent_rows = db.execute("SELECT count(*) FROM conversations WHERE channel = 'webchat'").fetchone()[0]
    assert cases == [("received",)]  # the open case stays; the closed one is gone
    assert old_conversation == (None,)  # kept for its case, but no longer linked to a person
    assert counts == {"identifiers": 0, "audit_log": 0}
    assert recent_rows == 2  # the recent conversation is untouched


async def _plan_with_a_contact_told(app: Any, me: str, number: str, contact_wrote: bool) -> str:
    """A check-in plan with a WhatsApp trusted contact who was sent the missed-check-in message."""
    from datetime import date

    from bot.checkins.models import CheckinPlan
    from bot.delivery.outbox import enqueue
    from bot.rasa_client import BotReply
    from bot.store.models import InboxMessage

    keys = app[KEYS]
    contact_id = pseudonym("pseudonym-key-for-tests", "whatsapp", number)
    async with app[DB]() as session, session.begin():
        session.add(CheckinPlan(
            conversation_id=me, channel="webchat", departure=date(2026, 12, 5), country="AE", zone="Asia/Dubai",
            contact_encrypted=keys.encrypt(json.dumps({"kind": "whatsapp", "value": f"+{number}"})),
            contact_consent=True,
        ))
        session.add(Conversation(id=contact_id, channel="whatsapp", address=keys.encrypt(number)))
        await session.flush()
        told = BotReply("They have not answered since 5 December (AE).")
        await enqueue(session, keys, contact_id, "whatsapp", [told])
        if contact_wrote:
            session.add(InboxMessage(channel="whatsapp", external_id="hashed", conversation_id=contact_id,
                                     kind="text", text=keys.encrypt("is she ok?")))
    return contact_id


async def test_erasure_takes_the_message_a_trusted_contact_was_sent_unless_the_contact_wrote(
    privacy: Privacy,
) -> None:
    app = privacy.client.server.app
    me = pseudonym("pseudonym-key-for-tests", "webchat", "s-contact")
    await privacy.say("s-contact", "hello")
    told_only = await _plan_with_a_contact_told(app, me, "447700900123", contact_wrote=False)
    done = await erasure.erase(app[DB], app[KEYS], f"sqlite:///{privacy.tracker}", me, "pseudonym-key-for-tests")
    assert done.contacts_erased == 1
    with sqlite3.connect(privacy.database) as db:
        assert not db.execute("SELECT 1 FROM conversations WHERE id = ?", (told_only,)).fetchall()
        assert not db.execute("SELECT 1 FROM outbox WHERE conversation_id = ?", (told_only,)).fetchall()
        assert not db.execute("SELECT 1 FROM checkin_plans").fetchall()

    # A contact who wrote to the service has a conversation of their own: it stays.
    them = pseudonym("pseudonym-key-for-tests", "webchat", "s-contact-2")
    await privacy.say("s-contact-2", "hello")
    wrote = await _plan_with_a_contact_told(app, them, "221770000111", contact_wrote=True)
    done = await erasure.erase(app[DB], app[KEYS], f"sqlite:///{privacy.tracker}", them, "pseudonym-key-for-tests")
    assert done.contacts_erased == 0
    with sqlite3.connect(privacy.database) as db:
        assert db.execute("SELECT 1 FROM conversations WHERE id = ?", (wrote,)).fetchall()
        assert not db.execute("SELECT 1 FROM conversations WHERE id = ?", (them,)).fetchall()
