"""Admin commands for the console (`python -m bot ...`): agencies, users, passwords, demo logins."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Awaitable, Callable, Optional, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.casework.directory import parse_entry
from bot.console import accounts
from bot.console.demo_accounts import ensure_demo_accounts, read_logins, write_logins
from bot.console.passwords import generate_password
from bot.store.database import create_engine, session_factory

T = TypeVar("T")


async def _in_transaction(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def create_agency(
    database_url: str, agency_id: str, name: str, kind: str, countries: str, languages: str = "",
    hours: str = "", timezone: str = "UTC", verified: bool = False,
    source: str = "entered by an administrator (python -m bot create-agency)",
) -> None:
    """Checked like a directory entry (id, kind, ISO country codes), plus the time zone."""
    entry = parse_entry(
        {"id": agency_id, "name": name, "kind": kind, "countries": _split(countries),
         "languages": _split(languages), "opening_hours": hours, "timezone": timezone,
         "verified": verified, "source": source},
        f"agency {agency_id!r}",
    )
    asyncio.run(_in_transaction(database_url, lambda s: accounts.create_agency(s, entry)))


def create_user(
    database_url: str, username: str, agency_id: str, role: str, display_name: Optional[str],
    password: Optional[str] = None,
) -> Optional[str]:
    """Create the user; returns the generated password when none was given (to be shown once)."""
    generated = None if password else generate_password()
    chosen = password or generated or ""
    asyncio.run(_in_transaction(
        database_url, lambda s: accounts.create_user(s, username, agency_id, role, chosen, display_name)
    ))
    return generated


def reset_password(database_url: str, username: str) -> tuple[str, int]:
    """A new random password (to be shown once) and how many sessions were ended."""
    password = generate_password()
    ended = asyncio.run(_in_transaction(database_url, lambda s: accounts.reset_password(s, username, password)))
    return password, ended


def deactivate_user(database_url: str, username: str) -> int:
    return asyncio.run(_in_transaction(database_url, lambda s: accounts.deactivate_user(s, username)))


def demo_logins(database_url: str, path: Path) -> Path:
    """Make sure the demo accounts exist and `path` lists their passwords; returns `path`."""
    stored = read_logins(path)
    logins = asyncio.run(_in_transaction(database_url, lambda s: ensure_demo_accounts(s, stored)))
    if logins != stored or not path.exists():
        write_logins(path, logins)
    else:
        path.chmod(0o600)
    return path
