"""Deny by default: agency × endpoint matrix, referrals within consent, private notes, tokens."""

from __future__ import annotations

import itertools
from typing import Any, Dict

import pytest

from bot.casework.agency_auth import revoke_token
from bot.casework.reference_codes import new_reference
from bot.store.database import create_engine, session_factory
from tests.gateway.casework_support import SERVICE, Casework

OWNER = "sample-ke-children-services"  # routed the Kenyan case
OUTSIDERS = ("sample-ph-social-welfare", "sample-ke-police-unit", "sample-ke-nairobi-legal")


def endpoints(reference: str) -> list[tuple[str, str, Dict[str, Any] | None]]:
    return [
        ("GET", f"/api/v1/cases/{reference}", None),
        ("PATCH", f"/api/v1/cases/{reference}", {"status": "closed", "public_note": "closed"}),
        ("POST", f"/api/v1/cases/{reference}/notes", {"text": "a note"}),
        ("POST", f"/api/v1/cases/{reference}/referrals", {"agency_id": "sample-ph-cebu-support"}),
    ]


async def call(casework: Casework, method: str, path: str, body: Any, headers: Dict[str, str]) -> int:
    response = await casework.client.request(method, path, json=body, headers=headers)
    return response.status


async def test_the_access_matrix_other_agencies_get_404_for_everything(casework: Casework) -> None:
    filed = await casework.file()  # police consent withheld, no child known at risk
    reference = filed["reference"]
    guessed = new_reference()
    for agency, (method, path, body) in itertools.product(OUTSIDERS, endpoints(reference) + endpoints(guessed)):
        status = await call(casework, method, path, body, casework.agency(agency))
        assert status == 404, (agency, method, path, status)
    for agency in OUTSIDERS:
        listed = await (await casework.client.get("/api/v1/cases", headers=casework.agency(agency))).json()
        assert reference not in {c["reference"] for c in listed["cases"]}
    # The case is untouched by all of that, and its owner still reads it.
    case = await (await casework.client.get(f"/api/v1/cases/{reference}", headers=casework.agency(OWNER))).json()
    assert case["status"] == "received" and case["private_notes"] == []


async def test_the_owner_reads_updates_and_keeps_private_notes(casework: Casework) -> None:
    reference = (await casework.file())["reference"]
    owner = casework.agency(OWNER)
    case = await (await casework.client.get(f"/api/v1/cases/{reference}", headers=owner)).json()
    assert case["access"] == "full" and case["contact"] == {"method": "phone", "phone": "+254 700 111 222"}
    assert "never goes to school" in case["details"]["what_happened"]
    listed = await (await casework.client.get("/api/v1/cases?status=received", headers=owner)).json()
    assert [c["reference"] for c in listed["cases"]] == [reference]
    assert (await casework.client.post(f"/api/v1/cases/{reference}/notes", json={"text": "visited"},
                                       headers=owner)).status == 201
    patched = await casework.client.patch(f"/api/v1/cases/{reference}", json={"status": "in_review"}, headers=owner)
    assert patched.status == 200 and (await patched.json())["private_notes"][0]["text"] == "visited"
    bad = await casework.client.patch(f"/api/v1/cases/{reference}", json={"status": "lost"}, headers=owner)
    assert bad.status == 400


async def test_referral_needs_consent_and_the_receiver_sees_only_what_it_allows(casework: Casework) -> None:
    reference = (await casework.file())["reference"]
    owner = casework.agency(OWNER)
    await casework.client.post(f"/api/v1/cases/{reference}/notes", json={"text": "owner only"}, headers=owner)
    refused = await casework.client.post(f"/api/v1/cases/{reference}/referrals",
                                         json={"agency_id": "sample-ke-police-unit"}, headers=owner)
    assert refused.status == 409 and "did not agree" in (await refused.json())["error"]
    referred = await casework.client.post(f"/api/v1/cases/{reference}/referrals",
                                          json={"agency_id": "sample-ke-nairobi-legal", "reason": "wages"},
                                          headers=owner)
    assert referred.status == 201 and (await referred.json())["access"] == "full"
    again = await casework.client.post(f"/api/v1/cases/{reference}/referrals",
                                       json={"agency_id": "sample-ke-nairobi-legal"}, headers=owner)
    assert again.status == 409
    legal = await (await casework.client.get(f"/api/v1/cases/{reference}",
                                             headers=casework.agency("sample-ke-nairobi-legal"))).json()
    assert legal["via"] == "referral" and legal["status"] == "referred"
    assert legal["private_notes"] == []  # the owner's note stays with the owner
    assert legal["referral"] == {"from_agency": OWNER, "reason": "wages"}
    unknown = await casework.client.post(f"/api/v1/cases/{reference}/referrals",
                                         json={"agency_id": "no-such-agency"}, headers=owner)
    assert unknown.status == 404


async def test_under_the_exception_the_police_see_the_case_but_never_the_reporter(casework: Casework) -> None:
    filed = await casework.file(child_at_risk=True, consent={"child_protection": False, "police": False, "ngo": False})
    police = await (await casework.client.get(f"/api/v1/cases/{filed['reference']}",
                                              headers=casework.agency("sample-ke-police-unit"))).json()
    assert police["access"] == "safety"
    assert police["contact"] == {"method": "withheld", "phone": None}
    assert "never goes to school" in police["details"]["what_happened"]


@pytest.mark.parametrize("path", ["/api/v1/cases", "/api/v1/cases/SP-7KQ2MX"])
async def test_agency_routes_refuse_missing_service_and_unknown_tokens(casework: Casework, path: str) -> None:
    for headers in ({}, SERVICE, {"Authorization": "Bearer spa_made-up"}, {"Authorization": "Basic x"}):
        assert (await casework.client.get(path, headers=headers)).status == 401


async def test_an_agency_token_does_not_open_service_routes(casework: Casework) -> None:
    headers = casework.agency(OWNER)
    body = {"conversation_id": "we-x", "reference": "SP-7KQ2MX"}
    assert (await casework.client.post("/api/v1/reports/status", json=body, headers=headers)).status == 401
    assert (await casework.client.get("/api/v1/directory?country=KE", headers=headers)).status == 401


async def test_a_revoked_token_stops_working(casework: Casework) -> None:
    headers = casework.agency(OWNER)
    assert (await casework.client.get("/api/v1/cases", headers=headers)).status == 200
    engine = create_engine(casework.settings.database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            from sqlalchemy import select

            from bot.store.models import AgencyToken

            token_id = (await session.scalars(select(AgencyToken.id).where(AgencyToken.agency_id == OWNER))).one()
            assert await revoke_token(session, token_id)
    finally:
        await engine.dispose()
    assert (await casework.client.get("/api/v1/cases", headers=headers)).status == 401
