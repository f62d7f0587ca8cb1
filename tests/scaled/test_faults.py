"""Faults under load on the replicated topology: after each, no message lost, no reply sent twice,
and every user heard from the bot (an answer or the holding message) within 15 s.

The outbox worker runs inside each gateway process, so "kill -9 the outbox worker" is the
gateway kill: its sends in flight are taken over by the other replica once its leases expire.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from typing import Callable, Dict

import aiohttp
import pytest

from bot.scaled import ScaledStack
from tests.integration.conftest import Fakes
from tests.scaled import load

USERS = 8
LOAD_SECONDS = 40.0
FAULT_AT = 8.0
HOLDING_LIMIT = 15.0


def run_with_fault(stack: ScaledStack, fakes: Fakes, first_id: int,
                   fault: Callable[[], None], recover: Callable[[], None]) -> load.Results:
    results = load.Results()

    def breaker() -> None:
        time.sleep(FAULT_AT)
        fault()
        time.sleep(5)
        recover()

    thread = threading.Thread(target=breaker)

    async def drive() -> None:
        until = time.monotonic() + LOAD_SECONDS
        async with aiohttp.ClientSession() as session:
            thread.start()
            await asyncio.gather(*(
                load.user(session, fakes.telegram, stack.public_url, stack.gateway_url(2), 990000 + first_id + i,
                          until, results, first_id * 1000 + i * 100)
                for i in range(USERS)
            ))

    asyncio.run(drive())
    thread.join()
    return results


def check(stack: ScaledStack, fakes: Fakes, results: load.Results) -> Dict[str, int]:
    counts = asyncio.run(load.settle(stack.base_env()["DATABASE_URL"]))
    sends = sum(1 for call in list(fakes.telegram.calls) if call.method == "sendMessage")
    slow = [round(s, 1) for s in results.first_response if s > HOLDING_LIMIT]
    print(f"\n  posted {results.posted}, redelivered {results.redelivered}, answered {len(results.first_response)}, "
          f"first response p50 {sorted(results.first_response)[len(results.first_response) // 2]:.1f}s "
          f"max {max(results.first_response):.1f}s; {counts}; platform sends {sends}")
    assert results.posted > USERS  # the load really ran
    assert results.unanswered == []  # 0 inbound messages lost
    assert counts["inbox_pending"] == 0 and counts["outbox_pending"] == 0 and counts["outbox_failed"] == 0
    assert counts["inbox_total"] >= results.posted  # every acknowledged message is in the inbox, once
    assert sends == counts["outbox_sent"]  # 0 replies sent twice
    assert slow == []  # every user heard from the bot within 15 s
    return counts


def kill_and_restart(stack: ScaledStack, name: str) -> tuple[Callable[[], None], Callable[[], None]]:
    return (lambda: stack.kill(name, signal.SIGKILL)), (lambda: stack.restart(name))


FAULTS = ["gateway-1", "rasa-1", "actions-1", "hang rasa-2"]


@pytest.mark.parametrize("fault", FAULTS)
def test_nothing_is_lost_or_sent_twice_when_a_process_fails_under_load(
    scaled: ScaledStack, fakes: Fakes, fault: str
) -> None:
    first_id = 1 + FAULTS.index(fault) * 10
    if fault.startswith("hang "):
        name = fault.split()[1]
        # SIGSTOP: the process hangs with its connections open (nginx cannot tell it is gone).
        breaking, recovering = (lambda: stack_signal(scaled, name, signal.SIGSTOP)), (
            lambda: stack_signal(scaled, name, signal.SIGCONT))
    else:
        name = fault
        breaking, recovering = kill_and_restart(scaled, name)
    results = run_with_fault(scaled, fakes, first_id, breaking, recovering)
    scaled.wait_up([name], timeout=300)
    check(scaled, fakes, results)


def stack_signal(stack: ScaledStack, name: str, sig: int) -> None:
    stack.kill(name, sig)
