"""A person's check-in plan: create (or replace), pause, resume, stop, and the purge.

Functions here work inside the caller's transaction; bot/checkins/scheduler.py owns the
transactions and what happens after them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Dict, List, Optional

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins import schedule
from bot.checkins.models import Checkin, CheckinPlan
from bot.crypto import KeySet
from bot.handoff.service import aware

OPEN = ("pending", "awaiting", "reminded")
WAITING = ("awaiting", "reminded")
CONTACT_KINDS = ("whatsapp", "telegram", "phone")
WINDOWS = (6, 12, 24, 48, 72)
# scrypt keeps a stolen database from revealing short code words quickly; about 30 ms a check.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def normalise_word(text: str) -> str:
    """Case, accents, spaces and punctuation do not matter in a code word."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in folded if c.isalnum())


def hash_code_word(word: str, salt: Optional[bytes] = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(normalise_word(word).encode(), salt=salt, **SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def code_word_matches(text: str, stored: str) -> bool:
    try:
        _, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(normalise_word(text).encode(), salt=base64.b64decode(salt), **SCRYPT)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, actual)


@dataclass
class PlanRequest:
    """A validated `POST /api/v1/checkins` body."""

    conversation_id: str
    departure: date
    country: str
    origin: Optional[str]
    city: Optional[str]
    labels: List[str]
    window_hours: int
    language: str
    recruiter: Optional[str]
    contact: Optional[Dict[str, str]]
    contact_consent: bool
    code_word: Optional[str]


def parse_plan_request(body: Any) -> PlanRequest:
    """Validate the body; raise ValueError with the reason."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    conversation_id = body.get("conversation_id")
    if not isinstance(conversation_id, str) or not 0 < len(conversation_id) <= 64:
        raise ValueError("conversation_id must be a string of 1 to 64 characters")
    try:
        departure = date.fromisoformat(str(body.get("departure")))
    except ValueError:
        raise ValueError("departure must be an ISO date like 2026-12-05") from None
    country = body.get("country")
    if not isinstance(country, str) or len(country) != 2 or not country.isalpha():
        raise ValueError("country must be an ISO 3166-1 alpha-2 code")
    origin = body.get("origin")
    if origin is not None and (not isinstance(origin, str) or len(origin) != 2):
        raise ValueError("origin must be an ISO 3166-1 alpha-2 code or null")
    labels = body.get("schedule") or [label for label, _, _ in schedule.DEFAULT_SCHEDULE]
    known = [label for label, _, _ in schedule.DEFAULT_SCHEDULE]
    if not isinstance(labels, list) or not labels or any(label not in known for label in labels):
        raise ValueError(f"schedule must be a non-empty list of {known}")
    window = body.get("window_hours", 24)
    if window not in WINDOWS:
        raise ValueError(f"window_hours must be one of {list(WINDOWS)}")
    contact = body.get("contact")
    if contact is not None:
        if (not isinstance(contact, dict) or contact.get("kind") not in CONTACT_KINDS
                or not isinstance(contact.get("value"), str) or not 0 < len(contact["value"]) <= 64):
            raise ValueError(f"contact must be {{kind: one of {list(CONTACT_KINDS)}, value: text}} or null")
    consent = body.get("contact_consent", False) is True
    if contact is not None and not consent:
        contact = None  # never kept without the person's yes
    strings = {name: body.get(name) for name in ("city", "recruiter", "code_word", "language")}
    for name, value in strings.items():
        if value is not None and (not isinstance(value, str) or len(value) > 80):
            raise ValueError(f"{name} must be text of at most 80 characters or null")
    code_word = strings["code_word"]
    if code_word is not None and len(normalise_word(code_word)) < 3:
        raise ValueError("code_word must have at least 3 letters or digits")
    return PlanRequest(
        conversation_id=conversation_id, departure=departure, country=country.upper(),
        origin=origin.upper() if origin else None, city=strings["city"] or None, labels=list(labels),
        window_hours=int(window), language=(strings["language"] or "en")[:8],
        recruiter=strings["recruiter"] or None, contact=contact, contact_consent=consent and contact is not None,
        code_word=code_word or None,
    )


async def plan_for(session: AsyncSession, conversation_id: str) -> Optional[CheckinPlan]:
    return (
        await session.scalars(select(CheckinPlan).where(CheckinPlan.conversation_id == conversation_id))
    ).first()


async def create_plan(
    session: AsyncSession, keys: KeySet, request: PlanRequest, channel: str, now: datetime
) -> tuple[CheckinPlan, List[Checkin]]:
    """A new plan (an earlier one of this conversation is replaced: that is "change my dates")."""
    await delete_plan(session, request.conversation_id)
    zone = schedule.zone_for(request.country)
    plan = CheckinPlan(
        conversation_id=request.conversation_id, channel=channel, status="active", language=request.language,
        departure=request.departure, country=request.country, origin=request.origin, zone=zone,
        city_encrypted=keys.encrypt(request.city) if request.city else None,
        window_hours=request.window_hours,
        recruiter_encrypted=keys.encrypt(request.recruiter) if request.recruiter else None,
        contact_encrypted=keys.encrypt(json.dumps(request.contact)) if request.contact else None,
        contact_consent=request.contact_consent,
        code_word_hash=hash_code_word(request.code_word) if request.code_word else None,
        created_at=now, updated_at=now,
    )
    session.add(plan)
    await session.flush()
    rows = [
        Checkin(plan_id=plan.id, label=label, due_at=due, status="pending", next_at=due, version=0)
        for label, due in schedule.plan_times(request.departure, zone, request.labels, now)
    ]
    session.add_all(rows)
    await session.flush()
    return plan, rows


async def delete_plan(session: AsyncSession, conversation_id: str) -> bool:
    """Stop: the plan and its check-ins are deleted (alerts already sent stay with the agency)."""
    plan = await plan_for(session, conversation_id)
    if plan is None:
        return False
    await session.execute(delete(Checkin).where(Checkin.plan_id == plan.id))
    await session.delete(plan)
    await session.flush()
    return True


async def open_checkins(session: AsyncSession, plan_id: int) -> List[Checkin]:
    return list(
        (
            await session.scalars(
                select(Checkin).where(Checkin.plan_id == plan_id, Checkin.status.in_(OPEN)).order_by(Checkin.due_at)
            )
        ).all()
    )


async def pause(session: AsyncSession, plan: CheckinPlan, now: datetime) -> None:
    """Nothing is sent while paused; a check-in waiting for an answer counts as answered."""
    plan.status, plan.updated_at = "paused", now
    for checkin in await open_checkins(session, plan.id):
        if checkin.status in WAITING:
            checkin.status, checkin.answered_at, checkin.next_at = "cancelled", now, None
            checkin.version += 1


async def resume(session: AsyncSession, plan: CheckinPlan, now: datetime) -> Optional[Checkin]:
    """Back on; check-ins whose time passed meanwhile are skipped. Returns the next one."""
    plan.status, plan.updated_at = "active", now
    upcoming = None
    for checkin in await open_checkins(session, plan.id):
        if checkin.status == "pending" and schedule_due(checkin) <= now:
            checkin.status, checkin.next_at = "skipped", None
            checkin.version += 1
        elif upcoming is None:
            upcoming = checkin
    await settle_if_done(session, plan, now)
    return upcoming


def schedule_due(checkin: Checkin) -> datetime:
    moment = aware(checkin.due_at)
    assert moment is not None
    return moment


async def settle_if_done(session: AsyncSession, plan: CheckinPlan, now: datetime) -> bool:
    """The last check-in settled: the plan finishes and its retention period starts."""
    if await open_checkins(session, plan.id):
        return False
    if plan.settled_at is None:
        plan.status, plan.settled_at = "finished", now
    return True


async def purge(session: AsyncSession, retention_days: float, now: datetime) -> int:
    """Delete plans settled longer ago than the retention period."""
    old = (
        await session.scalars(
            select(CheckinPlan).where(
                CheckinPlan.settled_at.is_not(None), CheckinPlan.settled_at < now - timedelta(days=retention_days)
            )
        )
    ).all()
    for plan in old:
        await delete_plan(session, plan.conversation_id)
    return len(old)


def shared_context(keys: KeySet, plan: CheckinPlan, checkin: Optional[Checkin], signal: str) -> Dict[str, Any]:
    """Only what the person agreed to share with the agency (docs/checkins.md)."""
    context: Dict[str, Any] = {
        "signal": signal,
        "destination": plan.country,
        "departure": plan.departure.isoformat(),
        "zone": plan.zone,
    }
    if plan.city_encrypted:
        context["city"] = keys.decrypt(plan.city_encrypted)
    if checkin is not None:
        context["checkin"] = checkin.label
        context["due"] = schedule_due(checkin).isoformat()
    if plan.recruiter_encrypted:
        context["recruiter"] = keys.decrypt(plan.recruiter_encrypted)
    if plan.contact_consent and plan.contact_encrypted:
        context["trusted_contact"] = json.loads(keys.decrypt(plan.contact_encrypted))
    return {"checkin": context}
