"""Test databases: a SQLite file by default; with TEST_DATABASE_URL (a PostgreSQL server, e.g.
postgresql+asyncpg://postgres@127.0.0.1:5432/postgres) a fresh database per test, dropped after."""

from __future__ import annotations

import asyncio
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy.engine import make_url

ENV = "TEST_DATABASE_URL"


def on_postgresql() -> bool:
    return bool(os.environ.get(ENV))


# For tests that open the SQLite file itself (to show what is, or is not, on disk).
reads_sqlite_file = pytest.mark.skipif(bool(os.environ.get(ENV)), reason="reads the SQLite file directly")


def _admin(sql: str) -> None:
    import asyncpg  # only with PostgreSQL

    server = make_url(os.environ[ENV])

    async def run() -> None:
        connection = await asyncpg.connect(
            host=server.host or "127.0.0.1", port=server.port or 5432, user=server.username or "postgres",
            password=server.password, database=server.database or "postgres",
        )
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:  # callable from inside a running event loop
        pool.submit(asyncio.run, run()).result()


def fresh_database(folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database (no schema yet), and drop it afterwards."""
    if not on_postgresql():
        yield f"sqlite+aiosqlite:///{folder / 'gateway.db'}"
        return
    name = f"sp_test_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(os.environ[ENV]).set(database=name).render_as_string(hide_password=False)
    finally:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
