"""Talks to the Rasa server over loopback: the REST channel for turns, the HTTP API for health."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import aiohttp

logger = logging.getLogger(__name__)


@dataclass
class BotReply:
    """One message from the bot, in the shape every channel renders."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)

    def as_json(self) -> Dict[str, Any]:
        return {"text": self.text, "buttons": self.buttons}


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


def parse_rest_replies(payload: Any) -> List[BotReply]:
    """Turn Rasa REST channel output into replies; unknown parts (images, custom) are dropped."""
    replies: List[BotReply] = []
    if not isinstance(payload, list):
        return replies
    for item in payload:
        if not isinstance(item, dict):
            continue
        text = item.get("text") or ""
        buttons = [
            {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))}
            for b in item.get("buttons") or []
            if isinstance(b, dict)
        ]
        if text or buttons:
            replies.append(BotReply(text=text.strip(), buttons=buttons))
    return replies


class RasaClient:
    """A thin client; the aiohttp session is owned by the app and shared."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str, timeout: float):
        self._session = session
        self._base_url = base_url
        self._token = token
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send(self, sender: str, text: str, metadata: Optional[Dict[str, Any]] = None) -> List[BotReply]:
        """Run one user turn through Rasa's REST channel and return the bot's replies."""
        body = {"sender": sender, "message": text, "metadata": metadata or {}}
        try:
            async with self._session.post(
                f"{self._base_url}/webhooks/rest/webhook", json=body, timeout=self._timeout
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"status {response.status}")
                return parse_rest_replies(await response.json())
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc

    async def add_event(self, sender: str, event: str) -> None:
        """Append `pause` or `resume` to a conversation's tracker (Rasa's tracker events API)."""
        try:
            async with self._session.post(
                f"{self._base_url}/conversations/{sender}/tracker/events",
                params={"token": self._token, "output_channel": "latest"},
                json={"event": event},
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"status {response.status}")
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc

    async def parse(self, text: str) -> Dict[str, Any]:
        """Understanding only (`/model/parse`): no tracker is read or changed."""
        try:
            async with self._session.post(
                f"{self._base_url}/model/parse",
                params={"token": self._token},
                json={"text": text},
                timeout=aiohttp.ClientTimeout(total=5),
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"status {response.status}")
                result = await response.json()
                return result if isinstance(result, dict) else {}
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc

    async def transcript(self, sender: str) -> List[Dict[str, Any]]:
        """The user's and the bot's messages so far, oldest first: [{"sender", "text", "at"}]."""
        try:
            async with self._session.get(
                f"{self._base_url}/conversations/{sender}/tracker",
                params={"token": self._token, "include_events": "ALL"},
                timeout=aiohttp.ClientTimeout(total=10),
            ) as response:
                if response.status != 200:
                    raise RasaUnavailable(f"status {response.status}")
                tracker = await response.json()
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        return transcript_of(tracker.get("events") if isinstance(tracker, dict) else None)

    async def is_healthy(self) -> bool:
        """True when the server answers and has a model loaded."""
        try:
            async with self._session.get(
                f"{self._base_url}/status",
                params={"token": self._token},
                timeout=aiohttp.ClientTimeout(total=3),
            ) as response:
                if response.status != 200:
                    return False
                status = await response.json()
                return bool(status.get("model_file"))
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return False


def transcript_of(events: Any) -> List[Dict[str, Any]]:
    """User and bot lines from tracker events (buttons pressed show as their payload)."""
    lines: List[Dict[str, Any]] = []
    for event in events or []:
        if not isinstance(event, dict) or event.get("event") not in ("user", "bot"):
            continue
        text = str(event.get("text") or "").strip()
        if not text:
            continue
        lines.append({"sender": event["event"], "text": text, "at": event.get("timestamp")})
    return lines
