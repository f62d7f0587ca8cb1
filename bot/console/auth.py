"""Who is signed in to the console: server-side sessions, roles, CSRF and Origin checks, login.

The browser holds a random 256-bit token in an HttpOnly, SameSite=Strict cookie; the database
holds its SHA-256, so logging out, resetting a password or deactivating a user ends the session
at once, and a leaked database gives no usable cookie.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional, Sequence
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app_keys import DB, SETTINGS
from bot.console.audit import record
from bot.console.pages import h
from bot.console.passwords import verify_password
from bot.settings import Settings
from bot.store.models import Agency, ConsoleSession, ConsoleUser, utcnow

ROLES = ("counselor", "supervisor", "admin")
LOGIN_PATH = "/console/login"
# `__Host-` makes the browser refuse the cookie unless it is Secure, for this host only, on Path=/.
SECURE_COOKIE = "__Host-sp_console"
PLAIN_COOKIE = "sp_console"
# last_seen_at is written at most this often, not on every request.
SLIDE_EVERY = timedelta(seconds=60)
# Argon2 takes 64 MiB and a few tens of milliseconds per check: a few at a time, not a flood.
HASHING = web.AppKey("console_hashing", asyncio.Semaphore)


@dataclass(frozen=True)
class User:
    """The signed-in console user of a request."""

    id: int
    username: str
    display_name: str
    role: str
    agency_id: str
    session_id: int
    csrf_token: str
    agency_name: str = ""


# The request's user, looked up once per request.
_USER: web.RequestKey[Optional[User]] = web.RequestKey("console_user")


def aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; everything stored is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalize_username(username: str) -> str:
    return username.strip().lower()


def cookie_name(settings: Settings) -> str:
    return SECURE_COOKIE if settings.console_cookie_secure else PLAIN_COOKIE


def set_session_cookie(response: web.StreamResponse, settings: Settings, token: str) -> None:
    # No Max-Age: the cookie dies with the browser; the server enforces the session's lifetime.
    response.set_cookie(
        cookie_name(settings), token, path="/", httponly=True, samesite="Strict",
        secure=settings.console_cookie_secure,
    )


def clear_session_cookie(response: web.StreamResponse, settings: Settings) -> None:
    response.del_cookie(
        cookie_name(settings), path="/", secure=settings.console_cookie_secure, httponly=True, samesite="Strict"
    )


def session_token(request: web.Request) -> Optional[str]:
    return request.cookies.get(cookie_name(request.app[SETTINGS])) or None


def _session_over(row: ConsoleSession, settings: Settings, now: datetime) -> bool:
    idle = timedelta(minutes=settings.console_idle_minutes)
    return aware(row.expires_at) <= now or aware(row.last_seen_at) + idle <= now


async def current_user(request: web.Request) -> Optional[User]:
    """The user whose live session cookie came with the request, or None; keeps the session alive."""
    if _USER in request:
        return request[_USER]
    user = await _load_user(request)
    request[_USER] = user
    return user


async def _load_user(request: web.Request) -> Optional[User]:
    token = session_token(request)
    if token is None:
        return None
    settings = request.app[SETTINGS]
    now = utcnow()
    async with request.app[DB]() as session, session.begin():
        row = (
            await session.execute(
                select(ConsoleSession, ConsoleUser, Agency)
                .join(ConsoleUser, ConsoleUser.id == ConsoleSession.user_id)
                .join(Agency, Agency.id == ConsoleUser.agency_id)
                .where(ConsoleSession.token_hash == hash_token(token))
            )
        ).first()
        if row is None:
            return None
        console_session, user, agency = row
        if _session_over(console_session, settings, now) or not user.active or not agency.active:
            await session.delete(console_session)
            return None
        if now - aware(console_session.last_seen_at) >= SLIDE_EVERY:
            console_session.last_seen_at = now
        return User(
            id=user.id, username=user.username, display_name=user.display_name, role=user.role,
            agency_id=user.agency_id, session_id=console_session.id, csrf_token=console_session.csrf_token,
            agency_name=agency.name,
        )


def _is_websocket(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def wants_json(request: web.Request) -> bool:
    return "application/json" in request.headers.get("Accept", "") or _is_websocket(request)


def _refuse(request: web.Request, status: int, reason: str) -> web.HTTPException:
    cls = web.HTTPUnauthorized if status == 401 else web.HTTPForbidden
    if wants_json(request):
        return cls(text=json.dumps({"error": reason}), content_type="application/json")
    return cls(text=f"<!doctype html><title>{h(reason)}</title><p>{h(reason)}</p>", content_type="text/html")


async def require_user(request: web.Request, roles: Sequence[str] = ROLES) -> User:
    """The signed-in user, or: pages redirect to the login page; JSON and websockets get 401.

    A role not in `roles` gets 403. Websocket upgrades must also come from this site's pages.
    """
    if _is_websocket(request):
        check_origin(request)
    user = await current_user(request)
    if user is None:
        if wants_json(request):
            raise _refuse(request, 401, "sign in to the console first")
        raise web.HTTPFound(LOGIN_PATH)
    if user.role not in roles:
        raise _refuse(request, 403, "your role does not allow this")
    return user


def check_origin(request: web.Request) -> None:
    """403 when the browser says the request comes from another site (a missing Origin is allowed)."""
    origin = request.headers.get("Origin")
    if origin is None:
        return
    if urlsplit(origin).netloc.lower() != request.host.lower():
        raise _refuse(request, 403, "this request came from another site")


def check_csrf(request: web.Request, user: User, token: Optional[str]) -> None:
    """403 unless `token` is the session's CSRF token (forms: field `csrf`; scripts: X-CSRF-Token)."""
    check_origin(request)
    if not token or not hmac.compare_digest(token.encode("utf-8"), user.csrf_token.encode("utf-8")):
        raise _refuse(request, 403, "the form expired or did not come from the console: reload the page")


async def submitted_csrf(request: web.Request) -> Optional[str]:
    """The CSRF token a request carries: the X-CSRF-Token header, else the form field `csrf`."""
    header = request.headers.get("X-CSRF-Token")
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        value = (await request.post()).get("csrf")
        return value if isinstance(value, str) else None
    return None


# ---- Logging in and out ----------------------------------------------------------------------


async def start_session(session: AsyncSession, user_id: int, settings: Settings, now: datetime) -> str:
    """A new session for the user; returns the cookie's token (only its hash is stored)."""
    await session.execute(
        delete(ConsoleSession).where(ConsoleSession.user_id == user_id, ConsoleSession.expires_at <= now)
    )
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=hash_token(token), user_id=user_id, csrf_token=secrets.token_urlsafe(32),
            created_at=now, last_seen_at=now, expires_at=now + timedelta(hours=settings.console_session_hours),
        )
    )
    return token


async def end_session(session: AsyncSession, token: str) -> Optional[int]:
    """Delete the session of this cookie token; returns its user's id, if there was one."""
    row = (await session.scalars(select(ConsoleSession).where(ConsoleSession.token_hash == hash_token(token)))).first()
    if row is None:
        return None
    await session.delete(row)
    return row.user_id


async def end_user_sessions(session: AsyncSession, user_id: int) -> int:
    """Sign the user out everywhere; returns how many sessions ended."""
    result = await session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))
    return int(getattr(result, "rowcount", 0) or 0)


async def log_in(
    db: async_sessionmaker,  # type: ignore[type-arg]
    settings: Settings,
    username: str,
    password: str,
    *,
    now: Optional[datetime] = None,
    replaces: Optional[str] = None,
) -> Optional[str]:
    """Check a user name and password; the new session's token, or None (the reason is only audited).

    Unknown user, wrong password, locked or deactivated account all look the same to the caller,
    and take about as long (an unknown user still costs one argon2 check). `replaces` is the
    session token the browser already had: it is ended, so a login never keeps an old session id.
    """
    now = now or utcnow()
    name = normalize_username(username)
    async with db() as session:
        found = (await session.scalars(select(ConsoleUser).where(ConsoleUser.username == name))).first()
        stored_hash = found.password_hash if found else None
    # Hash checks run on a thread, outside the database session, so they hold up nobody else.
    matches, new_hash = await asyncio.to_thread(verify_password, stored_hash, password)
    async with db() as session, session.begin():
        user = await session.get(ConsoleUser, found.id, with_for_update=True) if found else None
        if user is None:
            await record(session, "login_failed", detail={"reason": "unknown_user"})
            return None
        agency = await session.get(Agency, user.agency_id)
        ids = {"user_id": user.id, "agency_id": user.agency_id}
        if user.locked_until is not None and aware(user.locked_until) > now:
            await record(session, "login_failed", **ids, detail={"reason": "locked"})
            return None
        if not user.active or agency is None or not agency.active:
            await record(session, "login_failed", **ids, detail={"reason": "inactive"})
            return None
        if not matches or user.password_hash != stored_hash:  # changed while we were checking
            user.failed_logins += 1
            await record(session, "login_failed", **ids,
                         detail={"reason": "wrong_password", "consecutive_failures": user.failed_logins})
            if user.failed_logins >= settings.console_lockout_attempts:
                user.locked_until = now + timedelta(minutes=settings.console_lockout_minutes)
                user.failed_logins = 0
                await record(session, "lockout", **ids, detail={"minutes": settings.console_lockout_minutes})
            return None
        user.failed_logins = 0
        user.locked_until = None
        if new_hash is not None:
            user.password_hash = new_hash
        if replaces:
            await end_session(session, replaces)
        token = await start_session(session, user.id, settings, now)
        await record(session, "login", **ids, detail={"rehashed": True} if new_hash else None)
        return token
