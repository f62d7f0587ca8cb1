"""Console signals between gateway replicas over Redis pub/sub.

A counselor's websocket is open on one replica while the user's message may arrive at another:
the replica that changes a handoff publishes the signal (ids only, never text) on a Redis
channel, and every other replica passes it to its own connected consoles. If Redis is away the
signal still reaches this replica's consoles, and a console that misses one catches up with its
periodic refresh and on reconnect.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any, Dict, Optional, Set

import redis.asyncio as redis

from bot.handoff.hub import Hub

logger = logging.getLogger(__name__)

CHANNEL = "safepassage:console-signals"


def encode(origin: str, agencies: Set[str], handoffs: Dict[int, str], alerts: list[Dict[str, Any]]) -> str:
    return json.dumps(
        {"origin": origin, "agencies": sorted(agencies), "handoffs": [[k, v] for k, v in handoffs.items()],
         "alerts": alerts}
    )


def decode(raw: str | bytes) -> tuple[str, Set[str], Dict[int, str], list[Dict[str, Any]]]:
    data = json.loads(raw)
    handoffs = {int(k): str(v) for k, v in data.get("handoffs", [])}
    return str(data["origin"]), set(data.get("agencies", [])), handoffs, list(data.get("alerts", []))


class RedisFanout:
    """Relays a Hub's signals to the other replicas and theirs to it."""

    def __init__(self, url: str, hub: Hub, channel: str = CHANNEL) -> None:
        self.url = url
        self.hub = hub
        self.channel = channel
        self.origin = uuid.uuid4().hex
        self._client: Optional[redis.Redis] = None
        self._listener: Optional[asyncio.Task[None]] = None
        self._sends: Set[asyncio.Task[None]] = set()
        self.subscribed = asyncio.Event()

    async def start(self) -> None:
        self._client = redis.from_url(self.url)
        self.hub.relay = self._relay
        self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        self.hub.relay = None
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        await asyncio.gather(*self._sends, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def _relay(self, agencies: Set[str], handoffs: Dict[int, str], alerts: list[Dict[str, Any]]) -> None:
        task = asyncio.create_task(self._publish(encode(self.origin, agencies, handoffs, alerts)))
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _publish(self, message: str) -> None:
        assert self._client is not None
        try:
            await self._client.publish(self.channel, message)
        except Exception as exc:  # Redis away: this replica's consoles already have the signal
            logger.warning("console signal not relayed: %s", type(exc).__name__)

    async def _listen(self) -> None:
        assert self._client is not None
        delay = 0.5
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self.subscribed.set()
                    delay = 0.5
                    async for message in pubsub.listen():
                        if message.get("type") != "message":
                            continue
                        try:
                            origin, agencies, handoffs, alerts = decode(message["data"])
                        except (ValueError, KeyError, TypeError):
                            logger.warning("malformed console signal ignored")
                            continue
                        if origin != self.origin:
                            self.hub.deliver(agencies, handoffs, alerts)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis restarted or unreachable: subscribe again
                self.subscribed.clear()
                logger.warning("console signal subscription lost (%s); retrying", type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(10.0, delay * 2)
