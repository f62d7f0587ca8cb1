"""Telegram, through python-telegram-bot 22 running inside the gateway.

Webhook mode (a public URL is configured): `POST /telegram/webhook` checks the secret token in
constant time, turns the JSON into an `Update` with `Update.de_json`, writes it to the inbox
and answers 200 at once; the turn runs after the ack. Polling mode (a token and no public
URL): PTB's updater fetches updates and hands them to the same function, so a volunteer can
try the bot from a laptop. Replies go out through the outbox with PTB's `Bot`.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import Any, Dict, List, Optional

from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.app_keys import SETTINGS
from bot.delivery import inbound as kinds
from bot.delivery.inbound import Inbound
from bot.delivery.outbox import RateLimit, SendResult
from bot.router import ChannelSpec
from bot.store.models import Conversation

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64  # bytes
MAX_BODY_BYTES = 256 * 1024  # updates are a few KB; this leaves room for long captions
# Telegram: about 30 messages a second overall, one a second in a chat (short bursts allowed).
RATE_LIMIT = RateLimit(overall_per_second=30, per_chat_per_second=1, per_chat_burst=3)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
MEDIA_FIELDS = ("photo", "voice", "audio", "video", "video_note", "animation", "document", "sticker")
UNSUPPORTED_FIELDS = ("poll", "dice", "game", "invoice", "story", "paid_media")


def parse_update(update: Update) -> Optional[Inbound]:
    """The update as an inbox message; None for what the bot ignores (groups, channels, ...)."""
    external_id = f"u{update.update_id}"
    query = update.callback_query
    if query is not None:
        chat = query.message.chat if query.message is not None else None
        if chat is not None and chat.type != "private":
            return None
        user = query.from_user
        return Inbound(
            channel=CHANNEL,
            external_id=external_id,
            user_id=str(user.id),
            address=str(chat.id if chat is not None else user.id),
            kind=kinds.BUTTON,
            text=query.data or "",
            callback_query_id=query.id,
            language_hint=user.language_code,
        )
    message = update.message or update.edited_message
    if message is None or message.chat.type != "private":
        return None
    sender = message.from_user
    user_id = str(sender.id if sender is not None else message.chat.id)
    base: Dict[str, Any] = dict(
        channel=CHANNEL,
        external_id=external_id,
        user_id=user_id,
        address=str(message.chat.id),
        language_hint=sender.language_code if sender is not None else None,
    )
    if update.edited_message is not None:
        return Inbound(kind=kinds.EDIT, **base)
    if message.text is not None:
        is_command = any(e.type == "bot_command" and e.offset == 0 for e in message.entities or ())
        return Inbound(kind=kinds.COMMAND if is_command else kinds.TEXT, text=message.text, **base)
    for name in MEDIA_FIELDS:
        if getattr(message, name, None):
            return Inbound(kind=kinds.MEDIA, text=message.caption or "", meta={"media": name}, **base)
    if message.location is not None:
        point = {"latitude": message.location.latitude, "longitude": message.location.longitude}
        return Inbound(kind=kinds.LOCATION, text=json.dumps(point), **base)
    if message.contact is not None:
        return Inbound(kind=kinds.CONTACTS, **base)
    if any(getattr(message, name, None) for name in UNSUPPORTED_FIELDS):
        return Inbound(kind=kinds.UNSUPPORTED, **base)
    return None  # service messages (pins, chat changes): nothing to answer


def callback_data(payload: str, outbox_id: int, index: int) -> str:
    """The payload itself when it fits Telegram's 64 bytes, else a reference to the outbox row."""
    if len(payload.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
        return payload
    return f"#{outbox_id}:{index}"


def keyboard(buttons: List[Dict[str, str]], outbox_id: int) -> Optional[InlineKeyboardMarkup]:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["title"][:64], callback_data=callback_data(b["payload"], outbox_id, i))]
            for i, b in enumerate(buttons)
        ]
    )


class TelegramSender:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, conversation: Conversation, message: Any) -> SendResult:
        body = message.body
        markup = keyboard(body.get("buttons") or [], message.id)
        text = body.get("text") or ("Choose one:" if markup else "")
        if not text or not conversation.address:
            return SendResult.failed("nothing to send")
        try:
            sent = await self.bot.send_message(chat_id=int(conversation.address), text=text, reply_markup=markup)
        except RetryAfter as exc:
            after = exc.retry_after
            seconds = after.total_seconds() if hasattr(after, "total_seconds") else float(after)
            return SendResult.retry("429 retry_after", seconds)
        except Forbidden:
            return SendResult.failed("403 the user blocked the bot")
        except BadRequest as exc:
            return SendResult.failed(f"400 {exc.message[:120]}")
        except NetworkError as exc:  # timeouts, 5xx, connection errors
            return SendResult.retry(f"network: {type(exc).__name__}")
        except TelegramError as exc:
            return SendResult.failed(f"telegram: {type(exc).__name__}")
        return SendResult.sent(str(sent.message_id))


class TelegramBridge:
    """The PTB application, its sender, and the bridge from updates to the inbox."""

    def __init__(self, token: str, api_url: str, polling: bool, accept: Any) -> None:
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{api_url.rstrip('/')}/bot")
            .base_file_url(f"{api_url.rstrip('/')}/file/bot")
            .connection_pool_size(64)
        )
        if not polling:
            builder = builder.updater(None)
        self.application: Application[Any, Any, Any, Any, Any, Any] = builder.build()
        self.polling = polling
        self.sender = TelegramSender(self.application.bot)
        self._accept = accept  # async (Inbound) -> bool: records it, True when new
        self._background: set[asyncio.Task[Any]] = set()
        self.application.add_handler(TypeHandler(Update, self._on_polled_update))

    @property
    def bot(self) -> Bot:
        return self.application.bot

    def spec(self) -> ChannelSpec:
        return ChannelSpec(CHANNEL, TEXT_LIMIT)

    async def start(self) -> None:
        try:
            await self.application.initialize()
        except InvalidToken:
            # PTB's message repeats the token: never log it.
            logger.error("Telegram rejected the bot token; the Telegram channel is off")
            raise RuntimeError("Telegram rejected TELEGRAM_BOT_TOKEN") from None
        except NetworkError as exc:
            logger.warning("Telegram not reachable at start (%s); sending will retry", type(exc).__name__)
        await self.application.start()
        if self.polling and self.application.updater is not None:
            await self.application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            logger.info("Telegram: polling for updates")

    async def stop(self) -> None:
        if self.polling and self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        if self.application.running:
            await self.application.stop()
        await self.application.shutdown()
        for task in list(self._background):
            task.cancel()

    async def accept_update(self, update: Update) -> None:
        try:
            inbound = parse_update(update)
            if inbound is not None:
                inbound.check()
        except (AttributeError, TypeError, ValueError) as exc:
            # PTB reads fields without checking their types: a forged-looking but authentic body
            # with a list for a text is acknowledged and skipped (a 4xx would be redelivered).
            logger.warning("unreadable Telegram update skipped: %s", type(exc).__name__)
            return
        if inbound is None:
            return
        await self._accept(inbound)
        query_id = inbound.callback_query_id
        if query_id:
            # Stop the button's spinner at once, whatever the turn does next.
            task = asyncio.create_task(self._answer_callback(str(query_id)))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _answer_callback(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except TelegramError as exc:
            logger.info("answerCallbackQuery failed: %s", type(exc).__name__)

    async def _on_polled_update(self, update: object, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await self.accept_update(update)


TELEGRAM = web.AppKey("telegram", TelegramBridge)


def verify_secret(received: Optional[str], expected: str) -> bool:
    """The webhook's secret token, compared in constant time."""
    if not received:
        return False
    return hmac.compare_digest(received.encode("utf-8"), expected.encode("utf-8"))


def decode_update(raw: bytes, bot: Bot) -> Optional[Update]:
    """The update in the body (None if unreadable); raises ValueError when it is not an update."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # (nested too deep)
        raise ValueError("body must be JSON") from exc
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        raise ValueError("body must be a Telegram update with an update_id")
    try:
        return Update.de_json(data, bot)
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError, OSError) as exc:
        # (OverflowError, OSError: a date far outside what the platform's time_t can hold.)
        # An update with an id that PTB cannot read (a field from a newer Bot API, say): a 4xx
        # would make Telegram redeliver it for ever, so it is acknowledged and skipped.
        logger.warning("unreadable Telegram update skipped: %s", type(exc).__name__)
        return None


async def set_webhook(bot: Bot, public_url: str, secret: str) -> bool:
    """Register `<public_url>/telegram/webhook` with its secret token (`python -m bot telegram-webhook`)."""
    url = f"{public_url.rstrip('/')}/telegram/webhook"
    return bool(
        await bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, max_connections=40
        )
    )


routes = web.RouteTableDef()


@routes.post("/telegram/webhook")
async def webhook(request: web.Request) -> web.Response:
    """Verify, decode, record, acknowledge; the turn runs after the 200."""
    bridge = request.app.get(TELEGRAM)
    secret = request.app[SETTINGS].telegram_webhook_secret
    if bridge is None or bridge.polling or not secret:
        raise web.HTTPNotFound()
    if not verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token"), secret):
        return web.json_response({"error": "forbidden"}, status=403)
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return web.json_response({"error": "body too large"}, status=413)
    raw = await request.content.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        return web.json_response({"error": "body too large"}, status=413)
    try:
        update = decode_update(raw, bridge.bot)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    if update is not None:
        await bridge.accept_update(update)
    return web.json_response({"ok": True})
