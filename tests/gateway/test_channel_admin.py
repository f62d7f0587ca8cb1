"""Admin commands of the bridges: registering the Telegram webhook, listing dead letters."""

from __future__ import annotations

from pathlib import Path

from telegram import Bot

from bot.channels.telegram import ALLOWED_UPDATES, set_webhook
from bot.delivery.dead_letters import print_dead_letters
from bot.store.database import create_engine, session_factory
from bot.store.migrate import upgrade
from bot.store.models import Conversation, OutboxMessage
from tests.fakes import FakeTelegram
from tests.gateway.conftest import TELEGRAM_TOKEN


async def test_set_webhook_sends_the_url_and_the_secret_token(fake_telegram: FakeTelegram) -> None:
    async with Bot(TELEGRAM_TOKEN, base_url=f"{fake_telegram.url}/bot") as bot:
        assert await set_webhook(bot, "https://safepassage.example.org/", "s3cret")
    (call,) = fake_telegram.sent("setWebhook")
    assert call["url"] == "https://safepassage.example.org/telegram/webhook"
    assert call["secret_token"] == "s3cret"
    assert call["allowed_updates"] == ALLOWED_UPDATES


async def test_dead_letters_are_listed_without_their_text(tmp_path: Path, capsys) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"
    upgrade(url)
    engine = create_engine(url)
    async with session_factory(engine)() as session, session.begin():
        session.add(Conversation(id="c1", channel="telegram", owner="bot", address="555"))
        session.add(OutboxMessage(conversation_id="c1", channel="telegram", body={"text": "private words"},
                                  status="failed", attempts=10, error="403 the user blocked the bot"))
        session.add(OutboxMessage(conversation_id="c1", channel="telegram", body={"text": "fine"}, status="sent"))
    await engine.dispose()
    await print_dead_letters(url)
    out = capsys.readouterr().out
    assert "403 the user blocked the bot" in out and "telegram" in out
    assert "private words" not in out and "fine" not in out and "555" not in out
