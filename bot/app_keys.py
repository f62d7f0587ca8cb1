"""Typed application state shared by the gateway's handlers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from bot.casework.routing import RoutingTable
from bot.crypto import KeySet
from bot.delivery.outbox import Deliverer
from bot.rasa_client import RasaClient
from bot.router import TurnRunner
from bot.settings import Settings
from bot.store.leases import Leases

if TYPE_CHECKING:
    from bot.casework.notifications import Notifier
    from bot.handoff.desk import Desk

SETTINGS = web.AppKey("settings", Settings)
HTTP = web.AppKey("http", aiohttp.ClientSession)
ENGINE = web.AppKey("engine", AsyncEngine)
DB = web.AppKey("db", async_sessionmaker)
RASA = web.AppKey("rasa", RasaClient)
RUNNER = web.AppKey("runner", TurnRunner)
DELIVERER = web.AppKey("deliverer", Deliverer)
KEYS = web.AppKey("keys", KeySet)
ROUTING = web.AppKey("routing", RoutingTable)
NOTIFIER: web.AppKey[Notifier] = web.AppKey("notifier")
DESK: web.AppKey[Desk] = web.AppKey("desk")
LEASES = web.AppKey("leases", Leases)
