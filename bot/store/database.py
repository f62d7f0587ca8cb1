"""Engine and session factory for the gateway database (SQLite by default, PostgreSQL scaled out)."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Optional

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine


def create_engine(url: str) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, enforced foreign keys and a single connection.

    SQLite lets one writer in at a time and makes the others sleep and retry (busy_timeout), which
    under a burst turned millisecond writes into seconds-long waits. One shared connection queues
    the gateway's sessions in asyncio instead (see `Gate`), with no sleeping.
    """
    if url.startswith("sqlite"):
        engine = create_async_engine(url, pool_size=1, max_overflow=0, pool_timeout=60)
    else:
        engine = create_async_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA secure_delete=ON")  # erased rows are overwritten, not left in free pages
            cursor.close()

    return engine


class Gate:
    """Who uses SQLite's one connection next: urgent sessions (a webhook's inbox write, which the
    platform is waiting on) go before ordinary ones (turns, sends); each kind in arrival order."""

    def __init__(self) -> None:
        self._busy = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._ordinary: deque[asyncio.Future[None]] = deque()

    async def acquire(self, urgent: bool) -> None:
        if not self._busy:
            self._busy = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._ordinary).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # it was handed over just as we were cancelled: pass it on
            raise

    def release(self) -> None:
        for queue in (self._urgent, self._ordinary):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # the connection passes straight to the next session
                    return
        self._busy = False


class GatedSession(AsyncSession):
    """An AsyncSession that waits its turn at the engine's gate (SQLite only) while it is open.

    `db(info={"urgent": True})` asks for the front of the queue.
    """

    _gate_held: Optional[Gate] = None

    async def __aenter__(self) -> GatedSession:
        gate = self.info.get("gate")
        if isinstance(gate, Gate):
            await gate.acquire(bool(self.info.get("urgent")))
            self._gate_held = gate
        await super().__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await super().__aexit__(*exc)
        finally:
            gate, self._gate_held = self._gate_held, None
            if gate is not None:
                gate.release()


def session_factory(engine: AsyncEngine) -> async_sessionmaker:  # type: ignore[type-arg]
    info = {"gate": Gate()} if engine.dialect.name == "sqlite" else {}
    return async_sessionmaker(engine, expire_on_commit=False, class_=GatedSession, info=info)
