"""Faults under load on the replicated topology: after each, no message lost, no reply sent twice,
every user heard from the bot (an answer or the holding message) within 15 s, and every report
and handoff the casework API acknowledged meanwhile stored, once.

The outbox worker runs inside each gateway process, so "kill -9 the outbox worker" is the
gateway kill: its sends in flight are taken over by the other replica once its leases expire.
Redis is the suite's own (tests/scaled/private_redis.py), killed with -9 and restarted empty.
"""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from typing import Callable, Dict, List

import aiohttp
import pytest
import redis

from bot.channels import notes
from bot.handoff.fanout import CHANNEL as CONSOLE_SIGNALS
from bot.scaled import ScaledStack
from tests.integration.conftest import Fakes
from tests.scaled import load
from tests.scaled.private_redis import PrivateRedis

USERS = 8
LOAD_SECONDS = 40.0
FAULT_AT = 8.0
HOLDING_LIMIT = 15.0


def chats_of(first_id: int) -> List[int]:
    return [990000 + first_id + i for i in range(USERS)]


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
            await asyncio.gather(
                load.caseworker(session, stack.public_url, stack.gateway_url(2),
                                stack.base_env()["CASEWORK_SERVICE_TOKEN"], f"fault{first_id}", until, results),
                *(
                    load.user(session, fakes.telegram, stack.public_url, stack.gateway_url(2), chat,
                              until, results, first_id * 1000 + i * 100)
                    for i, chat in enumerate(chats_of(first_id))
                ),
            )

    asyncio.run(drive())
    thread.join()
    return results


def check(stack: ScaledStack, fakes: Fakes, results: load.Results, chats: List[int],
          sends_in_doubt: int = 0) -> None:
    """This fault's users only: nothing lost, nothing sent twice, each heard from within 15 s.

    `sends_in_doubt`: a gateway killed between the platform's accepting a message and its outbox
    recording it leaves that message pending; the replica that takes over sends it again (at
    least once: neither Telegram nor WhatsApp takes an idempotency key, and not sending it could
    lose a reply). At most one per conversation the killed gateway was sending to.
    """
    counts = asyncio.run(load.settle(stack.base_env()["DATABASE_URL"]))
    key = stack.base_env()["PSEUDONYM_KEY"]
    mine = asyncio.run(load.counts_for(stack.base_env()["DATABASE_URL"],
                                       [load.conversation_of(key, chat) for chat in chats]))
    sends = sum(load.sends_to(fakes.telegram, chat) for chat in chats)
    duplicated = sends - mine["outbox_sent"]
    slow = [round(s, 1) for s in results.first_response if s > HOLDING_LIMIT]
    print(f"\n  posted {results.posted}, redelivered {results.redelivered}, answered {len(results.first_response)}, "
          f"first response p50 {sorted(results.first_response)[len(results.first_response) // 2]:.1f}s "
          f"max {max(results.first_response):.1f}s; lost {len(results.unanswered)}, duplicated {duplicated}; "
          f"{counts}; this fault's users: {mine}, platform sends {sends}")
    assert results.posted > USERS  # the load really ran
    assert results.unanswered == []  # 0 inbound messages lost
    assert counts["inbox_pending"] == 0 and counts["outbox_pending"] == 0 and counts["outbox_failed"] == 0
    assert mine["inbox"] == results.posted  # every acknowledged message is in the inbox, once
    assert 0 <= duplicated <= sends_in_doubt  # no reply sent twice (but a killed gateway's send in flight)
    assert slow == []  # every user heard from the bot within 15 s
    check_casework(stack, results.casework)


def check_casework(stack: ScaledStack, casework: load.Casework) -> None:
    """Every report acknowledged is stored once (its idempotency key); every handoff acknowledged
    exists once, and no conversation got two (a retry finds the open one)."""
    stored = asyncio.run(load.casework_counts(stack.base_env()["DATABASE_URL"], casework.reports,
                                              casework.handoffs_tried))
    reports_stored = sum(1 for key in casework.reports if stored["cases"].get(key) == 1)
    handoffs_stored = sum(1 for conversation in casework.handoffs if stored["handoffs"].get(conversation) == 1)
    twice = {conversation: n for conversation, n in stored["handoffs"].items() if n > 1}
    print(f"  reports acknowledged {len(casework.reports)}, stored once {reports_stored}, "
          f"retried {casework.reports_retried}; handoffs acknowledged {len(casework.handoffs)}, "
          f"stored once {handoffs_stored}, retried {casework.handoffs_retried}, more than one {twice}; "
          f"refused {casework.refused}, never acknowledged {casework.unacknowledged}")
    assert len(casework.reports) > 0 and len(casework.handoffs) > 0  # the casework driver really ran
    assert casework.refused == [] and casework.unacknowledged == []
    assert reports_stored == len(casework.reports)  # 0 reports lost
    assert handoffs_stored == len(casework.handoffs) and twice == {}  # 0 handoffs lost, none twice


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
    check(scaled, fakes, results, chats_of(first_id),
          sends_in_doubt=USERS if fault.startswith("gateway") else 0)


def stack_signal(stack: ScaledStack, name: str, sig: int) -> None:
    stack.kill(name, sig)


def test_nothing_is_lost_or_sent_twice_when_redis_is_killed_under_load(
    scaled: ScaledStack, fakes: Fakes, private_redis: PrivateRedis
) -> None:
    """kill -9 Redis (Rasa's lock store, the console signals' fan-out), restart it 5 s later, empty."""
    first_id = 1 + len(FAULTS) * 10
    results = run_with_fault(scaled, fakes, first_id, private_redis.kill, private_redis.start)
    check(scaled, fakes, results, chats_of(first_id))
    # The console signals' fan-out: both gateways are listening on the new Redis again.
    listeners = 0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        client = redis.Redis.from_url(private_redis.url)
        try:
            listeners = int(dict(client.pubsub_numsub(CONSOLE_SIGNALS))[CONSOLE_SIGNALS.encode()])
        finally:
            client.close()
        if listeners == 2:
            break
        time.sleep(0.5)
    assert listeners == 2
    # Rasa's lock store: each user's next message gets the bot's answer, not the holding message.
    chats = chats_of(first_id)
    answers = asyncio.run(answer_each(scaled, fakes, chats, first_id * 1000 + 900))
    assert all(text and text != notes.say("HOLDING", "en") for text in answers.values()), answers


async def answer_each(stack: ScaledStack, fakes: Fakes, chats: List[int], update_id: int) -> Dict[int, str]:
    """Send each chat one more message; the first thing the bot says back to each."""
    before = {chat: load.sends_to(fakes.telegram, chat) for chat in chats}
    async with aiohttp.ClientSession() as session:
        for offset, chat in enumerate(chats):
            update = load.update_for(chat, update_id + offset, "hello")
            assert await load.deliver(session, f"{stack.public_url}/telegram/webhook", update)
    answers: Dict[int, str] = {}
    deadline = time.monotonic() + 60
    while len(answers) < len(chats) and time.monotonic() < deadline:
        for chat in chats:
            sent = [call for call in list(fakes.telegram.calls) if call.method == "sendMessage"
                    and int(call.params.get("chat_id", 0)) == chat]
            if len(sent) > before[chat]:
                answers.setdefault(chat, str(sent[before[chat]].params.get("text", "")))
        await asyncio.sleep(0.2)
    return {chat: answers.get(chat, "") for chat in chats}
