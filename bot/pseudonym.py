"""Conversation ids: an HMAC of channel and user id, so Rasa never sees who the user is."""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(key: str, channel: str, user_id: str) -> str:
    """A stable, non-reversible id for (channel, user_id) under `key`."""
    digest = hmac.new(key.encode(), f"{channel}:{user_id}".encode(), hashlib.sha256)
    return f"{channel[:2]}-{digest.hexdigest()[:32]}"
