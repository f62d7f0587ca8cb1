"""Admin commands for cases and agencies (`python -m bot ...`): directory import, agency tokens,
agency webhooks, and re-encryption after a key rotation."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.casework.agency_auth import create_token, revoke_token
from bot.casework.directory import import_directory, parse_directory
from bot.checkins.models import CheckinPlan
from bot.crypto import KeySet
from bot.settings import REPO_ROOT
from bot.store.database import create_engine, session_factory
from bot.store.models import (
    Agency,
    Case,
    CaseAccess,
    CaseNote,
    Conversation,
    Handoff,
    HandoffMessage,
    Identifier,
    InboxMessage,
    OutboxMessage,
)

SAMPLE_DIRECTORY = REPO_ROOT / "reference" / "directory_sample.yml"
# Every column that holds a Fernet token, by table.
ENCRYPTED_COLUMNS: dict[Any, tuple[str, ...]] = {
    Case: ("details_encrypted", "contact_encrypted", "public_note_encrypted"),
    CaseNote: ("body_encrypted",),
    CaseAccess: ("referral_reason_encrypted",),
    Agency: ("notify_secret_encrypted",),
    Conversation: ("address",),
    InboxMessage: ("text", "platform_ref"),
    Handoff: ("context_encrypted", "referral_note_encrypted"),
    HandoffMessage: ("body_encrypted",),
    Identifier: ("value_encrypted",),
    CheckinPlan: ("city_encrypted", "recruiter_encrypted", "contact_encrypted"),
}
T = TypeVar("T")


async def _in_transaction(database_url: str, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


def import_directory_file(database_url: str, path: str | Path) -> int:
    """Parse the whole file first (all or nothing), then insert or update each agency."""
    entries = parse_directory(Path(path).read_text(encoding="utf-8"), str(path))
    return asyncio.run(_in_transaction(database_url, lambda s: import_directory(s, entries)))


def create_agency_token(database_url: str, agency_id: str, label: str) -> tuple[int, str]:
    return asyncio.run(_in_transaction(database_url, lambda s: create_token(s, agency_id, label)))


def revoke_agency_token(database_url: str, token_id: int) -> bool:
    return asyncio.run(_in_transaction(database_url, lambda s: revoke_token(s, token_id)))


def set_agency_webhook(database_url: str, keys: KeySet, agency_id: str, url: str | None) -> str | None:
    """Point an agency's notifications at `url` with a new signing secret (returned once), or turn them off."""
    if url is not None and not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ValueError("the webhook must be https:// (plain http only on this machine, for tests)")

    async def work(session: AsyncSession) -> str | None:
        agency = await session.get(Agency, agency_id)
        if agency is None:
            raise LookupError(f"no agency with id {agency_id!r}")
        secret = secrets.token_urlsafe(32) if url else None
        agency.notify_url = url
        agency.notify_secret_encrypted = keys.encrypt_optional(secret)
        return secret

    return asyncio.run(_in_transaction(database_url, work))


async def rotate_rows(session: AsyncSession, keys: KeySet) -> int:
    """Re-encrypt every stored token that the newest key did not make; returns how many changed."""
    changed = 0
    for model, columns in ENCRYPTED_COLUMNS.items():
        for row in (await session.scalars(select(model))).all():
            for column in columns:
                token = getattr(row, column)
                if token and not keys.is_current(token):
                    setattr(row, column, keys.rotate(token))
                    changed += 1
    # Outbox bodies are sealed inside their JSON column.
    for message in (await session.scalars(select(OutboxMessage))).all():
        token = message.body.get("sealed") if isinstance(message.body, dict) else None
        if token and not keys.is_current(token):
            message.body = {"sealed": keys.rotate(token)}
            changed += 1
    return changed


def rotate_keys(database_url: str, keys: KeySet) -> int:
    return asyncio.run(_in_transaction(database_url, lambda s: rotate_rows(s, keys)))
