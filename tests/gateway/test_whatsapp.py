"""The WhatsApp Cloud API bridge against a fake Graph API and a fake Rasa, with recorded payloads."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any, Dict, List

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.app_keys import DB, DELIVERER, KEYS
from bot.channels import notes
from bot.channels.whatsapp import render, shorten
from bot.delivery.outbox import enqueue
from bot.pseudonym import pseudonym
from bot.rasa_client import BotReply
from bot.store.models import Conversation, OutboxMessage, utcnow
from tests.fakes import FakeGraph
from tests.gateway.conftest import WA_APP_SECRET, WA_VERIFY_TOKEN, FakeRasa, fixture, payload_without_language, settle
from tests.gateway.test_telegram import database_bytes
from tests.identifier_scan import holds

USER = "254700123456"


def signed(body: bytes, secret: str = WA_APP_SECRET) -> Dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


async def notify(client: TestClient, payload: Dict[str, Any]) -> int:
    body = json.dumps(payload).encode()
    return (await client.post("/whatsapp/webhook", data=body, headers=signed(body))).status


def conversation_id(user: str = USER) -> str:
    return pseudonym("pseudonym-key-for-tests", "whatsapp", user)


async def outbox(client: TestClient) -> List[OutboxMessage]:
    async with client.server.app[DB]() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_the_subscription_handshake(channels: TestClient) -> None:
    ok = await channels.get(
        "/whatsapp/webhook",
        params={"hub.mode": "subscribe", "hub.verify_token": WA_VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status == 200 and await ok.text() == "1158201444"
    for params in (
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": WA_VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ):
        assert (await channels.get("/whatsapp/webhook", params=params)).status == 403


async def test_signatures_missing_wrong_prefix_wrong_secret_or_other_body_are_refused(
    channels: TestClient, fake_rasa
) -> None:
    body = json.dumps(fixture("whatsapp", "text")).encode()
    good = signed(body)["X-Hub-Signature-256"]
    cases = [
        ({}, 401),
        ({"X-Hub-Signature-256": ""}, 401),
        ({"X-Hub-Signature-256": good.replace("sha256=", "sha1=")}, 403),
        ({"X-Hub-Signature-256": good[len("sha256="):]}, 403),
        (signed(body, "another-secret"), 403),
        (signed(body + b" "), 403),
    ]
    for headers, status in cases:
        response = await channels.post("/whatsapp/webhook", data=body, headers=headers)
        assert response.status == status, headers
    assert fake_rasa[0].received == []
    response = await channels.post("/whatsapp/webhook", data=body, headers={"X-Hub-Signature-256": good})
    assert response.status == 200


# fixture → what reaches Rasa (None: nothing) and the gateway's own note (None: none)
CASES = [
    ("text", "My son left for a fishing job and stopped answering", None),
    ("button_reply", "/ask_helpline", None),
    ("list_reply", "/report_missing_child", None),
    ("template_button", "/greet", None),
    ("image", "this is the advert", notes.media("image")),
    ("audio_voice", None, notes.media("voice")),
    ("video", None, notes.media("video")),
    ("document", "contract", notes.media("document")),
    ("sticker", None, notes.media("sticker")),
    ("location", '/inform{"country": "PH"}', None),
    ("contacts", None, notes.CONTACTS),
    ("reaction", None, None),
    ("unsupported", None, notes.UNSUPPORTED),
]


@pytest.mark.parametrize("name,to_rasa,note", CASES, ids=[case[0] for case in CASES])
async def test_every_message_type(
    channels: TestClient, fake_rasa: tuple[FakeRasa, str], fake_graph: FakeGraph, name: str, to_rasa: Any, note: Any
) -> None:
    assert await notify(channels, fixture("whatsapp", name)) == 200
    await settle(channels)
    to_rasa_sent = [payload_without_language(turn["message"]) for turn in fake_rasa[0].received]
    assert to_rasa_sent == ([to_rasa] if to_rasa else [])
    texts = [m.get("text", {}).get("body") or m.get("interactive", {}).get("body", {}).get("text")
             for m in fake_graph.messages]
    if note:
        assert texts[0] == note
    if to_rasa:
        assert texts[-1] == "Here is what I can help with:"
    if not note and not to_rasa:
        assert texts == []
    message_id = fixture("whatsapp", name)["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    assert fake_graph.read_receipts == ([] if name == "reaction" else [message_id])


async def test_contact_cards_are_not_stored(channels: TestClient, fake_graph, tmp_path) -> None:
    await notify(channels, fixture("whatsapp", "contacts"))
    await settle(channels)
    data = database_bytes(tmp_path)
    assert b"971500000000" not in data and b"Joseph" not in data


async def test_a_batch_with_two_entries_and_several_messages(channels: TestClient, fake_rasa) -> None:
    assert await notify(channels, fixture("whatsapp", "batch")) == 200
    await settle(channels)
    by_sender: Dict[str, List[str]] = {}
    for turn in fake_rasa[0].received:
        by_sender.setdefault(turn["sender"], []).append(turn["message"])
    assert by_sender == {
        conversation_id(): ["hello", "I need help"],
        conversation_id("639170000001"): ["are you there?"],
    }
    assert USER not in json.dumps(fake_rasa[0].received)


async def test_duplicate_notifications_are_answered_once(channels: TestClient, fake_rasa, fake_graph) -> None:
    for _ in range(3):
        assert await notify(channels, fixture("whatsapp", "text")) == 200
    await settle(channels)
    assert len(fake_rasa[0].received) == 1 and len(fake_graph.messages) == 2


def status_about(name: str, wamids: Dict[str, str]) -> Dict[str, Any]:
    """A recorded status notification, about the message the fake Graph API numbered as in it."""
    payload = fixture("whatsapp", name)
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["id"] = wamids[status["id"]]
    return payload


async def test_statuses_move_the_outbox_forward_only(channels: TestClient, fake_graph) -> None:
    await notify(channels, fixture("whatsapp", "text"))
    await settle(channels)
    first, second = await outbox(channels)
    assert first.status == second.status == "sent"
    wamids = {"wamid.FAKE000001": fake_graph.sent_ids[0], "wamid.FAKE000002": fake_graph.sent_ids[1]}
    for name in ("status_delivered", "status_read", "status_sent", "status_failed"):
        assert await notify(channels, status_about(name, wamids)) == 200
    first, second = await outbox(channels)
    assert first.status == "read"  # a late "sent" does not undo "read"
    assert second.status == "failed" and second.error == "131026 Message undeliverable"


async def test_no_message_id_or_number_is_stored_in_clear_even_inside_base64(
    channels: TestClient, fake_graph, tmp_path
) -> None:
    """WhatsApp's ids (`wamid.HBgM…`) are base64 of the sender's number: only keyed hashes are kept."""
    inbound_id = fixture("whatsapp", "text")["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    await notify(channels, fixture("whatsapp", "text"))
    await notify(channels, fixture("whatsapp", "text"))  # Meta's redelivery: still dropped
    await settle(channels)
    await notify(channels, status_about("status_read", {"wamid.FAKE000001": fake_graph.sent_ids[0]}))
    first, _second = await outbox(channels)
    assert first.status == "read"  # the status found its message by the hash
    assert fake_graph.read_receipts == [inbound_id]  # the blue ticks used the real id, once
    assert len(fake_graph.sent_ids) == 2
    data = database_bytes(tmp_path)
    for wamid in [inbound_id, *fake_graph.sent_ids]:
        assert wamid.encode() not in data and wamid.removeprefix("wamid.").encode() not in data
    assert not holds(data, USER), "the number is stored, in clear or in base64"


async def test_malformed_notifications_get_a_clear_4xx(channels: TestClient) -> None:
    for body in (b"{not json", b"[]", b'{"object": "whatsapp_business_account"}', b'{"entry": [1]}',
                 b'{"entry": [{"changes": [{"value": {"messages": [{"type": "text"}]}}]}]}'):
        response = await channels.post("/whatsapp/webhook", data=body, headers=signed(body))
        assert response.status == 400, body
    huge = b"x" * (3 * 1024 * 1024 + 10)
    assert (await channels.post("/whatsapp/webhook", data=huge, headers=signed(huge))).status == 413
    unknown = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "account_update",
               "value": {"event": "VERIFIED_ACCOUNT"}}]}]}
    assert await notify(channels, unknown) == 200


def test_reply_buttons_lists_and_titles() -> None:
    three = render(USER, {"text": "Choose", "buttons": [
        {"title": "Is my job offer safe?", "payload": "/check_job_offer"},
        {"title": "Report something", "payload": "/report_trafficking"},
        {"title": "A child is missing", "payload": "/report_missing_child"}]}, 7)
    buttons = three["interactive"]["action"]["buttons"]
    assert three["interactive"]["type"] == "button"
    assert [b["reply"]["title"] for b in buttons] == ["Is my job offer…", "Report something", "A child is missing"]
    assert [b["reply"]["id"] for b in buttons] == ["/check_job_offer", "/report_trafficking", "/report_missing_child"]
    many = [{"title": f"Country number {i} with a long name", "payload": f"/inform{i}"} for i in range(7)]
    listed = render(USER, {"text": "Where?", "buttons": many}, 8)
    rows = listed["interactive"]["action"]["sections"][0]["rows"]
    assert listed["interactive"]["type"] == "list" and len(rows) == 7
    assert all(len(row["title"]) <= 24 for row in rows) and rows[0]["description"].startswith("Country number 0")
    assert shorten("Find a helpline", 20) == "Find a helpline"
    assert len(shorten("Supercalifragilisticexpialidocious", 20)) == 20


async def test_more_than_ten_choices_become_numbered_text_and_a_number_picks_one(
    channels: TestClient, fake_rasa, fake_graph
) -> None:
    buttons = [{"title": f"Option {i}", "payload": f"/choice_{i}"} for i in range(1, 13)]
    fake_rasa[0].next_replies.append([{"text": "Which one?", "buttons": buttons}])
    await notify(channels, fixture("whatsapp", "text"))
    await settle(channels)
    body = fake_graph.messages[-1]["text"]["body"]
    assert "1. Option 1" in body and "12. Option 12" in body and notes.NUMBERED_CHOICE in body
    reply = fixture("whatsapp", "text")
    message = reply["entry"][0]["changes"][0]["value"]["messages"][0]
    message["id"], message["text"]["body"] = "wamid.NUMBER2", "2"
    await notify(channels, reply)
    await settle(channels)
    assert payload_without_language(fake_rasa[0].received[-1]["message"]) == "/choice_2"


async def test_graph_rate_limits_are_retried_and_sent_once(channels: TestClient, fake_graph) -> None:
    fake_graph.fail_next(400, 130429, retry_after=1)
    fake_graph.fail_next(503, 2)
    await notify(channels, fixture("whatsapp", "text"))
    await settle(channels)
    first, second = await outbox(channels)
    assert first.status == second.status == "sent" and first.attempts == 3
    assert len(fake_graph.messages) == 2


async def test_outside_the_24_hour_window_free_text_is_not_sent(channel_settings, fake_graph) -> None:
    for template in ("", "safepassage_reconnect:en"):
        client = TestClient(TestServer(create_app(channel_settings(whatsapp_template=template)), host="127.0.0.1"))
        await client.start_server()
        app = client.server.app
        cid = conversation_id(f"2547000000{len(template):02d}")
        async with app[DB]() as session, session.begin():
            session.add(Conversation(id=cid, channel="whatsapp", owner="bot", address=app[KEYS].encrypt("254700000000"),
                                     last_inbound_at=utcnow() - timedelta(hours=25)))
            await enqueue(session, app[KEYS], cid, "whatsapp", [BotReply("A counselor is free now.")])
        app[DELIVERER].kick(cid)
        await settle(client)
        async with app[DB]() as session:
            row = await session.scalar(select(OutboxMessage).where(OutboxMessage.conversation_id == cid))
        await client.close()
        assert row is not None and row.status == "failed" and notes.OUTSIDE_WINDOW in (row.error or "")
        sent_free_text = [m for m in fake_graph.messages if m.get("type") == "text"]
        assert sent_free_text == []
        if template:
            assert "template 'safepassage_reconnect' sent instead" in (row.error or "")
            assert fake_graph.messages[-1]["template"] == {"name": "safepassage_reconnect", "language": {"code": "en"}}
        else:
            assert fake_graph.messages == []
