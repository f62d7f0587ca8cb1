"""`GET /metrics`: Prometheus text format, for loopback peers (not forwarded by a proxy) or with
METRICS_TOKEN as a bearer token; anyone else gets 404."""

from __future__ import annotations

import hmac
import ipaddress
from datetime import datetime, timezone

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select

from bot.app_keys import DB, SETTINGS
from bot.metrics import INBOX_DEPTH, OUTBOX_DEPTH, QUEUE_LENGTH, QUEUE_WAIT
from bot.store.models import Handoff, InboxMessage, OutboxMessage, utcnow


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _allowed(request: web.Request) -> bool:
    token = request.app[SETTINGS].metrics_token
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        return ipaddress.ip_address(request.remote or "").is_loopback and not request.headers.get("X-Forwarded-For")
    except ValueError:
        return False


async def _refresh_gauges(request: web.Request) -> None:
    async with request.app[DB]() as session:
        outbox = (await session.execute(
            select(OutboxMessage.channel, func.count()).where(OutboxMessage.status == "pending")
            .group_by(OutboxMessage.channel))).all()
        inbox = (await session.execute(
            select(InboxMessage.channel, func.count()).where(InboxMessage.status == "pending")
            .group_by(InboxMessage.channel))).all()
        queues = (await session.execute(
            select(Handoff.agency_id, func.count(), func.min(Handoff.queued_at)).where(Handoff.status == "queued")
            .group_by(Handoff.agency_id))).all()
    for gauge in (OUTBOX_DEPTH, INBOX_DEPTH, QUEUE_LENGTH, QUEUE_WAIT):
        gauge.clear()
    for channel, count in outbox:
        OUTBOX_DEPTH.labels(channel).set(count)
    for channel, count in inbox:
        INBOX_DEPTH.labels(channel).set(count)
    now = utcnow()
    for agency, count, oldest in queues:
        QUEUE_LENGTH.labels(agency).set(count)
        QUEUE_WAIT.labels(agency).set((now - _aware(oldest)).total_seconds() if oldest else 0.0)


async def metrics(request: web.Request) -> web.Response:
    if not _allowed(request):
        raise web.HTTPNotFound()
    await _refresh_gauges(request)
    response = web.Response(body=generate_latest())
    response.content_type = CONTENT_TYPE_LATEST.split(";")[0]
    return response


def setup(app: web.Application) -> None:
    app.router.add_get("/metrics", metrics)
