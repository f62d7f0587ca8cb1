"""SQLite's one connection is shared in order, with a webhook's inbox write at the front."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import List

from sqlalchemy import text

from bot.store.database import Gate, create_engine, session_factory
from bot.store.migrate import upgrade


async def test_urgent_waiters_go_first_then_the_others_in_arrival_order() -> None:
    gate = Gate()
    order: List[str] = []
    await gate.acquire(urgent=False)  # someone is using the connection

    async def use(name: str, urgent: bool) -> None:
        await gate.acquire(urgent)
        order.append(name)
        await asyncio.sleep(0)
        gate.release()

    tasks = [asyncio.create_task(use(name, urgent)) for name, urgent in
             (("turn-1", False), ("turn-2", False), ("webhook-1", True), ("webhook-2", True))]
    await asyncio.sleep(0.01)
    gate.release()
    await asyncio.gather(*tasks)
    assert order == ["webhook-1", "webhook-2", "turn-1", "turn-2"]


async def test_a_cancelled_waiter_does_not_block_the_others() -> None:
    gate = Gate()
    await gate.acquire(urgent=False)
    stuck = asyncio.create_task(gate.acquire(urgent=True))
    await asyncio.sleep(0)
    stuck.cancel()
    after = asyncio.create_task(gate.acquire(urgent=False))
    await asyncio.sleep(0)
    gate.release()
    await asyncio.wait_for(after, timeout=1)  # the connection passed over the cancelled waiter


async def test_sessions_on_sqlite_wait_their_turn_instead_of_failing(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"
    upgrade(url)
    engine = create_engine(url)
    db = session_factory(engine)

    async def write(i: int) -> None:
        async with db(info={"urgent": i % 2 == 0}) as session, session.begin():
            await session.execute(
                text("INSERT INTO conversations (id, channel, owner, created_at, "
                                              "last_message_at, media_count) VALUES (:id, 'web', 'bot', "
                                              "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0)"), {"id": f"c{i}"})

    await asyncio.gather(*(write(i) for i in range(40)))
    async with db() as session:
        count = await session.scalar(text("SELECT count(*) FROM conversations"))
    await engine.dispose()
    assert count == 40
