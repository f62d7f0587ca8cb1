"""One worker task per conversation with pending work: its items run one at a time, in order,
while different conversations run in parallel. The turn runner and the outbox both use it.

With several gateway replicas on one database (`leases` set), a worker first takes the
conversation's lease (bot/store/leases.py), so only one replica works on a conversation at a time:
no message is answered twice, no reply is sent twice, and the order holds across replicas.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional

from bot.store.leases import Leases

logger = logging.getLogger(__name__)

# A replica that finds the conversation's lease taken waits this long for it: the holder reads
# the database once more before it lets go, so a message it could not see is never left behind.
LEASE_WAIT_SECONDS = 5.0


class ConversationWorkers:
    lease_kind = "work"  # the lease name's prefix: "turn", "outbox"

    def __init__(self) -> None:
        self._tasks: Dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._closing = False
        self.leases: Optional[Leases] = None  # set by the app when replicas share the database

    def kick(self, conversation_id: str, batch: Optional[Any] = None, sweep: bool = False) -> None:
        """Make sure a worker is on this conversation; a running one looks again before it stops.

        `batch`: work the caller already holds in memory. It is used only when no worker is on the
        conversation (then nothing older can be waiting in line), saving a database read.
        `sweep`: a periodic look for left-over work; with leases it does not wait for another
        replica's lease (that replica is on it).
        """
        if self._closing:
            return
        if conversation_id in self._tasks:
            self._again.add(conversation_id)
            return
        self._tasks[conversation_id] = asyncio.create_task(self._drain(conversation_id, batch, sweep))

    async def idle(self) -> None:
        """Wait until no conversation has work in progress (tests and benchmarks)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks.values()), return_exceptions=True)

    async def close(self) -> None:
        self._closing = True
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def still_ours(self, conversation_id: str) -> bool:
        """Whether this replica may act for the conversation now: always without leases; with
        them, while its lease is held and fresh (asked before each Rasa call and each send)."""
        return self.leases is None or self.leases.still_held(f"{self.lease_kind}:{conversation_id}")

    async def step(self, conversation_id: str, batch: Optional[Any] = None) -> bool:
        """Do the conversation's next piece of work (`batch`, else read it); False when done."""
        raise NotImplementedError

    async def has_work(self, conversation_id: str) -> bool:
        """Whether the database holds work for this conversation (read before a lease is let go)."""
        raise NotImplementedError

    async def _drain(self, conversation_id: str, batch: Optional[Any] = None, sweep: bool = False) -> None:
        stale = False
        try:
            if self.leases is None:
                await self._loop(conversation_id, batch)
                return
            name = f"{self.lease_kind}:{conversation_id}"
            async with self.leases.held(name, wait_seconds=0.0 if sweep else LEASE_WAIT_SECONDS) as held:
                # Work held in memory may already have been done by another replica: re-read. And
                # look once more before letting go: work another replica recorded while we held
                # the lease is ours to do (that replica may have given up waiting for us).
                while held:
                    await self._loop(conversation_id, None)
                    if not self.still_ours(conversation_id):
                        stale = True  # let go; then look again (the lease may just have been late)
                        break
                    if not await self.has_work(conversation_id):
                        break
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug or a database hiccup: logged; the sweep or the next kick retries
            logger.exception("%s worker failed", type(self).__name__)
        finally:
            self._tasks.pop(conversation_id, None)
        if stale:
            self.kick(conversation_id)

    async def _loop(self, conversation_id: str, batch: Optional[Any]) -> None:
        while True:
            self._again.discard(conversation_id)
            if not self.still_ours(conversation_id):
                logger.warning("%s stopped: its lease is no longer safe to act on", type(self).__name__)
                return  # the work stays pending: another replica, the sweep or the next kick does it
            more = await self.step(conversation_id, batch)
            batch = None
            # No await between "nothing found" and leaving: a kick in between re-arms the loop.
            if not more and conversation_id not in self._again:
                return
