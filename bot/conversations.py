"""Conversation records (turn order lives in bot/router.py)."""

from __future__ import annotations

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
