"""Every casework API call goes into the audit log: who, which route, which case, the outcome.

Never a request or response body: only the route's pattern, the case reference or conversation
id from the path, the caller (the action server or an agency) and the HTTP status.
"""

from __future__ import annotations

import logging
from typing import Awaitable, Callable, Optional

from aiohttp import web

from bot.app_keys import DB
from bot.casework.service_auth import AUDIT_CALLER
from bot.console.audit import record

logger = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
PREFIX = "/api/v1/"


@web.middleware
async def audit_api_calls(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(PREFIX) or request.method in ("OPTIONS", "HEAD"):
        return await handler(request)
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        await _record(request, status)


async def _record(request: web.Request, status: int) -> None:
    route = request.match_info.route.resource
    pattern = route.canonical if route is not None else "unmatched"
    caller = request.get(AUDIT_CALLER) or "unauthenticated"
    agency: Optional[str] = caller.split(":", 1)[1] if caller.startswith("agency:") else None
    detail = {"method": request.method, "route": pattern[:120], "status": status, "caller": caller.split(":")[0]}
    case = request.match_info.get("reference") or request.match_info.get("case_id")
    if case:
        detail["case"] = case[:32]
    try:
        async with request.app[DB]() as session, session.begin():
            await record(
                session, "api_call", agency_id=agency, conversation_id=request.match_info.get("conversation_id"),
                detail=detail,
            )
    except Exception as exc:  # the call itself is done; say so loudly, but do not fail it now
        logger.warning("could not audit an API call: %s", type(exc).__name__)
