"""`POST /api/v1/handoffs`: the action server asks for a counselor for a conversation.

The answer carries the text the user reads (position, wait or opening hours, helplines while
nobody is on duty), so every hand-off message is worded in one place.
"""

from __future__ import annotations

import re
from typing import Any, Dict

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from bot.app_keys import DB, DESK
from bot.casework.service_auth import require_service_token
from bot.checkins.api import CHECKINS
from bot.conversations import touch_conversation
from bot.handoff import service

routes = web.RouteTableDef()
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
MAX_CONTEXT_CHARS = 4000


def parse_handoff_request(body: Any) -> Dict[str, Any]:
    """Validate the body; raise ValueError with the reason."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    conversation_id = body.get("conversation_id")
    if not isinstance(conversation_id, str) or not 0 < len(conversation_id) <= 64:
        raise ValueError("conversation_id must be a string of 1 to 64 characters")
    reason = body.get("reason")
    if reason not in service.REASONS:
        raise ValueError(f"reason must be one of {list(service.REASONS)}")
    country = body.get("country")
    if country is not None and (not isinstance(country, str) or not _COUNTRY.match(country)):
        raise ValueError("country must be an ISO 3166-1 alpha-2 code or null")
    language = body.get("language") or "en"
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        raise ValueError("language must be an ISO 639 code like 'en'")
    topic = body.get("topic") or service.TOPICS[reason]
    if not isinstance(topic, str) or len(topic) > 64:
        raise ValueError("topic must be a string of at most 64 characters")
    context = body.get("context") or {}
    if not isinstance(context, dict) or len(str(context)) > MAX_CONTEXT_CHARS:
        raise ValueError(f"context must be a JSON object of at most {MAX_CONTEXT_CHARS} characters")
    return {
        "conversation_id": conversation_id, "reason": reason, "country": country,
        "language": language, "topic": topic, "context": context,
    }


@routes.post("/api/v1/handoffs")
async def create_handoff(request: web.Request) -> web.Response:
    require_service_token(request)
    try:
        fields = parse_handoff_request(await request.json())
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    try:
        async with request.app[DB]() as session, session.begin():
            # The conversation may be new to the gateway (for example `rasa shell`): record it anyway.
            await touch_conversation(session, fields["conversation_id"], "unknown")
    except IntegrityError:
        pass  # a simultaneous request for the same new conversation recorded it first
    checkins = request.app.get(CHECKINS)
    if fields["reason"] == "emergency" and fields["country"] is None and checkins is not None:
        # Someone who left with check-ins planned: the destination's agency, not the default.
        travelling = await checkins.travelling(fields["conversation_id"])
        if travelling is not None:
            fields["country"] = travelling[0]
            fields["context"] = {**fields["context"], **travelling[1]}
    try:
        opened = await request.app[DESK].request(
            fields["conversation_id"], fields["reason"], fields["country"], fields["language"],
            fields["topic"], fields["context"],
        )
    except service.HandoffError as exc:
        return web.json_response({"error": str(exc)}, status=exc.status)
    return web.json_response(
        {
            "id": opened.handoff.id,
            "status": opened.handoff.status,
            "created": opened.created,
            "position": opened.position,
            "on_duty": opened.on_duty,
            "text": opened.reply.text,
            "buttons": opened.reply.buttons,
        },
        status=201 if opened.created else 200,
    )
