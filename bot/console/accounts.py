"""Console accounts and agencies, as the admin commands change them (each change audited)."""

from __future__ import annotations

import re
from typing import Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.casework.directory import DirectoryEntry, import_directory
from bot.console.audit import record
from bot.console.auth import ROLES, end_user_sessions, normalize_username
from bot.console.passwords import check_new_password, hash_password
from bot.store.models import Agency, ConsoleUser, utcnow

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
COMMAND_LINE = {"via": "command line"}


async def create_agency(session: AsyncSession, entry: DirectoryEntry) -> None:
    """Add a new agency; an existing id is an error (the directory import is how agencies change)."""
    try:
        ZoneInfo(entry.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {entry.timezone!r} (use an IANA name such as Africa/Nairobi)") from None
    if await session.get(Agency, entry.id) is not None:
        raise ValueError(f"agency {entry.id!r} already exists")
    await import_directory(session, [entry])
    await record(session, "agency_created", agency_id=entry.id, detail=COMMAND_LINE)


async def find_user(session: AsyncSession, username: str) -> ConsoleUser:
    name = normalize_username(username)
    user = (await session.scalars(select(ConsoleUser).where(ConsoleUser.username == name))).first()
    if user is None:
        raise LookupError(f"no console user {name!r}")
    return user


async def create_user(
    session: AsyncSession, username: str, agency_id: str, role: str, password: str, display_name: Optional[str] = None
) -> ConsoleUser:
    """A new active user of an existing agency; the password is stored only as its argon2id hash."""
    name = normalize_username(username)
    if not _USERNAME.match(name):
        raise ValueError("user names are 2-64 letters, digits, dots, dashes, underscores or @")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if await session.get(Agency, agency_id) is None:
        raise LookupError(f"no agency with id {agency_id!r}: create it or import the directory first")
    if (await session.scalars(select(ConsoleUser.id).where(ConsoleUser.username == name))).first() is not None:
        raise ValueError(f"console user {name!r} already exists")
    check_new_password(password)
    user = ConsoleUser(
        username=name, display_name=(display_name or name).strip()[:100], password_hash=hash_password(password),
        role=role, agency_id=agency_id, active=True, failed_logins=0, locked_until=None,
        password_changed_at=utcnow(), created_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    await record(session, "user_created", agency_id=agency_id,
                 detail={**COMMAND_LINE, "target_user_id": user.id, "username": name, "role": role})
    return user


async def reset_password(session: AsyncSession, username: str, password: str) -> int:
    """Set a new password, lift any lockout and end the user's sessions; returns how many ended."""
    check_new_password(password)
    user = await find_user(session, username)
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.failed_logins = 0
    user.locked_until = None
    ended = await end_user_sessions(session, user.id)
    await record(session, "password_reset", agency_id=user.agency_id,
                 detail={**COMMAND_LINE, "target_user_id": user.id, "sessions_ended": ended})
    return ended


async def deactivate_user(session: AsyncSession, username: str) -> int:
    """The user can no longer sign in; their sessions end now. Returns how many ended."""
    user = await find_user(session, username)
    user.active = False
    ended = await end_user_sessions(session, user.id)
    await record(session, "user_deactivated", agency_id=user.agency_id,
                 detail={**COMMAND_LINE, "target_user_id": user.id, "sessions_ended": ended})
    return ended
