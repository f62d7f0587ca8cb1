"""Inbound messages from every channel, in one shape, written to the inbox before the ack."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Dict, Optional

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.crypto import KeySet
from bot.metrics import DUPLICATES_IN, MESSAGES_IN
from bot.pseudonym import message_key, pseudonym
from bot.store.models import Conversation, InboxMessage, utcnow

logger = logging.getLogger(__name__)

# What an inbound message is, for the turn runner:
TEXT = "text"  # typed text: goes to Rasa
BUTTON = "button"  # a button or list choice: its payload goes to Rasa
COMMAND = "command"  # /start, /stop, /language
LOCATION = "location"  # a shared location: its country goes to Rasa when it has one
MEDIA = "media"  # photo, voice, video, file, sticker: not downloaded; a caption goes to Rasa
CONTACTS = "contacts"  # shared contact cards: not stored
EDIT = "edit"  # an edited earlier message
REACTION = "reaction"  # an emoji reaction: noted, not answered
UNSUPPORTED = "unsupported"  # a message type the platform itself could not pass on


@dataclass
class Inbound:
    """One message as the bridges see it. `user_id` and `address` never leave the gateway.

    In the database the text, the address and the platform's message id are encrypted with the
    data key set (bot/crypto.py); the message id is looked up by its keyed hash (bot/pseudonym.py).
    """

    channel: str
    external_id: str
    user_id: str
    address: str
    kind: str
    text: str = ""
    meta: Dict[str, Any] = field(default_factory=dict)
    language_hint: Optional[str] = None
    # What the bridge needs right after the ack and never again, so it is never stored: Telegram's
    # callback query id (its upper 32 bits are the user's id).
    callback_query_id: Optional[str] = None

    def check(self) -> None:
        """Raise TypeError when a bridge built this from fields of the wrong type."""
        for name in ("channel", "external_id", "user_id", "address", "kind", "text"):
            if not isinstance(getattr(self, name), str):
                raise TypeError(f"inbound {name} is not text")
        if not isinstance(self.meta, dict) or not (self.language_hint is None or isinstance(self.language_hint, str)):
            raise TypeError("inbound meta or language hint of the wrong type")
        if not (self.callback_query_id is None or isinstance(self.callback_query_id, str)):
            raise TypeError("inbound callback query id is not text")

    def conversation_id(self, key: str) -> str:
        return pseudonym(key, self.channel, self.user_id)


@dataclass
class Recorded:
    inbox_id: int
    conversation_id: str
    row: Optional[InboxMessage] = None  # detached copies, as stored (text and address encrypted)
    conversation: Optional[Conversation] = None
    duplicate: bool = False  # the key was already recorded: `inbox_id` is the original's
    answered: bool = False  # (a duplicate) the original's turn is over


async def record(
    db: async_sessionmaker[AsyncSession], message: Inbound, pseudonym_key: str, keys: KeySet
) -> Recorded:
    """Persist the message under its unique key; a key already recorded gives the original."""
    conversation_id = message.conversation_id(pseudonym_key)
    key = message_key(pseudonym_key, message.channel, message.external_id)
    for _attempt in range(3):
        try:
            recorded = await _insert(db, message, conversation_id, key, keys)
            MESSAGES_IN.labels(message.channel).inc()
            return recorded
        except IntegrityError:
            # Either this key is already in the inbox (a duplicate), or a parallel first message
            # created the conversation a moment ago: then try again, never drop the message.
            async with db(info={"urgent": True}) as session:
                existing = (
                    await session.execute(
                        select(InboxMessage.id, InboxMessage.status).where(
                            InboxMessage.channel == message.channel,
                            InboxMessage.external_id == key,
                        )
                    )
                ).first()
            if existing is not None:
                logger.info("duplicate %s message dropped", message.channel)
                DUPLICATES_IN.labels(message.channel).inc()
                return Recorded(existing.id, conversation_id, duplicate=True, answered=existing.status != "pending")
    raise RuntimeError("could not record an inbound message")


async def _insert(
    db: async_sessionmaker[AsyncSession], message: Inbound, conversation_id: str, key: str, keys: KeySet
) -> Recorded:
    # The platform is waiting for this write: it goes before turns and sends (bot/store/database.py).
    async with db(info={"urgent": True}) as session, session.begin():
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            conversation = Conversation(id=conversation_id, channel=message.channel, owner="bot")
            session.add(conversation)
        now = utcnow()
        conversation.address = keys.encrypt(message.address)
        conversation.last_message_at = now
        conversation.last_inbound_at = now
        if message.language_hint:
            conversation.language_hint = message.language_hint[:16]
        if message.kind == MEDIA:
            conversation.media_count = (conversation.media_count or 0) + 1
        row = InboxMessage(
            channel=message.channel,
            external_id=key,
            platform_ref=keys.encrypt(message.external_id),
            conversation_id=conversation_id,
            kind=message.kind,
            text=keys.encrypt(message.text) if message.text else None,
            meta=message.meta,
            status="pending",
            holding_sent=False,
            attempts=0,
        )
        session.add(row)
        await session.flush()
        return Recorded(row.id, conversation_id, row, conversation)
