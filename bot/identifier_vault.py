"""The originals of identifiers replaced by placeholders (bot/identifiers.py), kept encrypted."""

from __future__ import annotations

from typing import Iterable, Optional

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.crypto import KeySet
from bot.identifiers import Found
from bot.store.models import Identifier


def keep(session: AsyncSession, keys: KeySet, conversation_id: str, found: Iterable[Found]) -> None:
    """Add the originals to the session (the caller commits)."""
    for item in found:
        session.add(
            Identifier(
                conversation_id=conversation_id, placeholder=item.placeholder, value_encrypted=keys.encrypt(item.value)
            )
        )


async def latest(session: AsyncSession, keys: KeySet, conversation_id: str, placeholder: str) -> Optional[str]:
    """The newest original this conversation typed for a placeholder ("[phone]"), if any."""
    token = await session.scalar(
        select(Identifier.value_encrypted)
        .where(Identifier.conversation_id == conversation_id, Identifier.placeholder == placeholder)
        .order_by(Identifier.id.desc())
        .limit(1)
    )
    return keys.decrypt(token) if token is not None else None


async def take_latest(session: AsyncSession, keys: KeySet, conversation_id: str, placeholder: str) -> Optional[str]:
    """Like `latest`, and the original leaves the vault: it now lives where it was put back."""
    row = await session.scalar(
        select(Identifier)
        .where(Identifier.conversation_id == conversation_id, Identifier.placeholder == placeholder)
        .order_by(Identifier.id.desc())
        .limit(1)
    )
    if row is None:
        return None
    value = keys.decrypt(row.value_encrypted)
    await session.execute(delete(Identifier).where(Identifier.id == row.id))
    return value
