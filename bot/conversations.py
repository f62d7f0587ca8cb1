"""Conversation records and per-conversation turn order."""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Conversation, utcnow


async def touch_conversation(session: AsyncSession, conversation_id: str, channel: str) -> Conversation:
    """Create the conversation on first contact, else bump its last-message time."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        conversation = Conversation(id=conversation_id, channel=channel, owner="bot")
        session.add(conversation)
    conversation.last_message_at = utcnow()
    return conversation


class TurnLocks:
    """One lock per conversation: its messages run one at a time, others in parallel."""

    def __init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def __call__(self, conversation_id: str) -> Any:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        return lock
