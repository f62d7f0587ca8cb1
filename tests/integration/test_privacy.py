"""Privacy through the real gateway, Rasa and action server: a canary scan and an erasure.

A fake phone number, e-mail address and passport number go through the web chat, Telegram and
WhatsApp; afterwards no log, neither database (the gateway's and Rasa's tracker store) holds
them, nor the user ids of the platforms, nor WhatsApp's message ids (base64 of the number), even
decoded.
"""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List

from bot.launcher import Stack
from bot.pseudonym import pseudonym
from tests.fakes import fake_wamid
from tests.gateway.conftest import fixture
from tests.identifier_scan import holds
from tests.integration.conftest import Fakes
from tests.integration.test_channels import TelegramUser, WhatsAppUser

PHONE, EMAIL, PASSPORT = "+254 799 000 111", "canary.user@example.org", "C9988776"
CANARY = f"my boss took my passport {PASSPORT}, call me on {PHONE} or write to {EMAIL}"
WHATSAPP_NUMBER, TELEGRAM_CHAT, TELEGRAM_PRESSER = "254799123123", 699000111, 699000222
WEB_SESSION = "canary-session-" + uuid.uuid4().hex


def post_chat(stack: Stack, session_id: str, text: str, payload: bool = False) -> List[Dict[str, Any]]:
    body = json.dumps({"session_id": session_id, "text": text, "payload": payload}).encode()
    request = urllib.request.Request(
        f"{stack.gateway_url}/webchat/messages", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return list(json.loads(response.read())["messages"])


def stored(paths: List[Path]) -> bytes:
    return b"".join(path.read_bytes() for path in paths if path.is_file())


def test_no_identifier_or_user_id_in_any_log_or_database_after_a_conversation_on_every_channel(
    stack: Stack, fakes: Fakes
) -> None:
    post_chat(stack, WEB_SESSION, CANARY)
    telegram = TelegramUser(stack, fakes, chat_id=TELEGRAM_CHAT)
    telegram.update_id = 5_000_000  # the harness derives update ids from the chat id; Telegram does not
    telegram.say(CANARY)
    presser = TelegramUser(stack, fakes, chat_id=TELEGRAM_PRESSER)
    presser.update_id = 6_000_000
    greeting = presser.send(fixture("telegram", "start"))
    presser.press(next(m for m in greeting if m.get("reply_markup")), "Find a helpline")
    # A message id shaped like WhatsApp's: base64 that spells out the sender's number. The fake
    # Graph API answers with ids of the same shape for what the bot sends.
    inbound_wamid = fake_wamid(WHATSAPP_NUMBER, "CANARY000001")
    already_sent = len(fakes.graph.sent_ids)
    WhatsAppUser(stack, fakes, WHATSAPP_NUMBER).send("text", text={"body": CANARY}, id=inbound_wamid)
    wamids = [inbound_wamid, *fakes.graph.sent_ids[already_sent:]]
    assert len(wamids) > 1, "the bot sent nothing on WhatsApp"
    time.sleep(1.0)  # let the logs flush
    logs = stored(sorted((stack.var_dir / "log").glob("*.log")))
    database_files = sorted(stack.var_dir.glob("gateway.db*")) + sorted((stack.var_dir / "rasa").glob("tracker.db*"))
    secrets = (PHONE, "799 000 111", EMAIL, PASSPORT, WHATSAPP_NUMBER, str(TELEGRAM_CHAT), WEB_SESSION, *wamids,
               str(TELEGRAM_PRESSER), presser.callback_id)  # a callback query id carries the user's id
    for secret in secrets:
        assert not holds(logs, secret), f"{secret!r} is in a log"
        where = [p.name for p in database_files if holds(p.read_bytes(), secret)]
        assert not where, f"{secret!r} is in {where}"
    # Rasa saw the placeholders, under pseudonyms.
    with sqlite3.connect(stack.var_dir / "rasa" / "tracker.db") as db:
        texts = [json.loads(row[0]).get("text") for row in db.execute("SELECT data FROM events WHERE type_name='user'")]
    assert "my boss took my passport [id number], call me on [phone] or write to [email]" in texts


def test_delete_my_data_asks_then_erases_the_conversation_in_both_databases(stack: Stack) -> None:
    session_id = "erase-" + uuid.uuid4().hex
    me = pseudonym("integration-pseudonym-key", "webchat", session_id)
    post_chat(stack, session_id, "my number is 0722 555 666")
    asked = post_chat(stack, session_id, "please delete my data")
    question = next(m for m in asked if m["buttons"])
    assert "Reports you sent are kept" in question["text"]
    yes = next(b for b in question["buttons"] if b["title"].startswith("Yes"))
    told = post_chat(stack, session_id, yes["payload"], payload=True)
    assert "Your data is being erased" in told[0]["text"]
    tracker = stack.var_dir / "rasa" / "tracker.db"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with sqlite3.connect(stack.var_dir / "gateway.db") as db:
            gone = not db.execute("SELECT 1 FROM conversations WHERE id = ?", (me,)).fetchall()
        if gone:
            break
        time.sleep(0.3)
    assert gone, "the conversation is still in the gateway database"
    with sqlite3.connect(tracker) as db:
        assert db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (me,)).fetchone()[0] == 0
    with sqlite3.connect(stack.var_dir / "gateway.db") as db:
        assert db.execute("SELECT count(*) FROM identifiers WHERE conversation_id = ?", (me,)).fetchone()[0] == 0
