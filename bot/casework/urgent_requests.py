"""`POST /api/v1/urgent-requests`: the emergency path records that someone needs urgent help."""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

from aiohttp import web

from bot.app_keys import DB
from bot.casework.service_auth import require_service_token
from bot.conversations import touch_conversation
from bot.store.models import UrgentRequest

routes = web.RouteTableDef()
REASONS = {"emergency"}
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def parse_urgent_request(body: Any) -> Dict[str, Optional[str]]:
    """Validate the body; raise ValueError with the reason."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    conversation_id = body.get("conversation_id")
    if not isinstance(conversation_id, str) or not 0 < len(conversation_id) <= 64:
        raise ValueError("conversation_id must be a string of 1 to 64 characters")
    reason = body.get("reason")
    if reason not in REASONS:
        raise ValueError(f"reason must be one of {sorted(REASONS)}")
    country = body.get("country")
    if country is not None and (not isinstance(country, str) or not _COUNTRY.match(country)):
        raise ValueError("country must be an ISO 3166-1 alpha-2 code or null")
    return {"conversation_id": conversation_id, "reason": reason, "country": country}


@routes.post("/api/v1/urgent-requests")
async def create_urgent_request(request: web.Request) -> web.Response:
    require_service_token(request)
    try:
        fields = parse_urgent_request(await request.json())
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    async with request.app[DB]() as session, session.begin():
        # The conversation may be new to the gateway (for example `rasa shell`): record it anyway.
        conversation_id = fields["conversation_id"] or ""
        await touch_conversation(session, conversation_id, "unknown")
        urgent = UrgentRequest(
            conversation_id=conversation_id, reason=fields["reason"], country=fields["country"]
        )
        session.add(urgent)
        await session.flush()
        urgent_id = urgent.id
    return web.json_response({"id": urgent_id, "status": "pending"}, status=201)
