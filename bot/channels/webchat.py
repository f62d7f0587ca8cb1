"""The web chat: the /chat page and its JSON API, `POST /webchat/messages`."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, Dict, List

from aiohttp import web

from bot.app_keys import DB, RASA, SETTINGS
from bot.conversations import TurnLocks, touch_conversation
from bot.pseudonym import pseudonym
from bot.rasa_client import BotReply, RasaUnavailable

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent.parent / "static"
MAX_BODY_BYTES = 32 * 1024
MAX_SESSION_ID = 128
HOLDING_MESSAGE = (
    "Sorry, I can't answer right now because of a technical problem. "
    "Please send your message again in a minute. "
    "If you are in danger, call your local emergency number now "
    "(112 in Europe and many countries, 911 in the Americas)."
)

routes = web.RouteTableDef()
TURN_LOCKS = web.AppKey("webchat_turn_locks", TurnLocks)
CHAT_PAGE = web.AppKey("webchat_page", str)


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=400)


def parse_message_request(raw: bytes) -> Dict[str, str]:
    """Validate the JSON body; raise ValueError with a reason a client developer can act on."""
    try:
        body: Any = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("body must be JSON") from exc
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    session_id, text = body.get("session_id"), body.get("text")
    if not isinstance(session_id, str) or not 0 < len(session_id) <= MAX_SESSION_ID:
        raise ValueError(f"session_id must be a string of 1 to {MAX_SESSION_ID} characters")
    if not isinstance(text, str) or not text.strip():
        raise ValueError("text must be a non-empty string")
    return {"session_id": session_id, "text": text.strip()}


@routes.post("/webchat/messages")
async def post_message(request: web.Request) -> web.Response:
    """Run one turn: the user's text in, that turn's bot replies out."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return web.json_response({"error": "body too large"}, status=413)
    try:
        message = parse_message_request(await request.read())
    except ValueError as exc:
        return _bad_request(str(exc))
    settings = request.app[SETTINGS]
    if len(message["text"]) > settings.max_message_chars:
        return _bad_request(f"text is longer than {settings.max_message_chars} characters")

    conversation_id = pseudonym(settings.pseudonym_key, "webchat", message["session_id"])
    async with request.app[TURN_LOCKS](conversation_id):
        async with request.app[DB]() as session, session.begin():
            await touch_conversation(session, conversation_id, "webchat")
        try:
            replies: List[BotReply] = await request.app[RASA].send(
                conversation_id, message["text"], metadata={"channel": "webchat"}
            )
        except RasaUnavailable as exc:
            logger.warning("rasa unavailable for a webchat turn: %s", exc)
            replies = [BotReply(text=HOLDING_MESSAGE)]
    return web.json_response({"messages": [reply.as_json() for reply in replies]})


@routes.get("/chat")
async def chat_page(request: web.Request) -> web.Response:
    """The chat page, rendered once at start-up with the quick-exit address."""
    return web.Response(text=request.app[CHAT_PAGE], content_type="text/html")


def _attribute(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def setup(app: web.Application) -> None:
    app[TURN_LOCKS] = TurnLocks()
    html = (STATIC / "chat.html").read_text(encoding="utf-8")
    app[CHAT_PAGE] = html.replace("{{QUICK_EXIT_URL}}", _attribute(app[SETTINGS].quick_exit_url))
    app.add_routes(routes)
    app.router.add_static("/static/", STATIC, show_index=False)
