"""Leases: which gateway replica does a piece of background work right now.

Several gateways share one PostgreSQL database. A conversation's turns and its outbox must run
in one place at a time (or two replicas would answer a message twice, send a reply twice or send
replies out of order), and the handoff sweep and the notification loop must not run twice over
the same rows. A lease is a row `name → holder, expires_at`: taken when free or expired, renewed
while the work runs, dropped when it ends. A replica killed with its leases held loses them when
they expire, and another replica's sweep picks the work up.

A lease is only as good as its renewals: a replica whose event loop or database pool is so busy
that it misses them can find, at its next renewal, that another replica has taken the work over.
So a worker asks `still_held(name)` before each side effect (a Rasa call, a platform send): it is
False once a renewal found the lease taken, or once the last successful renewal is older than
`SAFE_FRACTION` of the lifetime (another replica may be about to take it). The outbox also claims
each row before sending it (bot/delivery/outbox.py), and a turn's answer is stored only if its
message is still unanswered (bot/router.py), so a replica that lost its lease sends nothing twice.

SQLite deployments run one gateway: there the leases are off (`Leases.enabled` is False) unless a
test switches them on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from datetime import datetime, timedelta
from typing import AsyncIterator, Dict, Optional

from sqlalchemy import DateTime, String, delete, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, utcnow

logger = logging.getLogger(__name__)

# A lease whose last renewal is older than this share of its lifetime is no longer relied on.
SAFE_FRACTION = 0.7


class WorkerLease(Base):
    """One lease (migration 0007)."""

    __tablename__ = "worker_leases"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    holder: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def replica_id() -> str:
    """This process, unique across hosts and restarts (a restarted replica holds nothing)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Leases:
    def __init__(
        self, db: async_sessionmaker[AsyncSession], holder: Optional[str] = None, ttl_seconds: float = 30.0
    ) -> None:
        self.db = db
        self.holder = holder or replica_id()
        self.ttl = ttl_seconds
        self._renewed: Dict[str, float] = {}  # lease held in a held() block → monotonic time of its last renewal

    def still_held(self, name: str) -> bool:
        """Whether this replica can still act on `name`'s work (see the module docstring)."""
        renewed = self._renewed.get(name)
        return renewed is not None and time.monotonic() - renewed < self.ttl * SAFE_FRACTION

    async def acquire(self, name: str) -> bool:
        """Take the lease if it is free, expired or already ours; True when we hold it."""
        now = utcnow()
        expires = now + timedelta(seconds=self.ttl)
        async with self.db() as session, session.begin():
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            upsert = insert(WorkerLease).values(name=name, holder=self.holder, expires_at=expires)
            statement = upsert.on_conflict_do_update(
                index_elements=[WorkerLease.name],
                set_={"holder": self.holder, "expires_at": expires},
                where=(WorkerLease.expires_at < now) | (WorkerLease.holder == self.holder),
            ).returning(WorkerLease.holder)
            holder = (await session.execute(statement)).scalar()
        return holder == self.holder

    async def renew(self, name: str) -> bool:
        """Push our lease's expiry on; False when it was lost (expired and taken by another)."""
        async with self.db() as session, session.begin():
            result = await session.execute(
                update(WorkerLease)
                .where(WorkerLease.name == name, WorkerLease.holder == self.holder)
                .values(expires_at=utcnow() + timedelta(seconds=self.ttl))
            )
        return bool(getattr(result, "rowcount", 0))

    async def release(self, name: str) -> None:
        async with self.db() as session, session.begin():
            await session.execute(
                delete(WorkerLease).where(WorkerLease.name == name, WorkerLease.holder == self.holder)
            )

    @contextlib.asynccontextmanager
    async def held(self, name: str, wait_seconds: float = 0.0, poll_seconds: float = 0.25) -> AsyncIterator[bool]:
        """Hold `name` for the block (renewed in the background); yields False when another
        replica kept it for `wait_seconds`. The lease is dropped at the end of the block."""
        deadline = asyncio.get_running_loop().time() + wait_seconds
        asked = time.monotonic()
        got = await self.acquire(name)
        while not got and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(poll_seconds)
            asked = time.monotonic()
            got = await self.acquire(name)
        if not got:
            yield False
            return
        self._renewed[name] = asked  # the expiry written counts from before the request
        keeper = asyncio.create_task(self._keep(name))
        try:
            yield True
        finally:
            self._renewed.pop(name, None)
            keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await keeper
            try:
                await asyncio.shield(self.release(name))
            except Exception as exc:  # it expires on its own
                logger.info("lease release failed: %s", type(exc).__name__)

    async def _keep(self, name: str) -> None:
        while True:
            await asyncio.sleep(self.ttl / 4)
            asked = time.monotonic()
            try:
                if await self.renew(name):
                    self._renewed[name] = asked
                else:  # another replica has it: stop acting on it (still_held is False from now)
                    self._renewed.pop(name, None)
                    logger.warning("a worker lease was lost while held")
                    return
            except Exception as exc:  # the database is away: try again; the lease may expire
                logger.warning("lease renewal failed: %s", type(exc).__name__)
