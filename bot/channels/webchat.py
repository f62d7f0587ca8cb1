"""The web chat: the /chat page and its JSON API.

`POST /webchat/messages` records the message (deduplicated by an optional `client_message_id`),
runs the turn and returns its replies, waiting at most the holding timeout; later replies
are fetched with `GET /webchat/messages?session_id=...&after=<cursor>`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web
from sqlalchemy import select, update

from bot.app_keys import DB, KEYS, RUNNER, SETTINGS
from bot.channels import notes, webchat_page
from bot.crypto import KeySet
from bot.delivery import inbound as kinds
from bot.delivery.inbound import Inbound
from bot.delivery.outbox import unseal
from bot.pseudonym import pseudonym
from bot.store.models import OutboxMessage, utcnow

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent.parent / "static"
MAX_BODY_BYTES = 32 * 1024
MAX_SESSION_ID = 128
CHANNEL = "webchat"
HOLDING_MESSAGE = notes.HOLDING

routes = web.RouteTableDef()
CHAT_PAGE = web.AppKey("webchat_page", str)


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


def parse_message_request(raw: bytes) -> Dict[str, Any]:
    """Validate the JSON body; raise ValueError with a reason a client developer can act on."""
    try:
        body: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:  # (nested too deep)
        raise ValueError("body must be JSON") from exc
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    session_id, text = body.get("session_id"), body.get("text")
    if not isinstance(session_id, str) or not 0 < len(session_id) <= MAX_SESSION_ID:
        raise ValueError(f"session_id must be a string of 1 to {MAX_SESSION_ID} characters")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string")
    message: Dict[str, Any] = {"session_id": session_id, "text": text.strip()}
    # A button press: the gateway passes it on as a payload only if the bot offered that button.
    message["payload"] = body.get("payload") is True or body.get("button") is True
    client_id = body.get("client_message_id")
    if client_id is not None:
        if not isinstance(client_id, str) or not 0 < len(client_id) <= MAX_SESSION_ID:
            raise ValueError(f"client_message_id must be a string of 1 to {MAX_SESSION_ID} characters")
        message["client_message_id"] = client_id
    language = body.get("language")
    if isinstance(language, str) and 0 < len(language) <= 16:
        message["language"] = language
    # A pressed button (its payload is the text): a choice, not words to detect a language in.
    if message["payload"]:
        message["button"] = "yes"
    return message


def _as_json(keys: KeySet, row: OutboxMessage) -> Dict[str, Any]:
    body = unseal(keys, row.body)
    return {"id": row.id, "text": body.get("text", ""), "buttons": body.get("buttons") or []}


async def _take(
    request: web.Request, conversation_id: str, after: int = 0, inbox_id: Optional[int] = None
) -> Tuple[List[Dict[str, Any]], int]:
    """This conversation's replies not yet fetched (and, on a retried post, that turn's replies)."""
    async with request.app[DB]() as session, session.begin():
        query = select(OutboxMessage).where(
            OutboxMessage.conversation_id == conversation_id, OutboxMessage.channel == CHANNEL
        )
        if inbox_id is not None:
            query = query.where((OutboxMessage.status == "pending") | (OutboxMessage.inbox_id == inbox_id))
        else:
            query = query.where(OutboxMessage.id > after)
        rows = (await session.scalars(query.order_by(OutboxMessage.id))).all()
        pending = [row.id for row in rows if row.status == "pending"]
        if pending:
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(pending))
                .values(status="delivered", updated_at=utcnow())
            )
    cursor = max([row.id for row in rows], default=after)
    return [_as_json(request.app[KEYS], row) for row in rows], cursor


@routes.post("/webchat/messages")
async def post_message(request: web.Request) -> web.Response:
    """Run one turn: the user's text in, that turn's replies out (the holding message if slow)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return web.json_response({"error": "body too large"}, status=413)
    try:
        message = parse_message_request(await request.read())
    except ValueError as exc:
        return _bad_request(str(exc))
    settings = request.app[SETTINGS]
    if len(message["text"]) > settings.max_message_chars:
        return _bad_request(f"text is longer than {settings.max_message_chars} characters")

    external_id = "c:" + message["client_message_id"] if "client_message_id" in message else "s:" + uuid.uuid4().hex
    inbound = Inbound(
        channel=CHANNEL,
        external_id=external_id,
        user_id=message["session_id"],
        address=message["session_id"],
        kind=kinds.BUTTON if message["payload"] else kinds.TEXT,
        text=message["text"],
        language_hint=message.get("language"),
    )
    runner = request.app[RUNNER]
    conversation_id = inbound.conversation_id(settings.pseudonym_key)
    recorded = await runner.accept(inbound)
    inbox_id = recorded.inbox_id
    done = runner.watch(inbox_id)
    if recorded.answered:
        # A retried post whose turn is over: answer again with that turn's replies.
        runner.unwatch(inbox_id)
        done.set()
    try:
        await asyncio.wait_for(done.wait(), timeout=settings.holding_timeout_seconds)
    except asyncio.TimeoutError:
        runner.unwatch(inbox_id)
        messages, cursor = await _take(request, conversation_id, inbox_id=inbox_id)
        # The answer will come later: `GET /webchat/messages` fetches it.
        messages.append({"id": None, "text": notes.HOLDING, "buttons": []})
        return web.json_response({"messages": messages, "cursor": cursor, "pending": True})
    messages, cursor = await _take(request, conversation_id, inbox_id=inbox_id)
    return web.json_response({"messages": messages, "cursor": cursor, "pending": False})


@routes.get("/webchat/messages")
async def get_messages(request: web.Request) -> web.Response:
    """Replies that came after `after` (a slow turn, later a counselor); the page polls this."""
    session_id = request.query.get("session_id", "")
    if not 0 < len(session_id) <= MAX_SESSION_ID:
        return _bad_request(f"session_id must be a string of 1 to {MAX_SESSION_ID} characters")
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        return _bad_request("after must be a message id (an integer)")
    conversation_id = pseudonym(request.app[SETTINGS].pseudonym_key, CHANNEL, session_id)
    messages, cursor = await _take(request, conversation_id, after=max(0, after))
    return web.json_response({"messages": messages, "cursor": cursor})


@routes.get("/chat")
async def chat_page(request: web.Request) -> web.Response:
    """The chat page (quick-exit address set at start-up) with its labels in the browser's language."""
    language = webchat_page.page_language(request.query.get("lang"), request.headers.get("Accept-Language"))
    return web.Response(text=webchat_page.render(request.app[CHAT_PAGE], language), content_type="text/html")


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def setup(app: web.Application) -> None:
    html = (STATIC / "chat.html").read_text(encoding="utf-8")
    settings = app[SETTINGS]
    html = html.replace("{{BOT_DISPLAY_NAME}}", _attribute(settings.bot_display_name))
    app[CHAT_PAGE] = html.replace("{{QUICK_EXIT_URL}}", _attribute(settings.quick_exit_url))
    app.add_routes(routes)
    app.router.add_static("/static/", STATIC, show_index=False)
