"""`python -m bot import-recruiters`: load a registry CSV into the gateway database."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.casework.recruiters import import_registry, parse_registry_csv
from bot.settings import REPO_ROOT
from bot.store.database import create_engine, session_factory

SAMPLE_REGISTRY = REPO_ROOT / "reference" / "recruiters_sample.csv"


async def import_registry_path(database_url: str, csv_file: str | Path, registry: str) -> int:
    """Parse then store (all or nothing); returns the number of rows."""
    text = await asyncio.to_thread(Path(csv_file).read_text, encoding="utf-8")
    rows = parse_registry_csv(text)
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await import_registry(session, registry, rows)
    finally:
        await engine.dispose()


def import_registry_file(database_url: str, csv_file: str | Path, registry: str) -> int:
    """The command-line form of `import_registry_path`."""
    return asyncio.run(import_registry_path(database_url, csv_file, registry))
