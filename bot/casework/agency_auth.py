"""Per-agency API tokens: created by an admin command, stored only as a SHA-256, revocable.

Tokens carry 256 random bits, so a fast hash is enough: nobody can brute-force them, and a
leaked database gives no usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_keys import DB
from bot.casework.service_auth import AUDIT_CALLER
from bot.store.models import Agency, AgencyToken, utcnow

TOKEN_PREFIX = "spa_"  # noqa: S105 (a public prefix, not a secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create_token(session: AsyncSession, agency_id: str, label: str = "") -> tuple[int, str]:
    """A new token for an existing agency: (token id, the token, shown once and never stored)."""
    if await session.get(Agency, agency_id) is None:
        raise LookupError(f"no agency with id {agency_id!r}: import the directory first")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = AgencyToken(agency_id=agency_id, token_hash=hash_token(token), label=label[:100])
    session.add(row)
    await session.flush()
    return row.id, token


async def revoke_token(session: AsyncSession, token_id: int) -> bool:
    row = await session.get(AgencyToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True


def _unauthorized() -> web.HTTPUnauthorized:
    return web.HTTPUnauthorized(text='{"error": "agency token required"}', content_type="application/json")


async def require_agency(request: web.Request) -> str:
    """The calling agency's id; 401 unless a live token of an active agency is presented."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        raise _unauthorized()
    digest = hash_token(token)
    async with request.app[DB]() as session:
        row = (
            await session.execute(
                select(AgencyToken.token_hash, AgencyToken.agency_id)
                .join(Agency, Agency.id == AgencyToken.agency_id)
                .where(AgencyToken.token_hash == digest, AgencyToken.revoked_at.is_(None), Agency.active.is_(True))
            )
        ).first()
    # The index lookup already matched; compare again in constant time as a belt-and-braces check.
    if row is None or not hmac.compare_digest(row[0], digest):
        raise _unauthorized()
    request[AUDIT_CALLER] = f"agency:{row[1]}"  # for the audit log (bot/casework/api_audit.py)
    return str(row[1])
