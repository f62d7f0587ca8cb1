"""Tells routed and referred agencies about a case: an HMAC-signed POST to the agency's own
system, retried with back-off until the agency answers 2xx.

The notification carries no narrative and no contact: only the reference, category and country,
and where to fetch the case with the agency's own token. Agencies without a configured system are
marked `not_configured` and find their cases by listing `/api/v1/cases`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
from datetime import datetime, timedelta, timezone
from typing import Any, AsyncIterator, Dict

import aiohttp
from aiohttp import web
from sqlalchemy import select

from bot.app_keys import DB, HTTP, KEYS, LEASES, NOTIFIER, SETTINGS
from bot.store.models import Agency, Case, CaseAccess, utcnow

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-SafePassage-Signature"
TIMESTAMP_HEADER = "X-SafePassage-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>." + body)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, max_age: float = 300.0) -> bool:
    """What an agency's receiver does: constant-time comparison and a freshness window."""
    try:
        fresh = abs(time.time() - int(timestamp)) <= max_age
    except ValueError:
        return False
    return fresh and hmac.compare_digest(sign(secret, timestamp, body), signature)


def retry_delay(attempts: int, base: float, cap: float) -> float:
    """Exponential back-off: base, 2×base, 4×base, … never more than `cap` seconds."""
    return float(min(cap, base * (2 ** max(0, attempts - 1))))


def payload(case: Case, access: CaseAccess) -> Dict[str, Any]:
    return {
        "event": "case.referred" if access.via == "referral" else "case.routed",
        "delivery_id": access.id,
        "reference": case.reference,
        "kind": case.kind,
        "category": case.category,
        "country": case.country,
        "access": access.level,
        "danger_now": case.danger_now,
        "case_url": f"/api/v1/cases/{case.reference}",
    }


class Notifier:
    """The delivery loop; `wake()` after adding case access rows to send at once."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        self._wake.set()

    async def stop(self, task: asyncio.Task[None], grace: float = 5.0) -> None:
        """Let the current round finish (a query cut off mid-way outlives its event loop), then end."""
        self._stopping = True
        self.wake()
        try:
            await asyncio.wait_for(task, timeout=grace)
        except asyncio.TimeoutError:
            pass  # wait_for has cancelled it

    async def run_forever(self) -> None:
        poll = self.app[SETTINGS].notify_poll_seconds
        while not self._stopping:
            try:
                if LEASES in self.app:  # replicas: one delivers while the others wait their turn
                    async with self.app[LEASES].held("notifier") as held:
                        if held:
                            await self.deliver_due()
                else:
                    await self.deliver_due()
            except Exception:  # the loop must survive a bad row or a database hiccup
                logger.exception("notification delivery round failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=poll)
            except asyncio.TimeoutError:
                pass
            self._wake.clear()

    async def deliver_due(self) -> int:
        """Send every pending notification whose time has come; returns how many succeeded."""
        now = utcnow()
        async with self.app[DB]() as session:
            rows = (
                await session.execute(
                    select(CaseAccess, Case, Agency)
                    .join(Case, Case.id == CaseAccess.case_id)
                    .join(Agency, Agency.id == CaseAccess.agency_id)
                    .where(CaseAccess.notify_state == "pending")
                )
            ).all()
        delivered = 0
        for access, case, agency in rows:
            if _aware(access.notify_next_at) > now:
                continue
            ok, status = await self._send(case, access, agency)
            delivered += ok
            await self._record(access.id, ok, status)
        return delivered

    async def _send(self, case: Case, access: CaseAccess, agency: Agency) -> tuple[bool, str]:
        if not agency.notify_url or not agency.notify_secret_encrypted:
            return False, "not_configured"
        secret = self.app[KEYS].decrypt(agency.notify_secret_encrypted)
        body = json.dumps(payload(case, access), separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(secret, timestamp, body),
        }
        timeout = aiohttp.ClientTimeout(total=self.app[SETTINGS].notify_timeout_seconds)
        try:
            async with self.app[HTTP].post(agency.notify_url, data=body, headers=headers, timeout=timeout) as response:
                return 200 <= response.status < 300, str(response.status)
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            return False, type(exc).__name__

    async def _record(self, access_id: int, ok: bool, status: str) -> None:
        settings = self.app[SETTINGS]
        async with self.app[DB]() as session, session.begin():
            access = await session.get(CaseAccess, access_id)
            if access is None:
                return
            access.notify_last_status = status
            if status == "not_configured":
                access.notify_state = "not_configured"
                return
            access.notify_attempts += 1
            if ok:
                access.notify_state = "delivered"
            else:
                delay = retry_delay(access.notify_attempts, settings.notify_retry_base_seconds,
                                    settings.notify_retry_max_seconds)
                access.notify_next_at = utcnow() + timedelta(seconds=delay)
                # Agency ids and status codes only: no case content in logs.
                logger.warning("notifying agency %s failed (%s); attempt %d, next in %.0fs",
                               access.agency_id, status, access.notify_attempts, delay)


def _aware(value: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


async def notifier_context(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: run the delivery loop for the app's lifetime."""
    notifier = Notifier(app)
    app[NOTIFIER] = notifier
    task = asyncio.create_task(notifier.run_forever())
    yield
    await notifier.stop(task)
