"""Load and soak over the webhooks: one replica set vs two (bot/scaled.py behind nginx).

N simulated Telegram users (default 100) each send a message, wait for the bot's answer (a
holding message is not one), read the rest of it, think for a second, and go on, for `--seconds`
(default 600) per topology. Prints a table and draws PNG plots: throughput, ack and reply latency percentiles over
time, and the memory (RSS) of every process over time. Lost = acknowledged but never answered;
duplicated = more platform sends than outbox rows marked sent.

    .venv/gateway/bin/python bench/load.py --seconds 600 --users 100 --replicas 1,2
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import aiohttp

from bot.scaled import ScaledStack, drop_database
from bot.settings import VAR_DIR
from tests.fakes import FakeGraph, FakeTelegram
from tests.scaled import load
from tests.scaled.private_redis import PrivateRedis

TOKEN = "424242:integration-token"  # noqa: S105 - the fake Bot API's


@dataclass
class Run:
    replicas: int
    seconds: float
    acks: List[Tuple[float, float]] = field(default_factory=list)  # (t, ms)
    replies: List[Tuple[float, float]] = field(default_factory=list)  # (t, s to the first reply)
    errors: int = 0
    unanswered: int = 0
    memory: Dict[str, List[Tuple[float, float]]] = field(default_factory=dict)  # name → (t, MiB)
    counts: Dict[str, int] = field(default_factory=dict)
    sends: int = 0


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def percentile(values: List[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def user(session: aiohttp.ClientSession, sends_to: load.SendCounter, url: str, chat: int,
               started: float, until: float, run: Run) -> None:
    update_id = chat * 10_000
    while time.monotonic() < until:
        update_id += 1
        update = load.update_for(chat, update_id, load.TEXTS[update_id % len(load.TEXTS)])
        before = sends_to.answers(chat)
        sent = time.monotonic()
        try:
            async with session.post(f"{url}/telegram/webhook", json=update, headers=load.HEADERS,
                                    timeout=aiohttp.ClientTimeout(total=30)) as response:
                ok = response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError):
            ok = False
        if not ok:
            run.errors += 1
            await asyncio.sleep(1)
            continue
        run.acks.append((sent - started, (time.monotonic() - sent) * 1000))
        # The answer, not a holding message ("I have kept your message"): a person waits for it.
        while sends_to.answers(chat) == before and time.monotonic() - sent < 60:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        if sends_to.answers(chat) == before:
            run.unanswered += 1
        else:
            run.replies.append((sent - started, time.monotonic() - sent))
        # A turn's answer can be several messages: read them all before writing again, or the
        # next message's "answer" is the rest of this one's and the user outruns the bot.
        while True:
            seen = sends_to(chat)
            await asyncio.sleep(0.5)
            if sends_to(chat) == seen:
                break
        await asyncio.sleep(0.5)  # thinking (1 s since the last message, with the wait above)


def measure(replicas: int, seconds: float, users: int, out: Path) -> Run:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    telegram, graph = FakeTelegram(TOKEN), FakeGraph("graph-token")
    telegram_url = asyncio.run_coroutine_threadsafe(telegram.start(), loop).result(30)
    graph_url = asyncio.run_coroutine_threadsafe(graph.start(), loop).result(30)
    # A Redis of its own, like the fault tests: the machine's may carry other stacks' locks and signals.
    (out / f"redis-{replicas}").mkdir(parents=True, exist_ok=True)
    redis = PrivateRedis(out / f"redis-{replicas}")
    redis.start()
    stack = ScaledStack(
        var_dir=out / f"scaled-{replicas}", replicas=replicas, fresh=True, redis_url=redis.url,
        database_prefix=f"sp_bench_{uuid.uuid4().hex[:6]}",
        extra_env={
            "PSEUDONYM_KEY": "bench-key", "RASA_AUTH_TOKEN": "bench-rasa", "CASEWORK_SERVICE_TOKEN": "bench-service",
            "SAMPLE_DATA": "1",
            # A simulated user sends a message every few seconds: not abuse, so no per-sender limit.
            "SENDER_MESSAGES_PER_MINUTE": "100000",
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_PUBLIC_URL": "https://safepassage.example.org",
            "TELEGRAM_WEBHOOK_SECRET": load.TELEGRAM_SECRET, "TELEGRAM_API_URL": telegram_url,
            "WHATSAPP_API_URL": graph_url,
        },
    )
    run = Run(replicas, seconds)
    try:
        stack.start()
        stack.wait_up(timeout=600)
        started = time.monotonic()
        until = started + seconds
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                now = time.monotonic() - started
                for name, process in stack.processes.items():
                    run.memory.setdefault(name, []).append((now, rss_mib(process.pid)))
                stop.wait(5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        async def drive() -> None:
            connector = aiohttp.TCPConnector(limit=users * 2)
            async with aiohttp.ClientSession(connector=connector) as session:
                counter = load.SendCounter(telegram)
                await asyncio.gather(*(user(session, counter, stack.public_url, 5_000_000 + i, started, until, run)
                                       for i in range(users)))

        asyncio.run(drive())
        stop.set()
        sampler.join()
        run.counts = asyncio.run(load.settle(stack.base_env()["DATABASE_URL"], timeout=180))
        run.sends = sum(1 for call in list(telegram.calls) if call.method == "sendMessage")
    finally:
        stack.stop()
        redis.stop()
        for name in ("gateway", "rasa"):
            drop_database(stack.postgres_url, f"{stack.database_prefix}_{name}")
        asyncio.run_coroutine_threadsafe(telegram.close(), loop).result(30)
        asyncio.run_coroutine_threadsafe(graph.close(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
    return run


def table(runs: List[Run]) -> str:
    lines = [
        "| replicas | seconds | messages | turns/s | ack p50 ms | ack p99 ms | reply p50 s | reply p95 s | reply p99 s "
        "| errors | lost | duplicated | peak RSS MiB (gateway / rasa / actions / nginx) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        acks = [ms for _, ms in run.acks]
        replies = [s for _, s in run.replies]
        lost = run.unanswered + run.counts.get("inbox_pending", 0)
        duplicated = max(0, run.sends - run.counts.get("outbox_sent", 0))

        def peak(kind: str, memory: Dict[str, List[Tuple[float, float]]] = run.memory) -> str:
            return " + ".join(f"{max((m for _, m in series), default=0):.0f}"
                              for name, series in sorted(memory.items()) if name.startswith(kind))

        lines.append(
            f"| {run.replicas} | {run.seconds:.0f} | {len(replies)} | {len(replies) / run.seconds:.1f} "
            f"| {percentile(acks, .5):.0f} | {percentile(acks, .99):.0f} | {percentile(replies, .5):.2f} "
            f"| {percentile(replies, .95):.2f} | {percentile(replies, .99):.2f} | {run.errors} | {lost} | {duplicated} "
            f"| {peak('gateway')} / {peak('rasa')} / {peak('actions')} / {peak('nginx')} |"
        )
    return "\n".join(lines)


def plot(runs: List[Run], out: Path, window: float = 15.0) -> List[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(3, 1, figsize=(10, 11), sharex=True)
    for run in runs:
        label = f"{run.replicas} replica set{'s' if run.replicas > 1 else ''}"
        edges = [i * window for i in range(int(run.seconds // window) + 1)]
        mids, p50, p95, ack99, rate = [], [], [], [], []
        for start in edges:
            in_window = [s for t, s in run.replies if start <= t < start + window]
            acks = [ms for t, ms in run.acks if start <= t < start + window]
            if not in_window:
                continue
            mids.append(start + window / 2)
            p50.append(statistics.median(in_window))
            p95.append(percentile(in_window, .95))
            ack99.append(percentile(acks, .99))
            rate.append(len(in_window) / window)
        axes[0].plot(mids, rate, label=label)
        axes[1].plot(mids, p50, label=f"{label}: reply p50")
        axes[1].plot(mids, p95, linestyle="--", label=f"{label}: reply p95")
        axes[2].plot(mids, ack99, label=f"{label}: ack p99")
    axes[0].set_ylabel("turns/s")
    axes[1].set_ylabel("reply latency (s)")
    axes[2].set_ylabel("webhook ack (ms)")
    axes[2].set_xlabel("seconds into the run")
    for axis in axes:
        axis.legend(fontsize=8)
        axis.grid(alpha=.3)
    figure.suptitle("Load over the Telegram webhook: throughput and latency")
    latency = out / "load-latency.png"
    figure.savefig(latency, dpi=90, bbox_inches="tight")

    figure, axes = plt.subplots(len(runs), 1, figsize=(10, 4 * len(runs)), squeeze=False)
    for axis, run in zip(axes[:, 0], runs, strict=True):
        for name, series in sorted(run.memory.items()):
            axis.plot([t for t, _ in series], [m for _, m in series], label=name)
        axis.set_title(f"RSS per process, {run.replicas} replica set(s)")
        axis.set_ylabel("MiB")
        axis.legend(fontsize=7, ncol=4)
        axis.grid(alpha=.3)
    memory = out / "load-memory.png"
    figure.savefig(memory, dpi=90, bbox_inches="tight")
    return [latency, memory]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--replicas", default="1,2")
    parser.add_argument("--out", type=Path, default=VAR_DIR / "bench" / "load")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    runs = []
    for replicas in (int(n) for n in args.replicas.split(",")):
        print(f"{replicas} replica set(s): {args.users} users for {args.seconds:.0f}s ...", flush=True)
        runs.append(measure(replicas, args.seconds, args.users, args.out))
    print(table(runs))
    for path in plot(runs, args.out):
        print(f"plot: {path}")


if __name__ == "__main__":
    main()
