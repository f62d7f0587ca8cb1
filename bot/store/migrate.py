"""Run Alembic migrations programmatically (`python -m bot migrate`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Optional

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(database_url: str, revision: str = "head", pseudonym_key: Optional[str] = None) -> None:
    """Bring the database schema to `revision`, creating the SQLite file's folder if needed.

    `pseudonym_key` (else `PSEUDONYM_KEY` from the environment) is needed only by migrations that
    replace stored identifiers with keyed hashes (0013), and only when there are rows to convert.
    """
    if database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[-1]
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    config = alembic_config(database_url)
    config.attributes["pseudonym_key"] = pseudonym_key or os.environ.get("PSEUDONYM_KEY", "")
    command.upgrade(config, revision)
