"""The privacy jobs that run inside the gateway: erasures users confirmed, and the retention purge."""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

from bot import erasure, retention
from bot.app_keys import DB, DESK, KEYS, LEASES, SETTINGS
from bot.handoff.service import Effects

logger = logging.getLogger(__name__)
ERASE_SWEEP_SECONDS = 2.0


async def erase_now(app: web.Application) -> int:
    """Erase the conversations whose users confirmed; consoles whose queues changed are told."""
    done = await erasure.erase_requested(
        app[DB], app[KEYS], app[SETTINGS].rasa_tracker_url, pseudonym_key=app[SETTINGS].pseudonym_key
    )
    if done.agencies:
        app[DESK].apply(Effects(agencies=done.agencies), {})
    return done.conversations


async def purge_once(app: web.Application) -> None:
    """The retention purge; with several gateway replicas, one at a time (a lease)."""
    settings = app[SETTINGS]
    limits = retention.Limits.from_settings(settings)
    if LEASES not in app:
        await retention.purge(app[DB], settings.rasa_tracker_url, limits)
        return
    async with app[LEASES].held("purge") as mine:
        if mine:
            await retention.purge(app[DB], settings.rasa_tracker_url, limits)


async def run(app: web.Application) -> None:
    """Erasures every 2 s; the purge a minute after start-up and then every PURGE_INTERVAL_MINUTES."""
    settings = app[SETTINGS]
    next_purge = time.monotonic() + min(60.0, 60 * settings.purge_interval_minutes)
    while True:
        try:
            await erase_now(app)
            if time.monotonic() >= next_purge:
                next_purge = time.monotonic() + 60 * settings.purge_interval_minutes
                await purge_once(app)
        except Exception as exc:  # the next round tries again
            logger.warning("privacy job failed: %s", type(exc).__name__)
        await asyncio.sleep(ERASE_SWEEP_SECONDS)
