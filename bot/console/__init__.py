"""The counselor console: login, sessions and roles (auth), the audit log, and server-rendered pages."""

from __future__ import annotations

import asyncio

from aiohttp import web

MAX_CONCURRENT_PASSWORD_CHECKS = 4


def setup(app: web.Application) -> None:
    """Register the console's routes (its script and stylesheet are under /static/console/)."""
    from bot.console import dashboard, handoff_views, views
    from bot.console.auth import HASHING

    app[HASHING] = asyncio.Semaphore(MAX_CONCURRENT_PASSWORD_CHECKS)
    app.add_routes(views.routes)
    app.add_routes(handoff_views.routes)
    app.add_routes(dashboard.routes)
    app.cleanup_ctx.append(dashboard.tracker_context)
