"""Two requests for a counselor for one conversation at the same moment, one to each gateway (an
action server retrying after its first answer was lost): one request in the queue, not two."""

from __future__ import annotations

import asyncio
import uuid
from typing import List, Optional

import aiohttp

from bot.scaled import ScaledStack
from tests.scaled import load

TRIES = 20


async def ask(session: aiohttp.ClientSession, url: str, token: str, conversation: str) -> Optional[int]:
    status, _ = await load.casework_post(session, f"{url}/api/v1/handoffs", token, load.handoff_body(conversation))
    return status


def test_simultaneous_requests_to_both_gateways_open_one_handoff(scaled: ScaledStack) -> None:
    token = scaled.base_env()["CASEWORK_SERVICE_TOKEN"]
    conversations: List[str] = [f"race-{uuid.uuid4().hex[:12]}-{i}" for i in range(TRIES)]

    async def race() -> List[Optional[int]]:
        async with aiohttp.ClientSession() as session:
            statuses: List[Optional[int]] = []
            for conversation in conversations:
                statuses += await asyncio.gather(
                    ask(session, scaled.gateway_url(1), token, conversation),
                    ask(session, scaled.gateway_url(2), token, conversation),
                )
            return statuses

    statuses = asyncio.run(race())
    assert all(status in (200, 201) for status in statuses), statuses
    counts = asyncio.run(load.casework_counts(scaled.base_env()["DATABASE_URL"], [], conversations))
    assert counts["handoffs"] == {conversation: 1 for conversation in conversations}
