"""The agency directory: import from YAML or CSV, and search by country, area and service.

`GET /api/v1/directory` is what `find_support_services` calls (service token). Entries keep their
`verified` flag and `source`, and the answer says when nothing is known instead of guessing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, Iterable, List, Optional

import yaml
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_keys import DB
from bot.casework.routing import AGENCY_KINDS, CATEGORIES
from bot.casework.service_auth import require_service_token
from bot.store.models import Agency

routes = web.RouteTableDef()

SERVICES = (
    "shelter", "legal_aid", "medical", "psychosocial", "helpline", "repatriation",
    "family_tracing_reintegration", "education_vocational",
)
NATIONWIDE = "*"
_ID = re.compile(r"^[a-z0-9][a-z0-9\-]{1,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
LIST_FIELDS = ("countries", "areas", "categories", "languages", "services", "emergency_numbers")


@dataclass
class DirectoryEntry:
    id: str
    name: str
    kind: str
    countries: List[str]
    source: str
    areas: List[str] = field(default_factory=list)
    categories: List[str] = field(default_factory=list)
    languages: List[str] = field(default_factory=list)
    services: List[str] = field(default_factory=list)
    opening_hours: str = ""
    timezone: str = "UTC"
    contact: Dict[str, str] = field(default_factory=dict)
    emergency_numbers: List[str] = field(default_factory=list)
    verified: bool = False


def _list(value: Any) -> List[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    return [str(v).strip() for v in value]


def _bool(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "yes", "1")


def parse_entry(raw: Dict[str, Any], where: str) -> DirectoryEntry:
    """Validate one agency; raise ValueError saying where and what is wrong."""
    agency_id = str(raw.get("id") or "").strip()
    if not _ID.match(agency_id):
        raise ValueError(f"{where}: id must be 2-64 lower-case letters, digits or dashes")
    if not str(raw.get("name") or "").strip() or not str(raw.get("source") or "").strip():
        raise ValueError(f"{where}: name and source are required")
    kind = str(raw.get("kind") or "").strip()
    if kind not in AGENCY_KINDS:
        raise ValueError(f"{where}: kind must be one of {', '.join(AGENCY_KINDS)}")
    countries = [c.upper() for c in _list(raw.get("countries"))]
    if not countries or not all(_COUNTRY.match(c) for c in countries):
        raise ValueError(f"{where}: countries must be ISO 3166-1 alpha-2 codes")
    categories = _list(raw.get("categories"))
    services = _list(raw.get("services"))
    for value, allowed, name in ((categories, CATEGORIES, "category"), (services, SERVICES, "service")):
        unknown = [v for v in value if v not in allowed]
        if unknown:
            raise ValueError(f"{where}: unknown {name} {unknown[0]!r}")
    contact = raw.get("contact") or {}
    if not isinstance(contact, dict):
        raise ValueError(f"{where}: contact must be a mapping")
    for key in ("phone", "email", "website"):
        if raw.get(f"contact_{key}"):  # CSV columns
            contact[key] = raw[f"contact_{key}"]
    return DirectoryEntry(
        id=agency_id,
        name=str(raw["name"]).strip(),
        kind=kind,
        countries=countries,
        source=str(raw["source"]).strip(),
        areas=_list(raw.get("areas")) or [NATIONWIDE],
        categories=categories,
        languages=[lang.lower() for lang in _list(raw.get("languages"))],
        services=services,
        opening_hours=str(raw.get("opening_hours") or ""),
        timezone=str(raw.get("timezone") or "UTC"),
        contact={str(k): str(v) for k, v in contact.items() if v},
        emergency_numbers=_list(raw.get("emergency_numbers")),
        verified=_bool(raw.get("verified")),
    )


def parse_directory(text: str, filename: str) -> List[DirectoryEntry]:
    """Entries of a YAML file (`agencies:` list) or a CSV file (lists separated by `;`)."""
    if filename.lower().endswith(".csv"):
        rows: Iterable[Dict[str, Any]] = csv.DictReader(io.StringIO(text))
        entries = [parse_entry(dict(row), f"line {n}") for n, row in enumerate(rows, start=2)]
    else:
        data = yaml.safe_load(text) or {}
        entries = [parse_entry(raw, f"agency {n}") for n, raw in enumerate(data.get("agencies") or [], start=1)]
    ids = [entry.id for entry in entries]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate id(s): {', '.join(sorted(duplicates))}")
    return entries


async def import_directory(session: AsyncSession, entries: Iterable[DirectoryEntry]) -> int:
    """Insert or update each agency by id (tokens, webhooks and cases stay attached)."""
    count = 0
    for entry in entries:
        agency = await session.get(Agency, entry.id)
        if agency is None:
            agency = Agency(id=entry.id)
            session.add(agency)
        for key, value in asdict(entry).items():
            setattr(agency, key, value)
        agency.active = True
        count += 1
    return count


def search(
    agencies: Iterable[Agency], country: str, area: Optional[str] = None, service: Optional[str] = None
) -> Dict[str, Any]:
    """Services in a country, those serving the named area first.

    `area_matched` says whether anything serves the area itself; entries that cover the whole
    country are still listed after them, and the caller says so rather than calling them nearby.
    """
    wanted_area = (area or "").strip().lower()
    local, nationwide = [], []
    for agency in agencies:
        if not agency.active or country not in agency.countries:
            continue
        if service and service not in agency.services:
            continue
        areas = [a.lower() for a in agency.areas]
        if wanted_area and wanted_area in areas:
            local.append(agency)
        elif NATIONWIDE in areas or not wanted_area:
            nationwide.append(agency)
    return {
        "country": country,
        "area": area or None,
        "service": service or None,
        "area_matched": bool(local),
        "entries": [public_entry(a) for a in sorted(local, key=_order) + sorted(nationwide, key=_order)],
    }


def _order(agency: Agency) -> tuple[bool, str]:
    return (not agency.verified, agency.name)


def public_entry(agency: Agency) -> Dict[str, Any]:
    """What may be shown to anyone: no webhook, no secret."""
    return {
        "id": agency.id,
        "name": agency.name,
        "kind": agency.kind,
        "countries": agency.countries,
        "areas": agency.areas,
        "services": agency.services,
        "languages": agency.languages,
        "opening_hours": agency.opening_hours,
        "timezone": agency.timezone,
        "contact": agency.contact,
        "emergency_numbers": agency.emergency_numbers,
        "verified": agency.verified,
        "source": agency.source,
    }


@routes.get("/api/v1/directory")
async def find_services(request: web.Request) -> web.Response:
    """Directory search for the action server: ?country=KE[&area=Mombasa][&service=shelter]."""
    require_service_token(request)
    country = request.query.get("country", "").strip().upper()
    area = request.query.get("area", "").strip()
    service = request.query.get("service", "").strip()
    if not _COUNTRY.match(country):
        return web.json_response({"error": "country must be an ISO 3166-1 alpha-2 code"}, status=400)
    if service and service not in SERVICES:
        return web.json_response({"error": f"service must be one of {', '.join(SERVICES)}"}, status=400)
    if len(area) > 100:
        return web.json_response({"error": "area must be at most 100 characters"}, status=400)
    async with request.app[DB]() as session:
        agencies = list((await session.scalars(select(Agency).where(Agency.active.is_(True)))).all())
    return web.json_response(search(agencies, country, area or None, service or None))
