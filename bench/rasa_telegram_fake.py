"""Rasa 3.6's built-in Telegram connector, pointed at another Bot API server (for bench/channels.py).

Loaded by a second `rasa run` through a credentials file that names this class by module path:

    bench.rasa_telegram_fake.FakeApiTelegramInput:
      access_token: "123456:TEST-token"
      verify: "safepassage_test_bot"     # the username getMe answers with
      webhook_url: "http://127.0.0.1:5006/webhooks/telegram/webhook"
      api_url: "http://127.0.0.1:PORT"   # base URL of the (fake) Bot API
      as_shipped: false                  # true: keep upstream's start-up bug (see below)

The webhook handler, the getMe call on every update, the set_webhook call at start and the way
replies are sent (one sendMessage per paragraph) are Rasa's own code. Two differences:
- the Bot API server URL;
- unless `as_shipped`, aiogram's HTTP session is closed after the start-up set_webhook. Upstream
  runs set_webhook with `asyncio.run`, which leaves the bot's aiohttp session bound to that
  (then closed) event loop, so every update afterwards fails in getMe with
  "RuntimeError: Event loop is closed" and Sanic answers 500: no update is ever answered.
  Closing the session makes aiogram open a new one in Sanic's loop on the first update.
Runs in .venv/rasa.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, Optional

from aiogram import Bot
from aiogram.bot.api import TelegramAPIServer
from aiogram.utils.exceptions import TelegramAPIError
from rasa.core.channels.channel import InputChannel
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from rasa.shared.exceptions import RasaException


class FakeApiTelegramOutput(TelegramOutput):
    """Rasa's Telegram output channel with aiogram talking to `api_url` instead of api.telegram.org."""

    def __init__(self, access_token: Optional[str], api_url: str) -> None:
        Bot.__init__(self, access_token, server=TelegramAPIServer.from_base(api_url))


class FakeApiTelegramInput(TelegramInput):
    """Rasa's Telegram input channel; its output channel uses the Bot API at `api_url`."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None
        channel = cls(credentials.get("access_token"), credentials.get("verify"), credentials.get("webhook_url"))
        channel.api_url = str(credentials["api_url"])
        channel.as_shipped = bool(credentials.get("as_shipped", False))
        return channel

    def __init__(
        self,
        access_token: Optional[str],
        verify: Optional[str],
        webhook_url: Optional[str],
        debug_mode: bool = True,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode)
        self.api_url = "https://api.telegram.org"
        self.as_shipped = False

    def get_output_channel(self) -> TelegramOutput:
        """As upstream (set_webhook once, in its own event loop), with the other server."""
        channel = FakeApiTelegramOutput(self.access_token, self.api_url)

        async def set_webhook() -> None:
            try:
                await channel.set_webhook(url=self.webhook_url)
            finally:
                if not self.as_shipped:
                    await channel.close()  # the next request opens a session in the server's loop

        try:
            asyncio.run(set_webhook())
        except TelegramAPIError as error:
            raise RasaException("Failed to set channel webhook: " + str(error)) from error
        return channel
