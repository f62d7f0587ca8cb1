"""Live updates for open consoles: who is connected, and small "something changed" signals.

Signals carry ids only, never message text: a console that hears `chat 12` fetches the new lines
through the normal, access-checked endpoint. One process keeps its connections in memory (the
fan-out in bot/handoff/fanout.py relays every signal to the other gateway replicas).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Optional, Set

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Client:
    user_id: int
    agency_id: str
    role: str
    queue: asyncio.Queue[Dict[str, Any]] = field(default_factory=lambda: asyncio.Queue(maxsize=200))

    def send(self, signal: Dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(signal)
        except asyncio.QueueFull:  # a stuck browser: it reloads everything when it reconnects
            logger.info("console client queue full; signal dropped")


class Hub:
    def __init__(self) -> None:
        self._clients: Set[Client] = set()
        # Set by the fan-out: passes each published signal on to the other replicas.
        self.relay: Optional[Callable[[Set[str], Dict[int, str], list[Dict[str, Any]]], None]] = None

    def connect(self, user_id: int, agency_id: str, role: str) -> Client:
        client = Client(user_id, agency_id, role)
        self._clients.add(client)
        return client

    def disconnect(self, client: Client) -> None:
        self._clients.discard(client)

    def connected(self, user_id: int) -> bool:
        return any(c.user_id == user_id for c in self._clients)

    def online_in(self, agency_id: str) -> int:
        return len({c.user_id for c in self._clients if c.agency_id == agency_id})

    def publish(self, agencies: Set[str], handoffs: Dict[int, str], alerts: list[Dict[str, Any]]) -> None:
        """Queues of `agencies` changed; chats `handoffs` (id → agency) have new lines; alerts."""
        self.deliver(agencies, handoffs, alerts)
        if self.relay is not None and (agencies or handoffs or alerts):
            self.relay(agencies, handoffs, alerts)

    def deliver(self, agencies: Set[str], handoffs: Dict[int, str], alerts: list[Dict[str, Any]]) -> None:
        """Signal this process's own consoles."""
        for client in list(self._clients):
            if client.agency_id in agencies:
                client.send({"type": "queue"})
            for handoff_id, agency_id in handoffs.items():
                if client.agency_id == agency_id:
                    client.send({"type": "chat", "handoff_id": handoff_id})
            for alert in alerts:
                if alert["agency_id"] == client.agency_id and client.role in ("supervisor", "admin"):
                    client.send({"type": "alert", "kind": alert["kind"], "handoff_id": alert["handoff_id"]})
