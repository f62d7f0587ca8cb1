"""Outbound messages that failed for good: listed for admins without their text."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.database import create_engine, session_factory
from bot.store.models import OutboxMessage


async def print_dead_letters(database_url: str, limit: int = 50) -> int:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            rows = (
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.status == "failed")
                    .order_by(OutboxMessage.id.desc())
                    .limit(limit)
                )
            ).all()
    finally:
        await engine.dispose()
    if not rows:
        print("no failed messages")
        return 0
    print(f"{'id':>8}  {'channel':<9} {'attempts':>8}  {'updated (UTC)':<19}  error")
    for row in rows:
        print(f"{row.id:>8}  {row.channel:<9} {row.attempts:>8}  {row.updated_at:%Y-%m-%d %H:%M:%S}  {row.error}")
    return 0
