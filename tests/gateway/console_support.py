"""Shared set-up for the console tests: the sample directory and a few console users."""

from __future__ import annotations

import re
from contextlib import asynccontextmanager
from typing import AsyncIterator, Dict, Optional

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from sqlalchemy.ext.asyncio import AsyncSession

from bot.casework.directory import import_directory, parse_directory
from bot.casework_admin import SAMPLE_DIRECTORY
from bot.console.accounts import create_user
from bot.console.auth import SECURE_COOKIE
from bot.store.database import create_engine, session_factory

PASSWORD = "correct horse battery staple"
# user name -> (display name, role, agency)
USERS = {
    "wanjiru": ("Wanjiru Mwangi", "counselor", "sample-ke-children-services"),
    "kamau": ("Kamau Otieno", "supervisor", "sample-ke-children-services"),
    "maria": ("Maria Santos", "counselor", "sample-ph-social-welfare"),
}
AGENCY_NAMES = {"sample-ke-children-services": "SAMPLE Kenya Children's Services Office"}


@asynccontextmanager
async def db(database_url: str) -> AsyncIterator[AsyncSession]:
    """A transaction on the test database, committed on exit."""
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            yield session
    finally:
        await engine.dispose()


async def seed_console(database_url: str) -> None:
    """The sample directory, and USERS, each with PASSWORD."""
    async with db(database_url) as session:
        entries = parse_directory(SAMPLE_DIRECTORY.read_text(encoding="utf-8"), str(SAMPLE_DIRECTORY))
        await import_directory(session, entries)
        await session.flush()
        for username, (name, role, agency) in USERS.items():
            await create_user(session, username, agency, role, PASSWORD, name)


async def post_login(client: TestClient, username: str, password: str = PASSWORD,
                     headers: Optional[Dict[str, str]] = None) -> ClientResponse:
    return await client.post("/console/login", data={"username": username, "password": password},
                             headers=headers or {}, allow_redirects=False)


def session_cookie(response: ClientResponse) -> Optional[str]:
    """The session token the response set, or None."""
    for header in response.headers.getall("Set-Cookie", []):
        match = re.match(rf"{re.escape(SECURE_COOKIE)}=([^;]*)", header)
        if match and match.group(1):
            return match.group(1)
    return None


def cookie_header(token: str) -> Dict[str, str]:
    return {"Cookie": f"{SECURE_COOKIE}={token}"}


def csrf_of(page: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    assert match, "the page has no CSRF token"
    return match.group(1)
