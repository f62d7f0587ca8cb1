"""The agency-facing casework API: an agency lists and reads only the cases shared with it,
updates their status with a public note, keeps private notes, and refers cases on.

Deny by default: every handler starts from the caller's agency and reaches a case only through
that agency's access row, so another agency's reference is simply "not found" (404, never 403).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Optional

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_keys import DB, KEYS, NOTIFIER
from bot.casework.agency_auth import require_agency
from bot.casework.reference_codes import normalise_reference
from bot.casework.reports import STATUSES, json_object
from bot.casework.routing import Consent, access_level
from bot.crypto import KeySet
from bot.store.models import Agency, Case, CaseAccess, CaseNote, utcnow

routes = web.RouteTableDef()
MAX_PUBLIC_NOTE = 500
MAX_NOTE = 4000


def _not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(text='{"error": "not found"}', content_type="application/json")


def _conflict(reason: str) -> web.HTTPConflict:
    return web.HTTPConflict(text=json.dumps({"error": reason}), content_type="application/json")


def _bad(reason: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": reason}), content_type="application/json")


async def _case_for(session: AsyncSession, agency_id: str, reference: str) -> tuple[Case, CaseAccess]:
    """The case and the caller's access row, or 404 whether the case is foreign or does not exist."""
    code = normalise_reference(reference)
    if code is None or code != reference:
        raise _not_found()
    row = (
        await session.execute(
            select(Case, CaseAccess)
            .join(CaseAccess, CaseAccess.case_id == Case.id)
            .where(Case.reference == code, CaseAccess.agency_id == agency_id)
        )
    ).first()
    if row is None:
        raise _not_found()
    return row[0], row[1]


def consent_of(case: Case) -> Consent:
    return Consent(
        child_protection=case.consent_child_protection, police=case.consent_police, ngo=case.consent_ngo,
        child_at_risk=case.child_at_risk, danger_now=case.danger_now,
    )


def summary(case: Case, access: CaseAccess) -> Dict[str, Any]:
    return {
        "reference": case.reference,
        "kind": case.kind,
        "category": case.category,
        "country": case.country,
        "status": case.status,
        "access": access.level,
        "via": access.via,
        "created_at": case.created_at.isoformat(),
    }


def case_view(case: Case, access: CaseAccess, keys: KeySet, notes: list[CaseNote]) -> Dict[str, Any]:
    """What this agency may see: `full` adds the reporter's contact; `safety` never shows it."""
    contact: Dict[str, Optional[str]] = {"method": "withheld", "phone": None}
    if access.level == "full":
        contact = {"method": case.contact_method, "phone": keys.decrypt_optional(case.contact_encrypted)}
    return {
        **summary(case, access),
        "language": case.language,
        "danger_now": case.danger_now,
        "child_at_risk": case.child_at_risk,
        "consent": {
            "child_protection": case.consent_child_protection,
            "police": case.consent_police,
            "ngo": case.consent_ngo,
        },
        "details": json.loads(keys.decrypt(case.details_encrypted)),
        "contact": contact,
        "public_note": keys.decrypt_optional(case.public_note_encrypted),
        "private_notes": [
            {"id": n.id, "text": keys.decrypt(n.body_encrypted), "created_at": n.created_at.isoformat()}
            for n in notes
        ],
        "referral": (
            {"from_agency": access.referred_by, "reason": keys.decrypt_optional(access.referral_reason_encrypted)}
            if access.via == "referral" else None
        ),
        "updated_at": case.updated_at.isoformat(),
    }


async def _view(session: AsyncSession, request: web.Request, agency_id: str, case: Case,
                access: CaseAccess) -> web.Response:
    notes = list(
        (await session.scalars(
            select(CaseNote).where(CaseNote.case_id == case.id, CaseNote.agency_id == agency_id).order_by(CaseNote.id)
        )).all()
    )
    return web.json_response(case_view(case, access, request.app[KEYS], notes))


@routes.get("/api/v1/cases")
async def list_cases(request: web.Request) -> web.Response:
    """The caller's cases, newest first; `?status=` filters."""
    agency_id = await require_agency(request)
    status = request.query.get("status")
    if status is not None and status not in STATUSES:
        raise _bad(f"status must be one of {', '.join(STATUSES)}")
    query = (
        select(Case, CaseAccess).join(CaseAccess, CaseAccess.case_id == Case.id)
        .where(CaseAccess.agency_id == agency_id).order_by(Case.id.desc()).limit(500)
    )
    if status:
        query = query.where(Case.status == status)
    async with request.app[DB]() as session:
        rows = (await session.execute(query)).all()
    return web.json_response({"cases": [summary(case, access) for case, access in rows]})


@routes.get("/api/v1/cases/{reference}")
async def read_case(request: web.Request) -> web.Response:
    agency_id = await require_agency(request)
    async with request.app[DB]() as session:
        case, access = await _case_for(session, agency_id, request.match_info["reference"])
        return await _view(session, request, agency_id, case, access)


@routes.patch("/api/v1/cases/{reference}")
async def update_case(request: web.Request) -> web.Response:
    """Set the status and/or the public note (the only text the reporter ever sees)."""
    agency_id = await require_agency(request)
    body = await json_object(request)
    status, note = body.get("status"), body.get("public_note")
    if status is None and "public_note" not in body:
        raise _bad("give a status, a public_note, or both")
    if status is not None and status not in STATUSES:
        raise _bad(f"status must be one of {', '.join(STATUSES)}")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_PUBLIC_NOTE):
        raise _bad(f"public_note must be text of at most {MAX_PUBLIC_NOTE} characters, or null")
    async with request.app[DB]() as session:
        async with session.begin():
            case, access = await _case_for(session, agency_id, request.match_info["reference"])
            if status is not None:
                case.status = status
            if "public_note" in body:
                case.public_note_encrypted = request.app[KEYS].encrypt_optional(note.strip() if note else None)
            case.updated_at = utcnow()
        return await _view(session, request, agency_id, case, access)


@routes.post("/api/v1/cases/{reference}/notes")
async def add_note(request: web.Request) -> web.Response:
    """A private note, seen only by the agency that wrote it."""
    agency_id = await require_agency(request)
    body = await json_object(request)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_NOTE:
        raise _bad(f"text must be 1 to {MAX_NOTE} characters")
    async with request.app[DB]() as session, session.begin():
        case, _ = await _case_for(session, agency_id, request.match_info["reference"])
        note = CaseNote(case_id=case.id, agency_id=agency_id, body_encrypted=request.app[KEYS].encrypt(text.strip()))
        session.add(note)
        await session.flush()
        answer = {"id": note.id, "created_at": note.created_at.isoformat()}
    return web.json_response(answer, status=201)


@routes.post("/api/v1/cases/{reference}/referrals")
async def refer_case(request: web.Request) -> web.Response:
    """Share the case with another agency, as far as the reporter's consent (or the exception) allows."""
    agency_id = await require_agency(request)
    body = await json_object(request)
    target_id, reason = body.get("agency_id"), body.get("reason")
    if not isinstance(target_id, str) or not 0 < len(target_id) <= 64:
        raise _bad("agency_id must be a directory id")
    if reason is not None and (not isinstance(reason, str) or len(reason) > MAX_NOTE):
        raise _bad(f"reason must be text of at most {MAX_NOTE} characters")
    async with request.app[DB]() as session:
        async with session.begin():
            case, _ = await _case_for(session, agency_id, request.match_info["reference"])
            target = await session.get(Agency, target_id)
            if target is None or not target.active:
                raise web.HTTPNotFound(text='{"error": "agency not found"}', content_type="application/json")
            if target.id == agency_id:
                raise _conflict("an agency cannot refer a case to itself")
            level = access_level(consent_of(case), target.kind)
            if level is None:
                raise _conflict(f"the reporter did not agree to share with {target.kind.replace('_', ' ')} agencies")
            access = CaseAccess(
                case_id=case.id, agency_id=target.id, via="referral", level=level, referred_by=agency_id,
                referral_reason_encrypted=request.app[KEYS].encrypt_optional(reason),
            )
            session.add(access)
            try:
                await session.flush()
            except IntegrityError:
                raise _conflict("the case is already shared with that agency") from None
            case.status = "referred"
            case.updated_at = utcnow()
    request.app[NOTIFIER].wake()
    return web.json_response({"reference": case.reference, "agency_id": target.id, "access": level}, status=201)
