"""Licensed-recruiter registries: CSV import and fuzzy look-up (`GET /api/v1/recruiters`)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Dict, Iterable, List, Optional

from aiohttp import web
from rapidfuzz import fuzz, process
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_keys import DB
from bot.casework.service_auth import require_service_token
from bot.store.models import LicensedRecruiter

routes = web.RouteTableDef()
COLUMNS = ("name", "licence_number", "country", "status", "valid_until", "source")
MATCH_SCORE = 88  # the same agency, allowing typos and a missing "Ltd"
SIMILAR_SCORE = 70  # shown as "similar names", never as a match
# Legal forms people leave out or add; they do not tell two agencies apart.
_LEGAL_FORMS = re.compile(
    r"\b(ltd|limited|inc|incorporated|corp|corporation|co|company|llc|plc|pvt|private|pte|sdn bhd|bhd|sa|gmbh|srl)\b"
)


def normalise_name(name: str) -> str:
    name = re.sub(r"[^\w\s]", " ", name.lower())
    return " ".join(_LEGAL_FORMS.sub(" ", name).split())


@dataclass
class RegistryRow:
    name: str
    licence_number: str
    country: str
    status: str
    valid_until: Optional[date]
    source: str
    verified: bool


def parse_registry_csv(text: str) -> List[RegistryRow]:
    """Parse a registry CSV; raise ValueError naming the line of the first bad row."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"missing column(s): {', '.join(missing)}")
    rows = []
    for line, raw in enumerate(reader, start=2):
        country = (raw["country"] or "").strip().upper()
        if not raw["name"].strip() or not re.fullmatch(r"[A-Z]{2}", country):
            raise ValueError(f"line {line}: a name and an ISO 3166-1 alpha-2 country are required")
        try:
            valid_until = date.fromisoformat(raw["valid_until"].strip()) if raw["valid_until"].strip() else None
        except ValueError as exc:
            raise ValueError(f"line {line}: valid_until must be YYYY-MM-DD") from exc
        rows.append(
            RegistryRow(
                name=raw["name"].strip(),
                licence_number=raw["licence_number"].strip(),
                country=country,
                status=raw["status"].strip().lower(),
                valid_until=valid_until,
                source=raw["source"].strip(),
                verified=(raw.get("verified") or "false").strip().lower() == "true",
            )
        )
    return rows


async def import_registry(session: AsyncSession, registry: str, rows: Iterable[RegistryRow]) -> int:
    """Replace a registry's rows with `rows`; returns how many were stored."""
    await session.execute(delete(LicensedRecruiter).where(LicensedRecruiter.registry_name == registry))
    count = 0
    for row in rows:
        session.add(LicensedRecruiter(registry_name=registry, **row.__dict__))
        count += 1
    return count


def match_recruiters(query: str, candidates: List[LicensedRecruiter], today: date) -> Dict[str, Any]:
    """Best matches for a typed agency name: {"matches": [...], "similar": [...]}."""
    wanted = normalise_name(query)
    names = {i: normalise_name(c.name) for i, c in enumerate(candidates)}
    scored = process.extract(wanted, names, scorer=fuzz.WRatio, limit=5, score_cutoff=SIMILAR_SCORE)
    result: Dict[str, Any] = {"matches": [], "similar": []}
    for _, score, index in scored:
        entry = _as_json(candidates[index], today)
        entry["score"] = round(score)
        result["matches" if score >= MATCH_SCORE else "similar"].append(entry)
    return result


def _as_json(row: LicensedRecruiter, today: date) -> Dict[str, Any]:
    expired = row.valid_until is not None and row.valid_until < today
    return {
        "name": row.name,
        "licence_number": row.licence_number,
        "country": row.country,
        "status": "expired" if expired and row.status == "valid" else row.status,
        "valid_until": row.valid_until.isoformat() if row.valid_until else None,
        "source": row.source,
        "verified": row.verified,
        "registry": row.registry_name,
    }


@routes.get("/api/v1/recruiters")
async def lookup_recruiters(request: web.Request) -> web.Response:
    """Fuzzy look-up of an agency name, optionally within one country's registries."""
    require_service_token(request)
    name = request.query.get("name", "").strip()
    country = request.query.get("country", "").strip().upper()
    if not 2 <= len(name) <= 200:
        return web.json_response({"error": "name must be 2 to 200 characters"}, status=400)
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        return web.json_response({"error": "country must be an ISO 3166-1 alpha-2 code"}, status=400)
    query = select(LicensedRecruiter)
    if country:
        query = query.where(LicensedRecruiter.country == country)
    async with request.app[DB]() as session:
        candidates = list((await session.scalars(query)).all())
    return web.json_response(match_recruiters(name, candidates, date.today()))
