"""The gateway application factory."""

from __future__ import annotations

from typing import AsyncIterator

import aiohttp
from aiohttp import web

from bot import health
from bot.app_keys import DB, ENGINE, HTTP, KEYS, RASA, ROUTING, SETTINGS
from bot.casework import agency_cases, directory, openapi, recruiters, reports, urgent_requests
from bot.casework.notifications import notifier_context
from bot.casework.routing import load_routing
from bot.channels import webchat
from bot.crypto import KeySet
from bot.rasa_client import RasaClient
from bot.settings import Settings
from bot.store.database import create_engine, session_factory
from bot.web_security import security_headers


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[HTTP] = aiohttp.ClientSession()
    app[ENGINE] = create_engine(settings.database_url)
    app[DB] = session_factory(app[ENGINE])
    app[RASA] = RasaClient(
        app[HTTP], settings.rasa_url, settings.rasa_auth_token, settings.rasa_timeout_seconds
    )
    yield
    await app[HTTP].close()
    await app[ENGINE].dispose()


async def _root(request: web.Request) -> web.Response:
    raise web.HTTPFound("/chat")


def create_app(settings: Settings) -> web.Application:
    """Build the gateway; resources open on startup and close on cleanup."""
    app = web.Application(middlewares=[security_headers], client_max_size=1024**2)
    app[SETTINGS] = settings
    # Fail at start-up, not on the first report, when keys or the routing table are missing.
    app[KEYS] = KeySet(settings.data_encryption_keys)
    app[ROUTING] = load_routing(settings.routing_file)
    app.cleanup_ctx.append(_resources)
    app.cleanup_ctx.append(notifier_context)
    app.router.add_get("/", _root)
    app.add_routes(health.routes)
    app.add_routes(urgent_requests.routes)
    app.add_routes(recruiters.routes)
    app.add_routes(reports.routes)
    app.add_routes(directory.routes)
    app.add_routes(agency_cases.routes)
    app.add_routes(openapi.routes)
    webchat.setup(app)
    return app
