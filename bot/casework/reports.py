"""Service endpoints for the action server: file a report (idempotent) and check its status.

`POST /api/v1/reports` stores the case (encrypted details) and its routing in one transaction
before answering, so the reference the user is shown always exists. The same idempotency key
returns the same case, so the action server can retry until it gets an answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Dict, List, Optional

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import identifier_vault, identifiers
from bot.app_keys import DB, KEYS, NOTIFIER, ROUTING, SETTINGS
from bot.casework.directory import public_entry
from bot.casework.reference_codes import new_reference, normalise_reference
from bot.casework.routing import CATEGORIES, Consent, allowed_recipients
from bot.casework.service_auth import require_service_token
from bot.conversations import touch_conversation
from bot.crypto import KeySet
from bot.store.models import Agency, Case, CaseAccess, StatusCheck, utcnow

routes = web.RouteTableDef()

KINDS = ("report", "missing_child")
CONTACT_METHODS = ("anonymous", "chat", "phone")
STATUSES = ("received", "in_review", "referred", "closed")
DETAIL_FIELDS = (
    "what_happened", "where", "when", "who_at_risk",  # report
    "child_name", "child_age", "last_contact_when", "last_contact_where", "destination_and_work", "taken_by",
)
MAX_DETAIL_CHARS = 4000
_KEY = re.compile(r"^[A-Za-z0-9_\-]{8,64}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_PHONE = re.compile(r"^\+?[0-9 ()\-.]{6,24}$")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


@dataclass
class CaseRequest:
    idempotency_key: str
    conversation_id: str
    kind: str
    category: str
    country: Optional[str]
    language: str
    consent: Consent
    contact_method: str
    phone: Optional[str]
    details: Dict[str, str]


def _flag(body: Dict[str, Any], name: str) -> bool:
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false")
    return value


def parse_case_request(body: Any) -> CaseRequest:
    """Validate the action server's submission; raise ValueError with the reason."""
    if not isinstance(body, dict):
        raise ValueError("body must be a JSON object")
    key = body.get("idempotency_key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError("idempotency_key must be 8 to 64 letters, digits, '-' or '_'")
    conversation_id = body.get("conversation_id")
    if not isinstance(conversation_id, str) or not 0 < len(conversation_id) <= 64:
        raise ValueError("conversation_id must be a string of 1 to 64 characters")
    kind, category = body.get("kind"), body.get("category")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    if category not in CATEGORIES:
        raise ValueError(f"category must be one of {', '.join(CATEGORIES)}")
    country = body.get("country")
    if country is not None and (not isinstance(country, str) or not _COUNTRY.match(country)):
        raise ValueError("country must be an ISO 3166-1 alpha-2 code or null")
    language = body.get("language", "en")
    if not isinstance(language, str) or not _LANGUAGE.match(language):
        raise ValueError("language must be a two-letter code")
    consent_raw = body.get("consent") or {}
    contact = body.get("contact") or {}
    details = body.get("details") or {}
    if not isinstance(consent_raw, dict) or not isinstance(contact, dict) or not isinstance(details, dict):
        raise ValueError("consent, contact and details must be objects")
    consent = Consent(
        child_protection=_flag(consent_raw, "child_protection"),
        police=_flag(consent_raw, "police"),
        ngo=_flag(consent_raw, "ngo"),
        child_at_risk=_flag(body, "child_at_risk"),
        danger_now=_flag(body, "danger_now"),
    )
    method = contact.get("method", "anonymous")
    if method not in CONTACT_METHODS:
        raise ValueError(f"contact.method must be one of {', '.join(CONTACT_METHODS)}")
    phone = contact.get("phone")
    if method == "phone":
        # "[phone]": the number the user typed, which Rasa only saw as a placeholder (store_case).
        if not isinstance(phone, str) or not (_PHONE.match(phone.strip()) or phone.strip() == identifiers.PHONE):
            raise ValueError("contact.phone must be a phone number when contact.method is phone")
        phone = phone.strip()
    else:
        phone = None
    for name, value in details.items():
        if name not in DETAIL_FIELDS:
            raise ValueError(f"unknown detail {name!r}")
        if not isinstance(value, str) or len(value) > MAX_DETAIL_CHARS:
            raise ValueError(f"details.{name} must be text of at most {MAX_DETAIL_CHARS} characters")
    return CaseRequest(
        idempotency_key=key, conversation_id=conversation_id, kind=kind, category=category,
        country=country, language=language, consent=consent, contact_method=method, phone=phone,
        details={k: v.strip() for k, v in details.items() if v.strip()},
    )


async def _agencies_of(session: AsyncSession, case_id: int) -> List[Agency]:
    query = (
        select(Agency).join(CaseAccess, CaseAccess.agency_id == Agency.id)
        .where(CaseAccess.case_id == case_id).order_by(CaseAccess.id)
    )
    return list((await session.scalars(query)).all())


def _answer(case: Case, agencies: List[Agency]) -> Dict[str, Any]:
    return {
        "reference": case.reference,
        "status": case.status,
        "agencies": [public_entry(agency) for agency in agencies],
    }


async def store_case(session: AsyncSession, keys: KeySet, request: CaseRequest, routed: tuple[str, ...]) -> Case:
    """Add the case and the access rows of the agencies it goes to (caller commits)."""
    await touch_conversation(session, request.conversation_id, "unknown")
    await session.flush()  # the conversation row first: the case refers to it
    case = Case(
        reference=new_reference(),
        idempotency_key=request.idempotency_key,
        conversation_id=request.conversation_id,
        kind=request.kind,
        category=request.category,
        country=request.country,
        language=request.language,
        status="received",
        danger_now=request.consent.danger_now,
        child_at_risk=request.consent.child_at_risk,
        consent_child_protection=request.consent.child_protection,
        consent_police=request.consent.police,
        consent_ngo=request.consent.ngo,
        contact_method=request.contact_method,
        details_encrypted=keys.encrypt(json.dumps(request.details, ensure_ascii=False)),
        contact_encrypted=keys.encrypt_optional(await _real_phone(session, keys, request)),
    )
    session.add(case)
    await session.flush()
    kinds = dict(
        (await session.execute(select(Agency.id, Agency.kind).where(Agency.id.in_(routed), Agency.active.is_(True))))
        .tuples().all()
    )
    for agency_id, level in allowed_recipients(routed, kinds, request.consent):
        session.add(CaseAccess(case_id=case.id, agency_id=agency_id, via="routed", level=level))
    return case


async def _real_phone(session: AsyncSession, keys: KeySet, request: CaseRequest) -> Optional[str]:
    """The contact number: the placeholder Rasa saw resolved to what the user typed (kept encrypted)."""
    if request.phone != identifiers.PHONE:
        return request.phone
    return await identifier_vault.latest(session, keys, request.conversation_id, identifiers.PHONE)


async def _existing(session: AsyncSession, key: str) -> Optional[Case]:
    return (await session.scalars(select(Case).where(Case.idempotency_key == key))).first()


@routes.post("/api/v1/reports")
async def create_report(request: web.Request) -> web.Response:
    """Store a report or missing-child intake; replaying the idempotency key returns the same case."""
    require_service_token(request)
    try:
        case_request = parse_case_request(await request.json())
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    app = request.app
    routed = app[ROUTING].route(case_request.country, case_request.category, case_request.language)
    for attempt in range(3):  # a concurrent replay of the same key, or a reference collision
        try:
            async with app[DB]() as session, session.begin():
                existing = await _existing(session, case_request.idempotency_key)
                if existing is not None:
                    if existing.conversation_id != case_request.conversation_id:
                        return web.json_response({"error": "idempotency_key already used"}, status=409)
                    answer = _answer(existing, await _agencies_of(session, existing.id))
                    return web.json_response({**answer, "replayed": True})
                case = await store_case(session, app[KEYS], case_request, routed)
                await session.flush()
                answer = _answer(case, await _agencies_of(session, case.id))
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        # Committed: only now is the reference given out.
        app[NOTIFIER].wake()
        return web.json_response({**answer, "replayed": False}, status=201)
    raise web.HTTPInternalServerError()  # unreachable: the loop returns or raises


NOT_FOUND = {"error": "not found"}


@routes.post("/api/v1/reports/status")
async def report_status(request: web.Request) -> web.Response:
    """The status and public note of a reference, nothing else; rate-limited per conversation."""
    require_service_token(request)
    body = await json_object(request)
    conversation_id, reference = body.get("conversation_id"), body.get("reference")
    if not isinstance(conversation_id, str) or not 0 < len(conversation_id) <= 64:
        return web.json_response({"error": "conversation_id must be a string of 1 to 64 characters"}, status=400)
    if not isinstance(reference, str) or len(reference) > 40:
        return web.json_response({"error": "reference must be a string of at most 40 characters"}, status=400)
    settings = request.app[SETTINGS]
    window = utcnow() - timedelta(hours=1)
    async with request.app[DB]() as session, session.begin():
        recent = await session.scalar(
            select(func.count()).select_from(StatusCheck)
            .where(StatusCheck.conversation_id == conversation_id, StatusCheck.checked_at >= window)
        )
        if (recent or 0) >= settings.status_checks_per_hour:
            return web.json_response({"error": "too many checks, try again later"}, status=429,
                                     headers={"Retry-After": "3600"})
        session.add(StatusCheck(conversation_id=conversation_id))
        code = normalise_reference(reference)
        case = (await session.scalars(select(Case).where(Case.reference == code))).first() if code else None
        if case is None:
            return web.json_response(NOT_FOUND, status=404)
        note = request.app[KEYS].decrypt_optional(case.public_note_encrypted)
        return web.json_response({"reference": case.reference, "status": case.status, "public_note": note})


async def json_object(request: web.Request) -> Dict[str, Any]:
    try:
        body = await request.json()
    except ValueError as exc:
        raise web.HTTPBadRequest(text='{"error": "body must be JSON"}', content_type="application/json") from exc
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error": "body must be a JSON object"}', content_type="application/json")
    return body
