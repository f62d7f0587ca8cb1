"""WhatsApp Cloud API: the webhook (handshake, signed notifications) and the Graph API sender.

`POST /whatsapp/webhook` checks `X-Hub-Signature-256` (HMAC-SHA256 of the raw body with the
app secret) before reading anything, writes each message to the inbox and each status to the
outbox, and answers 200 at once; turns run after the ack.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from datetime import timezone
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
from aiohttp import web

from bot.app_keys import DELIVERER, RUNNER
from bot.channels import notes
from bot.delivery import inbound as kinds
from bot.delivery.inbound import Inbound
from bot.delivery.outbox import RateLimit, SendResult
from bot.router import ChannelSpec
from bot.store.models import Conversation, InboxMessage, OutboxMessage
from locales.catalogue import languages

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
BUTTON_TITLE_LIMIT = 20
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
MAX_REPLY_BUTTONS = 3
MAX_LIST_ROWS = 10
ID_LIMIT = 256
MAX_BODY_BYTES = 3 * 1024 * 1024  # Meta batches notifications; a few MB at most
WINDOW_SECONDS = 24 * 3600
# Cloud API: 80 messages a second per number by default; to one user about one every 6 seconds,
# with short bursts allowed ("pair rate limit").
RATE_LIMIT = RateLimit(overall_per_second=80, per_chat_per_second=1 / 6, per_chat_burst=10)
# Graph error codes worth retrying: rate limits, throughput, temporary unavailability.
RETRYABLE_CODES = {1, 2, 4, 17, 341, 80007, 130429, 131000, 131016, 131056, 133004}
REENGAGEMENT_CODE = 131047  # more than 24 hours since the user's last message
MEDIA_TYPES = {"image": "image", "video": "video", "document": "document", "sticker": "sticker"}
IGNORED_TYPES = {"system", "request_welcome", "ephemeral"}
STATUSES = {"sent", "delivered", "read", "failed"}


@dataclass
class StatusUpdate:
    platform_id: str
    status: str
    error: Optional[str] = None


def _message(raw: Dict[str, Any]) -> Optional[Inbound]:
    sender, message_id, kind = raw.get("from"), raw.get("id"), raw.get("type")
    if not isinstance(sender, str) or not isinstance(message_id, str) or not isinstance(kind, str):
        raise ValueError("a message lacks from, id or type")
    # The number's country calling code hints a language until the person has written enough to tell.
    base: Dict[str, Any] = dict(
        channel=CHANNEL, external_id=message_id, user_id=sender, address=sender,
        language_hint=languages().for_phone(sender),
    )
    found = raw.get(kind)
    part: Dict[str, Any] = found if isinstance(found, dict) else {}
    if kind == "text":
        return Inbound(kind=kinds.TEXT, text=str(part.get("body", "")), **base)
    if kind == "interactive":
        choice = part.get("button_reply") or part.get("list_reply")
        if isinstance(choice, dict) and choice.get("id"):
            return Inbound(kind=kinds.BUTTON, text=str(choice["id"]), **base)
        return Inbound(kind=kinds.UNSUPPORTED, **base)  # e.g. a WhatsApp Flow's reply
    if kind == "button":  # a quick-reply button on a template message
        return Inbound(kind=kinds.BUTTON, text=str(part.get("payload") or part.get("text") or ""), **base)
    if kind in MEDIA_TYPES:
        caption = str(part.get("caption") or "")
        return Inbound(kind=kinds.MEDIA, text=caption, meta={"media": MEDIA_TYPES[kind]}, **base)
    if kind == "audio":
        media = "voice" if part.get("voice") else "audio"
        return Inbound(kind=kinds.MEDIA, meta={"media": media}, **base)
    if kind == "location":
        try:
            point = {"latitude": float(part["latitude"]), "longitude": float(part["longitude"])}
        except (KeyError, TypeError, ValueError):
            point = {}
        return Inbound(kind=kinds.LOCATION, text=json.dumps(point), **base)
    if kind == "contacts":
        return Inbound(kind=kinds.CONTACTS, **base)
    if kind == "reaction":
        return Inbound(kind=kinds.REACTION, meta={"emoji": bool(part.get("emoji"))}, **base)
    if kind in IGNORED_TYPES:
        return None
    return Inbound(kind=kinds.UNSUPPORTED, **base)  # "unsupported", "order", new types


def _status(raw: Dict[str, Any]) -> Optional[StatusUpdate]:
    platform_id, status = raw.get("id"), raw.get("status")
    if not isinstance(platform_id, str) or not isinstance(status, str) or status not in STATUSES:
        return None
    error = None
    errors = raw.get("errors")
    if status == "failed" and isinstance(errors, list) and errors and isinstance(errors[0], dict):
        error = f"{errors[0].get('code')} {str(errors[0].get('title', ''))[:150]}".strip()
    return StatusUpdate(platform_id, str(status), error)


def _listed(value: Any) -> List[Any]:
    """A list field as a list; anything else (a number, an object from a forged body) as empty."""
    return value if isinstance(value, list) else []


def parse_payload(payload: Any) -> Tuple[List[Inbound], List[StatusUpdate]]:
    """Every message and status in a notification, across batched entries and changes."""
    if not isinstance(payload, dict) or not isinstance(payload.get("entry"), list):
        raise ValueError("body must be a WhatsApp notification with an entry list")
    messages: List[Inbound] = []
    statuses: List[StatusUpdate] = []
    for entry in payload["entry"]:
        if not isinstance(entry, dict):
            raise ValueError("entry items must be objects")
        for change in _listed(entry.get("changes")):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                continue
            for raw in _listed(value.get("messages")):
                if not isinstance(raw, dict):
                    raise ValueError("messages must be objects")
                inbound = _message(raw)
                if inbound is not None:
                    messages.append(inbound)
            for raw in _listed(value.get("statuses")):
                if isinstance(raw, dict) and (status := _status(raw)) is not None:
                    statuses.append(status)
    return messages, statuses


def signature_problem(header: Optional[str], body: bytes, app_secret: str) -> Optional[int]:
    """None when the signature is right, else the status to answer: 401 missing, 403 wrong."""
    if not header:
        return 401
    if not header.startswith("sha256="):
        return 403
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return None if hmac.compare_digest(header[len("sha256="):].encode(), expected.encode()) else 403


def shorten(title: str, limit: int) -> str:
    """Fit a title to `limit` characters, cutting at a word and marking the cut with "…"."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-?!") + "…"


def _choice_id(payload: str, outbox_id: int, index: int, seen: set[str]) -> str:
    if len(payload) <= ID_LIMIT and payload and payload not in seen:
        seen.add(payload)
        return payload
    return f"#{outbox_id}:{index}"


def render(to: str, body: Dict[str, Any], outbox_id: int) -> Dict[str, Any]:
    """One outbox row as a Graph API message: text, reply buttons (≤ 3) or a list (≤ 10)."""
    text = str(body.get("text") or "")
    buttons = body.get("buttons") or []
    message: Dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    if not buttons:
        message.update(type="text", text={"body": text[:TEXT_LIMIT], "preview_url": False})
        return message
    seen: set[str] = set()
    ids = [_choice_id(str(b.get("payload", "")), outbox_id, i, seen) for i, b in enumerate(buttons)]
    body_text = text[:INTERACTIVE_BODY_LIMIT] or "Choose one:"
    if len(buttons) <= MAX_REPLY_BUTTONS:
        action: Dict[str, Any] = {
            "buttons": [
                {"type": "reply", "reply": {"id": ids[i], "title": shorten(str(b["title"]), BUTTON_TITLE_LIMIT)}}
                for i, b in enumerate(buttons)
            ]
        }
        interactive = {"type": "button", "body": {"text": body_text}, "action": action}
        message.update(type="interactive", interactive=interactive)
        return message
    rows = []
    for i, b in enumerate(buttons[:MAX_LIST_ROWS]):
        title = str(b["title"])
        row: Dict[str, Any] = {"id": ids[i], "title": shorten(title, ROW_TITLE_LIMIT)}
        if row["title"] != " ".join(title.split()):
            row["description"] = shorten(title, ROW_DESCRIPTION_LIMIT)
        rows.append(row)
    action = {"button": "Choose", "sections": [{"title": "Options", "rows": rows}]}
    message.update(type="interactive", interactive={"type": "list", "body": {"text": body_text}, "action": action})
    return message


def window_open(conversation: Conversation, now: Optional[float] = None) -> bool:
    """Inside WhatsApp's 24-hour customer-service window (since the user's last message)?"""
    last = conversation.last_inbound_at
    if last is None:
        return False
    stamp = (last if last.tzinfo else last.replace(tzinfo=timezone.utc)).timestamp()
    return ((now if now is not None else time.time()) - stamp) < WINDOW_SECONDS


class WhatsAppSender:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        api_url: str,
        api_version: str,
        phone_number_id: str,
        access_token: str,
        template: Optional[Tuple[str, str]] = None,
    ) -> None:
        self.http = http
        self.url = f"{api_url.rstrip('/')}/{api_version}/{phone_number_id}/messages"
        self.headers = {"Authorization": f"Bearer {access_token}"}
        self.template = template
        self._template_sent: Dict[str, float] = {}

    async def post(self, message: Dict[str, Any]) -> Tuple[int, Dict[str, Any], Optional[str]]:
        async with self.http.post(
            self.url, json=message, headers=self.headers, timeout=aiohttp.ClientTimeout(total=15)
        ) as response:
            try:
                data = await response.json(content_type=None)
            except (ValueError, aiohttp.ContentTypeError):
                data = {}
            return response.status, data if isinstance(data, dict) else {}, response.headers.get("Retry-After")

    async def send(self, conversation: Conversation, message: OutboxMessage) -> SendResult:
        if not conversation.address:
            return SendResult.failed("no address")
        own = message.body.get("template")
        if isinstance(own, dict) and (not window_open(conversation) or not message.body.get("text")):
            return await self._own_template(conversation, own)  # a check-in (bot/checkins/) carries its own
        if not window_open(conversation):
            return await self._outside_window(conversation)
        try:
            status, data, retry_after = await self.post(render(conversation.address, message.body, message.id))
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return SendResult.retry(f"network: {type(exc).__name__}")
        return self._result(status, data, retry_after)

    def _result(self, status: int, data: Dict[str, Any], retry_after: Optional[str]) -> SendResult:
        if status == 200:
            sent = data.get("messages") or [{}]
            return SendResult.sent(str(sent[0].get("id")) if sent[0].get("id") else None)
        found = data.get("error")
        error: Dict[str, Any] = found if isinstance(found, dict) else {}
        code = error.get("code")
        reason = f"{status} graph {code}"
        after = float(retry_after) if retry_after and retry_after.replace(".", "", 1).isdigit() else 0.0
        if code == REENGAGEMENT_CODE:
            return SendResult.failed(notes.OUTSIDE_WINDOW)
        if status == 429 or status >= 500 or code in RETRYABLE_CODES:
            return SendResult.retry(reason, after)
        return SendResult.failed(reason)

    async def _own_template(self, conversation: Conversation, template: Dict[str, Any]) -> SendResult:
        """A message that names its approved template (with parameters and button payloads)."""
        message = {
            "messaging_product": "whatsapp",
            "to": conversation.address,
            "type": "template",
            "template": {
                "name": template.get("name"),
                "language": {"code": template.get("language") or "en"},
                "components": template.get("components") or [],
            },
        }
        try:
            status, data, retry_after = await self.post(message)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return SendResult.retry(f"network: {type(exc).__name__}")
        return self._result(status, data, retry_after)

    async def _outside_window(self, conversation: Conversation) -> SendResult:
        """Free-form text is not allowed: send the configured template once, else fail with why."""
        if self.template is None:
            return SendResult.failed(notes.OUTSIDE_WINDOW)
        last = self._template_sent.get(conversation.id, 0.0)
        if time.time() - last < WINDOW_SECONDS:
            return SendResult.failed(notes.OUTSIDE_WINDOW + "; the template was already sent")
        name, language = self.template
        template = {
            "messaging_product": "whatsapp",
            "to": conversation.address,
            "type": "template",
            "template": {"name": name, "language": {"code": language}},
        }
        try:
            status, data, retry_after = await self.post(template)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return SendResult.retry(f"network: {type(exc).__name__}")
        result = self._result(status, data, retry_after)
        if not result.ok:
            return result
        self._template_sent[conversation.id] = time.time()
        return SendResult(
            ok=True, platform_id=result.platform_id, status="failed",
            error=notes.OUTSIDE_WINDOW + f"; template {name!r} sent instead",
        )

    async def mark_read(self, conversation: Conversation, row: InboxMessage) -> None:
        """Blue ticks when the bot starts on a message: the user sees it was received."""
        if row.kind == kinds.REACTION or not row.platform_ref:
            return  # (rows stored before the id was kept encrypted have none)
        await self.post({"messaging_product": "whatsapp", "status": "read", "message_id": row.platform_ref})


class WhatsAppBridge:
    def __init__(self, sender: WhatsAppSender, app_secret: str, verify_token: str) -> None:
        self.sender = sender
        self.app_secret = app_secret
        self.verify_token = verify_token

    def spec(self) -> ChannelSpec:
        return ChannelSpec(
            CHANNEL, TEXT_LIMIT, on_turn_start=self.sender.mark_read, max_buttons=MAX_LIST_ROWS, trusted_buttons=True
        )


WHATSAPP = web.AppKey("whatsapp", WhatsAppBridge)
routes = web.RouteTableDef()


@routes.get("/whatsapp/webhook")
async def verify(request: web.Request) -> web.Response:
    """Meta's subscription handshake: echo hub.challenge when the verify token matches."""
    bridge = request.app.get(WHATSAPP)
    if bridge is None:
        raise web.HTTPNotFound()
    token = request.query.get("hub.verify_token", "")
    if request.query.get("hub.mode") == "subscribe" and hmac.compare_digest(
        token.encode(), bridge.verify_token.encode()
    ):
        return web.Response(text=request.query.get("hub.challenge", ""))
    return web.Response(status=403, text="forbidden")


@routes.post("/whatsapp/webhook")
async def notification(request: web.Request) -> web.Response:
    bridge = request.app.get(WHATSAPP)
    if bridge is None:
        raise web.HTTPNotFound()
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return web.json_response({"error": "body too large"}, status=413)
    raw = await request.content.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        return web.json_response({"error": "body too large"}, status=413)
    problem = signature_problem(request.headers.get("X-Hub-Signature-256"), raw, bridge.app_secret)
    if problem is not None:
        return web.json_response({"error": "bad signature"}, status=problem)
    try:
        messages, statuses = parse_payload(json.loads(raw))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # (nested too deep)
        return web.json_response({"error": "body must be JSON"}, status=400)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    runner = request.app[RUNNER]
    for message in messages:
        await runner.accept(message)
    for status in statuses:
        await request.app[DELIVERER].record_status(CHANNEL, status.platform_id, status.status, status.error)
    return web.json_response({"ok": True})


def build(http: aiohttp.ClientSession, settings: Any) -> Optional[WhatsAppBridge]:
    """The bridge when WhatsApp is configured (all four secrets set), else None."""
    needed = (
        settings.whatsapp_access_token,
        settings.whatsapp_app_secret,
        settings.whatsapp_verify_token,
        settings.whatsapp_phone_number_id,
    )
    if not all(needed):
        return None
    template = None
    if settings.whatsapp_template:
        name, _, language = settings.whatsapp_template.partition(":")
        template = (name, language or "en")
    sender = WhatsAppSender(
        http, settings.whatsapp_api_url, settings.whatsapp_api_version,
        settings.whatsapp_phone_number_id, settings.whatsapp_access_token, template,
    )
    return WhatsAppBridge(sender, settings.whatsapp_app_secret, settings.whatsapp_verify_token)

