"""`GET /healthz`: the health of the gateway, its database, Rasa and the action server."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from sqlalchemy import text

from bot.app_keys import DB, HTTP, RASA, SETTINGS

routes = web.RouteTableDef()


async def _database_ok(request: web.Request) -> bool:
    try:
        async with request.app[DB]() as session:
            await session.execute(text("SELECT 1"))
        return True
    except Exception:  # any driver error means "not healthy", and the page must still answer
        return False


async def _action_server_ok(request: web.Request) -> bool:
    url = f"{request.app[SETTINGS].action_server_url}/health"
    try:
        async with request.app[HTTP].get(url, timeout=aiohttp.ClientTimeout(total=3)) as response:
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError):
        return False


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    database, rasa, actions = await asyncio.gather(
        _database_ok(request), request.app[RASA].is_healthy(), _action_server_ok(request)
    )
    components = {
        "gateway": "ok",
        "database": "ok" if database else "down",
        "rasa": "ok" if rasa else "down",
        "action_server": "ok" if actions else "down",
    }
    healthy = all(state == "ok" for state in components.values())
    return web.json_response(
        {"status": "ok" if healthy else "degraded", "components": components},
        status=200 if healthy else 503,
    )
