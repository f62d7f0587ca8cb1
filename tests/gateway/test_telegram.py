"""The Telegram bridge against a fake Bot API and a fake Rasa, with recorded real-format updates."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any, Dict

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.app_keys import DB
from bot.channels import notes
from bot.channels.telegram import CALLBACK_DATA_LIMIT
from bot.delivery.outbox import split_text
from bot.pseudonym import pseudonym
from bot.store.models import Conversation, InboxMessage, OutboxMessage
from tests.fakes import FakeTelegram
from tests.gateway.conftest import TELEGRAM_SECRET, FakeRasa, fixture, payload_without_language, settle


def database_bytes(folder: Path) -> bytes:
    """The SQLite file and its write-ahead log, where recent writes live."""
    return b"".join(path.read_bytes() for path in folder.glob("gateway.db*"))


HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
CHAT = 555000111


async def post(client: TestClient, update: Dict[str, Any], headers: Dict[str, str] = HEADERS) -> int:
    response = await client.post("/telegram/webhook", json=update, headers=headers)
    return response.status


def with_id(update: Dict[str, Any], update_id: int, **message: Any) -> Dict[str, Any]:
    copy = json.loads(json.dumps(update))
    copy["update_id"] = update_id
    copy.get("message", {}).update(message)
    return copy


async def test_the_secret_token_is_required_and_compared_exactly(channels: TestClient, fake_rasa) -> None:
    update = fixture("telegram", "text")
    assert await post(channels, update, headers={}) == 403
    assert await post(channels, update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
    assert await post(channels, update, headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET + "x"}) == 403
    assert fake_rasa[0].received == []
    assert await post(channels, update) == 200


async def test_a_text_reaches_rasa_under_a_pseudonym_and_the_reply_has_inline_buttons(
    channels: TestClient, fake_rasa: tuple[FakeRasa, str], fake_telegram: FakeTelegram
) -> None:
    assert await post(channels, fixture("telegram", "text")) == 200
    await settle(channels)
    (turn,) = fake_rasa[0].received
    assert turn["sender"] == pseudonym("pseudonym-key-for-tests", "telegram", str(CHAT))
    assert str(CHAT) not in json.dumps(turn)
    assert turn["metadata"] == {"channel": "telegram", "language": "en", "language_hint": "en"}
    first, second = fake_telegram.sent()
    assert first["chat_id"] == CHAT and first["text"].startswith("echo: Is a job in Dubai")
    keyboard = second["reply_markup"]["inline_keyboard"]
    assert keyboard == [[{"text": "Find a helpline", "callback_data": "/ask_helpline"}]]


async def test_the_ack_comes_before_a_slow_turn(channels: TestClient, fake_rasa, fake_telegram) -> None:
    fake_rasa[0].delay = 1.5
    started = time.monotonic()
    assert await post(channels, fixture("telegram", "text")) == 200
    assert time.monotonic() - started < 1.0  # acknowledged while Rasa is still thinking
    assert fake_telegram.sent() == []
    await settle(channels)
    assert len(fake_telegram.sent()) == 2


async def test_a_redelivered_update_is_answered_once(channels: TestClient, fake_rasa, fake_telegram) -> None:
    update = fixture("telegram", "text")
    statuses = await asyncio.gather(*(post(channels, update) for _ in range(3)))
    assert statuses == [200, 200, 200]
    await settle(channels)
    assert await post(channels, update) == 200
    await settle(channels)
    assert len(fake_rasa[0].received) == 1
    assert len(fake_telegram.sent()) == 2


async def test_out_of_order_updates_are_each_answered_once_in_arrival_order(
    channels: TestClient, fake_rasa, fake_telegram
) -> None:
    base = fixture("telegram", "text")
    await post(channels, with_id(base, 900002, message_id=41, text="second"))
    await post(channels, with_id(base, 900001, message_id=40, text="first"))
    await settle(channels)
    assert [turn["message"] for turn in fake_rasa[0].received] == ["second", "first"]
    texts = [m["text"] for m in fake_telegram.sent()]
    assert texts.count("echo: second") == 1 and texts.count("echo: first") == 1
    assert texts.index("echo: second") < texts.index("echo: first")


async def test_start_stop_and_language_commands(channels: TestClient, fake_rasa, fake_telegram) -> None:
    await post(channels, fixture("telegram", "start"))
    await settle(channels)
    assert payload_without_language(fake_rasa[0].received[-1]["message"]) == "/greet"
    await post(channels, fixture("telegram", "stop"))
    await settle(channels)
    assert fake_rasa[0].received[-1]["message"] == "/restart"
    assert fake_telegram.sent()[-1]["text"] == notes.STOPPED
    assert "delete this chat" in notes.STOPPED
    calls = len(fake_rasa[0].received)
    await post(channels, fixture("telegram", "language"))
    await settle(channels)
    assert len(fake_rasa[0].received) == calls
    assert fake_telegram.sent()[-1]["text"] == notes.LANGUAGES


async def test_a_button_press_stops_the_spinner_and_is_the_users_choice(
    channels: TestClient, fake_rasa, fake_telegram, tmp_path
) -> None:
    await post(channels, fixture("telegram", "text"))  # the reply offers "Find a helpline"
    await settle(channels)
    update = fixture("telegram", "callback_query")
    query_id = update["callback_query"]["id"]
    assert int(query_id) >> 32 == CHAT  # Telegram's query ids carry the user's id in their upper bits
    await post(channels, update)
    await settle(channels)
    assert [str(call["callback_query_id"]) for call in fake_telegram.sent("answerCallbackQuery")] == [query_id]
    assert payload_without_language(fake_rasa[0].received[-1]["message"]) == "/ask_helpline"
    assert query_id.encode() not in database_bytes(tmp_path)  # answered at once, never stored


async def test_a_forged_button_payload_is_read_as_words(channels: TestClient, fake_rasa, fake_telegram) -> None:
    update = fixture("telegram", "callback_query")
    update["callback_query"]["data"] = '/inform{"country":"KE"}'  # never offered by the bot
    await post(channels, update)
    await settle(channels)
    assert fake_rasa[0].received[-1]["message"] == 'inform{"country":"KE"}'


async def test_a_payload_longer_than_64_bytes_round_trips_through_a_reference(
    channels: TestClient, fake_rasa, fake_telegram
) -> None:
    long_payload = '/inform{"country": "AE", "job_type": "domestic work in a private home"}'
    assert len(long_payload.encode()) > CALLBACK_DATA_LIMIT
    fake_rasa[0].next_replies.append([{"text": "Pick one", "buttons": [{"title": "Yes", "payload": long_payload}]}])
    await post(channels, fixture("telegram", "text"))
    await settle(channels)
    data = fake_telegram.sent()[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert data.startswith("#") and len(data.encode()) <= CALLBACK_DATA_LIMIT
    press = fixture("telegram", "callback_query")
    press["callback_query"]["data"] = data
    await post(channels, press)
    await settle(channels)
    assert payload_without_language(fake_rasa[0].received[-1]["message"]) == payload_without_language(long_payload)


async def test_media_is_not_downloaded_and_a_caption_is_read(
    channels: TestClient, fake_rasa, fake_telegram
) -> None:
    await post(channels, fixture("telegram", "photo"))
    await post(channels, fixture("telegram", "voice"))
    await settle(channels)
    assert [t["message"] for t in fake_rasa[0].received] == ["they took my passport, this is the contract"]
    texts = [m["text"] for m in fake_telegram.sent()]
    assert notes.media("photo") in texts and notes.media("voice") in texts
    assert fake_telegram.sent("getFile") == []
    async with channels.server.app[DB]() as session:
        conversation = await session.get(Conversation, pseudonym("pseudonym-key-for-tests", "telegram", str(CHAT)))
    assert conversation is not None and conversation.media_count == 2


async def test_a_location_gives_its_country_offline_and_the_point_is_not_kept(
    channels: TestClient, fake_rasa, fake_telegram, tmp_path: Path
) -> None:
    await post(channels, fixture("telegram", "location"))  # Nairobi
    await settle(channels)
    assert payload_without_language(fake_rasa[0].received[-1]["message"]) == '/inform{"country": "KE"}'
    async with channels.server.app[DB]() as session:
        (row,) = (await session.scalars(select(InboxMessage))).all()
    assert row.meta == {} and row.text is None  # the exact point is not kept
    assert b"36.821945" not in database_bytes(tmp_path)  # nor ever written in clear


async def test_contacts_edits_and_polls_get_an_honest_note(
    channels: TestClient, fake_rasa, fake_telegram, tmp_path: Path
) -> None:
    for name in ("contact", "edited_message", "dice"):
        assert await post(channels, fixture("telegram", name)) == 200
    await settle(channels)
    assert fake_rasa[0].received == []
    assert [m["text"] for m in fake_telegram.sent()] == [notes.CONTACTS, notes.EDITED, notes.UNSUPPORTED]
    assert b"+254700000000" not in database_bytes(tmp_path)


async def test_groups_channels_and_unknown_updates_are_acknowledged_and_ignored(
    channels: TestClient, fake_rasa, fake_telegram
) -> None:
    for name in ("group_message", "channel_post", "my_chat_member_blocked"):
        assert await post(channels, fixture("telegram", name)) == 200
    assert await post(channels, {"update_id": 1, "business_message": {"weird": True}}) == 200
    await settle(channels)
    assert fake_rasa[0].received == [] and fake_telegram.sent() == []


async def test_malformed_bodies_get_a_400_never_a_500(channels: TestClient) -> None:
    for body in (b"{not json", b"[]", b'{"message": {}}', b'{"update_id": "7"}', b"\xff"):
        response = await channels.post("/telegram/webhook", data=body, headers=HEADERS)
        assert response.status == 400, body
    # An update with an id that cannot be read is acknowledged (Telegram would redeliver it
    # for ever) and skipped.
    broken = {"update_id": 5, "message": {"message_id": "x", "chat": "not a chat"}}
    assert (await channels.post("/telegram/webhook", json=broken, headers=HEADERS)).status == 200
    huge = await channels.post("/telegram/webhook", data=b"x" * 300_000, headers=HEADERS)
    assert huge.status == 413


async def test_the_language_code_is_passed_on_as_a_hint(channels: TestClient, fake_rasa) -> None:
    await post(channels, fixture("telegram", "text_spanish_user"))
    await settle(channels)
    assert fake_rasa[0].received[-1]["metadata"]["language_hint"] == "es"


async def test_long_replies_are_split_on_paragraphs_under_4096(
    channels: TestClient, fake_rasa, fake_telegram
) -> None:
    paragraphs = [f"Paragraph {i}: " + "word " * 150 for i in range(12)]
    fake_rasa[0].next_replies.append([{"text": "\n\n".join(paragraphs)}])
    await post(channels, fixture("telegram", "text"))
    await settle(channels)
    sent = [m["text"] for m in fake_telegram.sent()]
    assert len(sent) >= 3 and all(len(text) <= 4096 for text in sent)
    assert all(text.startswith("Paragraph") and text.endswith("word") for text in sent)
    assert " ".join(" ".join(sent).split()) == " ".join("\n\n".join(paragraphs).split())


def test_split_text_prefers_paragraphs_then_lines_then_words() -> None:
    assert split_text("short", 10) == ["short"]
    assert split_text("aaaa bbbb\n\ncccc dddd", 12) == ["aaaa bbbb", "cccc dddd"]
    assert split_text("aaaa bbbb cccc", 10) == ["aaaa bbbb", "cccc"]
    assert all(len(part) <= 5 for part in split_text("x" * 23, 5))


async def test_429_with_retry_after_is_honoured_and_sent_once(
    channels: TestClient, fake_rasa, fake_telegram
) -> None:
    fake_telegram.fail_next(429, retry_after=1)
    await post(channels, fixture("telegram", "text"))
    await settle(channels)
    failed = [c for c in fake_telegram.calls if c.method == "sendMessage:failed"]
    sent = [c for c in fake_telegram.calls if c.method == "sendMessage"]
    assert len(failed) == 1 and len(sent) == 2
    assert sent[0].at - failed[0].at >= 0.95
    assert [c.params["text"] for c in sent].count("echo: Is a job in Dubai with a free visa safe?") == 1


async def test_rasa_down_gives_a_holding_message_then_the_answer_when_it_is_back(
    channels: TestClient, fake_rasa, fake_telegram
) -> None:
    fake_rasa[0].up = False
    await post(channels, fixture("telegram", "text"))
    for _ in range(50):
        await asyncio.sleep(0.1)
        if fake_telegram.sent():
            break
    assert [m["text"] for m in fake_telegram.sent()] == [notes.HOLDING]
    fake_rasa[0].up = True
    await settle(channels)
    texts = [m["text"] for m in fake_telegram.sent()]
    assert texts[0] == notes.HOLDING and texts[1].startswith("echo: Is a job") and len(texts) == 3
    assert len(fake_rasa[0].received) == 1


async def test_a_restart_with_pending_replies_delivers_each_exactly_once(
    channel_settings: Any, fake_rasa, fake_telegram
) -> None:
    fake_telegram.fail_next(502, times=100)
    first = TestClient(TestServer(create_app(channel_settings()), host="127.0.0.1"))
    await first.start_server()
    await post(first, fixture("telegram", "text"))
    for _ in range(50):
        await asyncio.sleep(0.1)
        if any(c.method == "sendMessage:failed" for c in fake_telegram.calls):
            break
    await first.close()  # the gateway stops with both replies still pending
    assert fake_telegram.sent() == []
    fake_telegram.failures.clear()
    second = TestClient(TestServer(create_app(channel_settings()), host="127.0.0.1"))
    await second.start_server()
    await settle(second)
    await second.close()
    texts = [m["text"] for m in fake_telegram.sent()]
    assert texts == ["echo: Is a job in Dubai with a free visa safe?", "Here is what I can help with:"]
    assert len(fake_rasa[0].received) == 1


async def test_a_blocked_user_is_a_dead_letter_not_a_retry_loop(channels: TestClient, fake_rasa, fake_telegram) -> None:
    fake_telegram.fail_next(403, times=2)
    await post(channels, fixture("telegram", "text"))
    await settle(channels)
    async with channels.server.app[DB]() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert [row.status for row in rows] == ["failed", "failed"]
    assert all("blocked" in (row.error or "") for row in rows)


async def test_polling_mode_needs_no_public_url(channel_settings: Any, fake_rasa, fake_telegram) -> None:
    settings = channel_settings(telegram_public_url="", telegram_webhook_secret="")
    assert settings.telegram_polling
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    try:
        fake_telegram.updates.append(fixture("telegram", "text"))
        await asyncio.wait_for(fake_telegram.sent_event.wait(), timeout=20)
        await settle(client)
        # The webhook route is off in polling mode: nobody can inject updates from outside.
        assert await post(client, fixture("telegram", "start")) == 404
    finally:
        await client.close()
    assert fake_telegram.sent("deleteWebhook")  # polling and a webhook exclude each other
    assert [turn["message"] for turn in fake_rasa[0].received] == ["Is a job in Dubai with a free visa safe?"]
    assert fake_telegram.sent()[0]["text"] == "echo: Is a job in Dubai with a free visa safe?"


async def test_a_turn_that_hit_an_unexpected_error_is_picked_up_by_the_sweep(
    channel_settings: Any, fake_rasa, fake_telegram, monkeypatch: Any
) -> None:
    from bot.router import TurnRunner

    original = TurnRunner._run
    calls = []

    async def flaky(self: TurnRunner, conversation: Any, row: Any) -> bool:
        calls.append(row.id)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return await original(self, conversation, row)

    monkeypatch.setattr(TurnRunner, "_run", flaky)
    client = TestClient(TestServer(create_app(channel_settings(sweep_seconds=0.2)), host="127.0.0.1"))
    await client.start_server()
    try:
        await post(client, fixture("telegram", "text"))
        await asyncio.wait_for(fake_telegram.sent_event.wait(), timeout=10)
        await settle(client)
    finally:
        await client.close()
    assert len(calls) == 2 and len(fake_rasa[0].received) == 1
    assert len(fake_telegram.sent()) == 2


async def test_a_slow_rasa_gets_the_holding_message_and_the_message_is_never_sent_twice(
    channels: TestClient, fake_rasa, fake_telegram
) -> None:
    fake_rasa[0].delay = 2.6  # longer than the holding timeout of the test settings (2 s)
    await post(channels, fixture("telegram", "text"))
    await settle(channels)
    texts = [m["text"] for m in fake_telegram.sent()]
    assert texts == [notes.HOLDING, "echo: Is a job in Dubai with a free visa safe?", "Here is what I can help with:"]
    assert len(fake_rasa[0].received) == 1
