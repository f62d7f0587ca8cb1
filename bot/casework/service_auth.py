"""Bearer-token check for the action server's service token, in constant time."""

from __future__ import annotations

import hmac

from aiohttp import web

from bot.app_keys import SETTINGS

# Who made a casework API call, for the audit log (bot/casework/api_audit.py).
AUDIT_CALLER = web.RequestKey("audit_caller", str)


def require_service_token(request: web.Request) -> None:
    """Raise 401 unless the request carries the configured service token."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    expected = request.app[SETTINGS].casework_service_token
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.encode(), expected.encode()):
        raise web.HTTPUnauthorized(
            text='{"error": "service token required"}', content_type="application/json"
        )
    request[AUDIT_CALLER] = "service"  # the action server
