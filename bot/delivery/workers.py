"""One worker task per conversation with pending work: its items run one at a time, in order,
while different conversations run in parallel. The turn runner and the outbox both use it."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, Optional

logger = logging.getLogger(__name__)


class ConversationWorkers:
    def __init__(self) -> None:
        self._tasks: Dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._closing = False

    def kick(self, conversation_id: str, batch: Optional[Any] = None) -> None:
        """Make sure a worker is on this conversation; a running one looks again before it stops.

        `batch`: work the caller already holds in memory. It is used only when no worker is on the
        conversation (then nothing older can be waiting in line), saving a database read.
        """
        if self._closing:
            return
        if conversation_id in self._tasks:
            self._again.add(conversation_id)
            return
        self._tasks[conversation_id] = asyncio.create_task(self._drain(conversation_id, batch))

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

    async def step(self, conversation_id: str, batch: Optional[Any] = None) -> bool:
        """Do the conversation's next piece of work (`batch`, else read it); False when done."""
        raise NotImplementedError

    async def _drain(self, conversation_id: str, batch: Optional[Any] = None) -> None:
        try:
            while True:
                self._again.discard(conversation_id)
                more = await self.step(conversation_id, batch)
                batch = None
                # No await between "nothing found" and leaving: a kick in between re-arms the loop.
                if not more and conversation_id not in self._again:
                    return
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug or a database hiccup: logged; the sweep or the next kick retries
            logger.exception("%s worker failed", type(self).__name__)
        finally:
            self._tasks.pop(conversation_id, None)
