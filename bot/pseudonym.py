"""Conversation ids: an HMAC of channel and user id, so Rasa never sees who the user is."""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: str, channel: str, user_id: str) -> str:
    """A stable, non-reversible id for (channel, user_id) under `key`."""
    digest = hmac.new(key.encode(), f"{channel}:{user_id}".encode(), hashlib.sha256)
    return f"{channel[:2]}-{digest.hexdigest()[:32]}"


def message_key(key: str, channel: str, platform_id: str) -> str:
    """The keyed hash stored in place of a platform's message id (64 hex digits).

    WhatsApp's ids (`wamid.…`) are base64 that spells out the user's phone number, so the gateway
    keeps only this hash, which still finds a duplicate delivery or the message a status is about.
    """
    digest = hmac.new(key.encode(), f"message-id:{channel}:{platform_id}".encode(), hashlib.sha256)
    return digest.hexdigest()
