"""The gateway application factory."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import AsyncIterator, Dict, Optional

import aiohttp
from aiohttp import web

from bot import console, health, metrics_endpoint, privacy_jobs
from bot.app_keys import DB, DELIVERER, DESK, ENGINE, HTTP, KEYS, LEASES, RASA, ROUTING, RUNNER, SETTINGS
from bot.casework import agency_cases, directory, openapi, recruiters, reports, urgent_requests
from bot.casework.api_audit import audit_api_calls
from bot.casework.notifications import notifier_context
from bot.casework.routing import load_routing
from bot.channels import telegram, webchat, whatsapp
from bot.checkins import api as checkins_api
from bot.checkins.scheduler import Checkins, Template
from bot.crypto import KeySet
from bot.delivery.inbound import Inbound, Recorded
from bot.delivery.outbox import Deliverer, RateLimit, Sender
from bot.handoff import api as handoff_api
from bot.handoff.desk import Desk
from bot.handoff.fanout import RedisFanout
from bot.rasa_client import RasaClient
from bot.router import ChannelSpec, TurnRunner
from bot.settings import Settings
from bot.store.database import create_engine, session_factory
from bot.store.leases import Leases
from bot.web_security import security_headers

logger = logging.getLogger(__name__)


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    app[HTTP] = aiohttp.ClientSession()
    app[ENGINE] = create_engine(settings.database_url)
    app[DB] = session_factory(app[ENGINE])
    app[RASA] = RasaClient(
        app[HTTP], settings.rasa_url, settings.rasa_auth_token, settings.rasa_request_timeout_seconds
    )
    specs: Dict[str, ChannelSpec] = {webchat.CHANNEL: ChannelSpec(webchat.CHANNEL)}
    senders: Dict[str, Sender] = {}
    limits: Dict[str, RateLimit] = {}

    async def accept(message: Inbound) -> Recorded:
        return await app[RUNNER].accept(message)

    bridge: Optional[telegram.TelegramBridge] = None
    if settings.telegram_bot_token:
        bridge = telegram.TelegramBridge(
            settings.telegram_bot_token, settings.telegram_api_url, settings.telegram_polling, accept
        )
        specs[telegram.CHANNEL] = bridge.spec()
        senders[telegram.CHANNEL] = bridge.sender
        limits[telegram.CHANNEL] = telegram.RATE_LIMIT
        app[telegram.TELEGRAM] = bridge
    wa = whatsapp.build(app[HTTP], settings)
    if wa is not None:
        specs[whatsapp.CHANNEL] = wa.spec()
        senders[whatsapp.CHANNEL] = wa.sender
        limits[whatsapp.CHANNEL] = whatsapp.RATE_LIMIT
        app[whatsapp.WHATSAPP] = wa
    app[DELIVERER] = Deliverer(
        app[DB], app[KEYS], senders, limits, settings.outbox_max_attempts, pseudonym_key=settings.pseudonym_key
    )
    app[RUNNER] = TurnRunner(
        app[DB], app[KEYS], settings.pseudonym_key, app[RASA], app[DELIVERER], specs,
        holding_after=settings.rasa_timeout_seconds, max_concurrent_turns=settings.max_concurrent_turns,
        messages_per_minute=settings.sender_messages_per_minute,
    )
    app[DESK] = Desk(
        app[DB], app[KEYS], app[DELIVERER], app[RASA], app[ROUTING],
        lease_seconds=settings.counselor_reconnect_seconds,
        escalate_seconds=settings.handoff_escalate_seconds,
        use_fallback=settings.handoff_use_fallback,
    )
    app[RUNNER].desk = app[DESK]
    app[RUNNER].tracker_url = settings.rasa_tracker_url
    app[checkins_api.CHECKINS] = app[RUNNER].checkins = Checkins(
        app[DB], app[KEYS], app[DELIVERER], app[DESK], settings.pseudonym_key, list(senders),
        Template.parse(settings.checkin_whatsapp_template), Template.parse(settings.checkin_contact_template),
        settings.checkin_retention_days,
    )
    if uses_leases(settings, app[ENGINE].dialect.name):
        app[LEASES] = Leases(app[DB], ttl_seconds=settings.lease_seconds)
        app[RUNNER].leases = app[DELIVERER].leases = app[LEASES]
    fanout: Optional[RedisFanout] = None
    if settings.redis_url:
        fanout = RedisFanout(settings.redis_url, app[DESK].hub)
        await fanout.start()
    if bridge is not None:
        await bridge.start()
    logger.info("channels: %s", ", ".join(sorted(specs)))
    # Messages acknowledged but not answered, and replies not yet sent, before a restart.
    await app[RUNNER].recover()
    await app[DELIVERER].recover()
    sweeper = asyncio.create_task(_sweep(app))
    desk_sweeper = asyncio.create_task(_sweep_desk(app))
    checkin_sweeper = asyncio.create_task(_sweep_checkins(app))
    privacy = asyncio.create_task(privacy_jobs.run(app))  # erasures and the retention purge
    yield
    sweeper.cancel()
    desk_sweeper.cancel()
    checkin_sweeper.cancel()
    privacy.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await privacy  # never leave it inside a transaction while the engine closes
    if fanout is not None:
        await fanout.stop()
    await app[RUNNER].close()
    await app[DELIVERER].close()
    if bridge is not None:
        await bridge.stop()
    await app[HTTP].close()
    await app[ENGINE].dispose()


def uses_leases(settings: Settings, dialect: str) -> bool:
    """Leases are for replicas sharing a database; a SQLite file has one gateway."""
    return settings.worker_leases == "on" or (settings.worker_leases == "auto" and dialect != "sqlite")


async def _sweep(app: web.Application) -> None:
    """Every `sweep_seconds` (30 s), pick up what a failed worker (a database hiccup, a replica
    killed mid-turn) left pending."""
    while True:
        await asyncio.sleep(app[SETTINGS].sweep_seconds)
        try:
            await app[RUNNER].recover()
            await app[DELIVERER].recover()
        except Exception as exc:  # the next sweep tries again
            logger.warning("sweep failed: %s", type(exc).__name__)


DESK_SWEEP_SECONDS = 5.0


async def _sweep_desk(app: web.Application) -> None:
    """Every 5 s: claims of counselors gone too long back to the queue; overdue requests escalate."""
    while True:
        await asyncio.sleep(min(DESK_SWEEP_SECONDS, app[DESK].lease_seconds / 2))
        try:
            if LEASES in app:  # one replica at a time, or a lost claim would be announced twice
                async with app[LEASES].held("desk-sweep") as held:
                    if held:
                        await app[DESK].sweep()
            else:
                await app[DESK].sweep()
        except Exception as exc:  # the next sweep tries again
            logger.warning("handoff sweep failed: %s", type(exc).__name__)


CHECKIN_SWEEP_SECONDS = 30.0


async def _sweep_checkins(app: web.Application) -> None:
    """Every 30 s: check-ins due are sent, reminded or alerted (bot/checkins/scheduler.py)."""
    while True:
        await asyncio.sleep(CHECKIN_SWEEP_SECONDS)
        try:
            await app[checkins_api.CHECKINS].sweep()
        except Exception as exc:  # the next sweep tries again
            logger.warning("check-in sweep failed: %s", type(exc).__name__)


async def _root(request: web.Request) -> web.Response:
    raise web.HTTPFound("/chat")


def create_app(settings: Settings) -> web.Application:
    """Build the gateway; resources open on startup and close on cleanup."""
    # WhatsApp batches can reach a few MB; each route enforces its own smaller limit.
    app = web.Application(
        middlewares=[security_headers, audit_api_calls], client_max_size=whatsapp.MAX_BODY_BYTES
    )
    app[SETTINGS] = settings
    # Fail at start-up, not on the first report, when keys or the routing table are missing.
    app[KEYS] = KeySet(settings.data_encryption_keys)
    app[ROUTING] = load_routing(settings.routing_file)
    app.cleanup_ctx.append(_resources)
    app.cleanup_ctx.append(notifier_context)
    app.router.add_get("/", _root)
    app.add_routes(health.routes)
    app.add_routes(urgent_requests.routes)
    app.add_routes(handoff_api.routes)
    app.add_routes(checkins_api.routes)
    app.add_routes(recruiters.routes)
    app.add_routes(telegram.routes)
    app.add_routes(whatsapp.routes)
    app.add_routes(reports.routes)
    app.add_routes(directory.routes)
    app.add_routes(agency_cases.routes)
    app.add_routes(openapi.routes)
    webchat.setup(app)
    console.setup(app)
    metrics_endpoint.setup(app)
    return app
