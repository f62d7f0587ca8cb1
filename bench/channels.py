"""Telegram bridge benchmark: the gateway's webhook vs Rasa's REST channel vs Rasa's own Telegram connector.

Run with the gateway environment from the repository root: `make bench-channels`. Everything is on
127.0.0.1, with free ports, a scratch data folder and one trained model (models/safepassage.tar.gz):

- gateway bridge: simulated Telegram updates POSTed to the gateway's `/telegram/webhook`; replies
  reach a fake Bot API (tests/fakes.py) running in this process;
- Rasa REST (floor): the same texts POSTed to `/webhooks/rest/webhook` of the Rasa server the
  gateway uses; the reply is the HTTP response;
- Rasa built-in Telegram: a second `rasa run` (same model, same action server) with Rasa 3.6's
  Telegram connector pointed at the same fake Bot API (bench/rasa_telegram_fake.py).

Each round runs the three paths back to back (order rotated per round) in two phases, each with
fresh chats: an overload phase (`--ack-rate` updates/s for `--ack-seconds`, N users each sending
in turn) for the webhook ack latency and the throughput, then a paced phase (`--reply-rate` turns/s
for `--reply-seconds`) for the reply latency, lost and duplicated turns. Percentiles are over all
rounds pooled; throughput is the median of the rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import aiohttp
from aiohttp.test_utils import TestServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.channels import notes  # noqa: E402
from bot.launcher import MODEL, REPO_ROOT, Stack, rasa_bin  # noqa: E402
from bot.pseudonym import pseudonym  # noqa: E402
from tests.fakes import FakeTelegram  # noqa: E402

TOKEN = "123456:BENCH-token"  # noqa: S105 - the fake Bot API's token
WEBHOOK_SECRET = "bench-webhook-secret"  # noqa: S105 - loopback only
PSEUDONYM_KEY = "bench-pseudonym-key"
BOT_USERNAME = "safepassage_test_bot"  # what the fake's getMe answers
GATEWAY, REST, BUILTIN = "gateway", "rest", "builtin"
LABELS = {GATEWAY: "gateway bridge", REST: "Rasa REST (floor)", BUILTIN: "Rasa built-in Telegram"}

ADVERT = (
    "URGENT!!! Hiring 20 housemaids and cleaners for Dubai\n"
    "Salary 1500 USD per month, free food and accommodation\n"
    "No experience, no interview needed\n"
    "Processing fee 300 USD paid before departure, the agency keeps your passport for safety\n"
    "Travel on a visit visa, work permit done there\n"
    "Limited places, send your passport copy on WhatsApp +971 50 000 0000 today"
)
TEXTS = [
    "hi",
    "do I have to pay the agency a fee to get a job abroad?",
    "my employer is keeping my passport, is that allowed?",
    ADVERT,
    "help now they locked us in the house and took our phones",
    "Hello, good evening",
    "the recruiter says I must pay 500 dollars for the visa and training, is that normal",
    "can the agency hold my passport until I finish the contract",
    "what can you do",
    "thanks, bye",
]


def text_for(user: int, index: int) -> str:
    """User u's index-th message: every user walks the same list from a different place."""
    return TEXTS[(3 * user + index) % len(TEXTS)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: List[float], p: float) -> Optional[float]:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Turn:
    system: str
    round: int
    phase: str  # "ack" (overload) or "reply" (paced)
    user: int
    index: int
    chat: int
    text: str
    sent_at: float = 0.0
    done_at: Optional[float] = None  # HTTP response (the ack; for REST the reply)
    status: Optional[int] = None
    error: Optional[str] = None
    replies: List[str] = field(default_factory=list)  # texts received for this turn
    buttons: List[bool] = field(default_factory=list)  # REST only: which replies carry buttons
    first_reply_at: Optional[float] = None

    @property
    def ack_ms(self) -> Optional[float]:
        return None if self.done_at is None else (self.done_at - self.sent_at) * 1000

    @property
    def reply_ms(self) -> Optional[float]:
        return None if self.first_reply_at is None else (self.first_reply_at - self.sent_at) * 1000


# ---------------------------------------------------------------- processes (sync; cleaned up by main)


@dataclass
class Processes:
    scratch: Path
    stack: Optional[Stack] = None
    builtin: Optional[subprocess.Popen] = None  # type: ignore[type-arg]
    builtin_port: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)

    def start(self, fake_url: str) -> None:
        """The gateway stack (gateway, Rasa, action server) and a second Rasa with the Telegram connector."""
        self.stack = Stack(
            gateway_port=free_port(), rasa_port=free_port(), action_port=free_port(),
            var_dir=self.scratch / "stack",
            extra_env={
                "PSEUDONYM_KEY": PSEUDONYM_KEY, "RASA_AUTH_TOKEN": "bench-rasa-token",
                "CASEWORK_SERVICE_TOKEN": "bench-service-token",
                "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_PUBLIC_URL": "https://bench.invalid",
                "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET, "TELEGRAM_API_URL": fake_url,
            },
        )
        self.stack.start()
        self.builtin_port = free_port()
        folder = self.scratch / "builtin"
        folder.mkdir(parents=True)
        webhook_url = f"http://127.0.0.1:{self.builtin_port}/webhooks/telegram/webhook"
        (folder / "credentials.yml").write_text(
            "bench.rasa_telegram_fake.FakeApiTelegramInput:\n"
            f'  access_token: "{TOKEN}"\n  verify: "{BOT_USERNAME}"\n'
            f'  webhook_url: "{webhook_url}"\n  api_url: "{fake_url}"\n'
            f"  as_shipped: {'true' if os.environ.get('BENCH_RASA_AS_SHIPPED') == '1' else 'false'}\n",
            encoding="utf-8",
        )
        (folder / "endpoints.yml").write_text(
            f"action_endpoint:\n  url: http://127.0.0.1:{self.stack.action_port}/webhook\n"
            f"tracker_store:\n  type: SQL\n  url: sqlite:///{folder / 'tracker.db'}\n",
            encoding="utf-8",
        )
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT), RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2")
        command = [
            str(rasa_bin()), "run", "-i", "127.0.0.1", "-p", str(self.builtin_port), "-m", str(MODEL),
            "--credentials", str(folder / "credentials.yml"), "--endpoints", str(folder / "endpoints.yml"),
        ]
        with open(folder / "rasa.log", "ab") as log:
            self.builtin = subprocess.Popen(  # noqa: S603 - our own rasa binary, fixed arguments
                command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )

    def wait_ready(self, timeout: float = 300.0) -> None:
        """Until the gateway's /healthz is all green and the second Rasa answers; `stopping` ends it early."""
        assert self.stack is not None and self.builtin is not None
        deadline = time.monotonic() + timeout
        stack_ok = builtin_ok = False
        while time.monotonic() < deadline and not self.stopping.is_set():
            for name, process in [*self.stack.processes.items(), ("built-in Telegram Rasa", self.builtin)]:
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}; logs in {self.scratch}")
            components = self.stack.health()
            stack_ok = bool(components) and all(v == "ok" for v in (components or {}).values())
            try:
                url = f"http://127.0.0.1:{self.builtin_port}/webhooks/telegram/"
                with urllib.request.urlopen(url, timeout=5) as response:
                    builtin_ok = response.status == 200
            except (OSError, urllib.error.URLError):
                builtin_ok = False
            if stack_ok and builtin_ok:
                return
            time.sleep(1)
        if not self.stopping.is_set():
            raise TimeoutError(f"not up after {timeout:.0f}s (gateway stack {stack_ok}, built-in Rasa {builtin_ok})")

    def stop(self) -> None:
        """SIGTERM each process group, SIGKILL what is left after 10 s."""
        if self.builtin is not None:
            _signal_group(self.builtin, signal.SIGTERM)
        if self.stack is not None:
            self.stack.stop()
        if self.builtin is not None:
            try:
                self.builtin.wait(10)
            except subprocess.TimeoutExpired:
                _signal_group(self.builtin, signal.SIGKILL)
                self.builtin.wait()
            self.builtin = None


def _signal_group(process: subprocess.Popen, sig: int) -> None:  # type: ignore[type-arg]
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------- load


def telegram_update(update_id: int, turn: Turn) -> Dict[str, Any]:
    person = {"id": turn.chat, "first_name": f"User{turn.user}"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 100 + turn.index,
            "from": {**person, "is_bot": False, "language_code": "en"},
            "chat": {**person, "type": "private"},
            "date": int(time.time()),
            "text": turn.text,
        },
    }


class Bench:
    def __init__(self, args: argparse.Namespace, fake: FakeTelegram, procs: Processes) -> None:
        self.args = args
        self.fake = fake
        self.procs = procs
        self.update_ids = iter(range(500_000_000, 600_000_000))
        self.session: Optional[aiohttp.ClientSession] = None
        self.rounds: List[Dict[Tuple[str, str], List[Turn]]] = []
        self.outcome: Tuple[int, int] = (0, 0)

    def url(self, system: str) -> str:
        assert self.procs.stack is not None
        if system == GATEWAY:
            return f"{self.procs.stack.gateway_url}/telegram/webhook"
        if system == REST:
            return f"http://127.0.0.1:{self.procs.stack.rasa_port}/webhooks/rest/webhook"
        return f"http://127.0.0.1:{self.procs.builtin_port}/webhooks/telegram/webhook"

    async def post(self, system: str, turn: Turn) -> None:
        assert self.session is not None
        if system == REST:
            body: Dict[str, Any] = {"sender": f"bench-{turn.chat}", "message": turn.text}
            headers: Dict[str, str] = {}
        else:
            body, headers = telegram_update(next(self.update_ids), turn), {}
            if system == GATEWAY:
                headers["X-Telegram-Bot-Api-Secret-Token"] = WEBHOOK_SECRET
        turn.sent_at = time.monotonic()
        try:
            async with self.session.post(self.url(system), json=body, headers=headers) as response:
                raw = await response.read()
                turn.done_at, turn.status = time.monotonic(), response.status
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            turn.error = type(exc).__name__
            return
        if system == REST and turn.status == 200:
            for item in json.loads(raw):
                if item.get("text") or item.get("buttons"):
                    turn.replies.append(str(item.get("text") or ""))
                    turn.buttons.append(bool(item.get("buttons")))
            if turn.replies:
                turn.first_reply_at = turn.done_at

    async def phase(
        self, system: str, rnd: int, phase: str, rate: float, seconds: float, users: int = 0
    ) -> List[Turn]:
        users, count = users or self.args.users, max(1, round(rate * seconds))
        chat_base = 6_100_000_000 + rnd * 1_000_000 + (0 if phase == "ack" else 500_000) + 1000 * "grb".index(system[0])
        turns = [
            Turn(system, rnd, phase, i % users, i // users, chat_base + i % users, text_for(i % users, i // users))
            for i in range(count)
        ]
        first_call = len(self.fake.calls)
        started = time.monotonic()
        tasks = []
        for i, turn in enumerate(turns):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.post(system, turn)))
        await asyncio.gather(*tasks)
        if system != REST:
            await self.settle(system, turns, first_call)
            self.attribute(turns, first_call)
        return turns

    async def settle(self, system: str, turns: List[Turn], first_call: int) -> None:
        """Wait for the replies, then `quiet` s without a send (the gateway: and nothing pending in its
        inbox or outbox); give up `--timeout` s after the last update (the overload phase: 4x that)."""
        chats = {t.chat for t in turns}
        last_sent = max(t.sent_at for t in turns)
        overload = turns[0].phase == "ack"
        quiet = self.args.quiet
        cap = self.args.timeout * (4 if overload else 1)
        while time.monotonic() - last_sent < cap:
            await asyncio.sleep(0.25)
            sends = [c for c in self.fake.calls[first_call:] if c.method == "sendMessage"
                     and int(c.params.get("chat_id", 0)) in chats]
            latest = max((c.at for c in sends), default=last_sent)
            if time.monotonic() - latest < quiet:
                continue
            if system == GATEWAY:
                if await asyncio.to_thread(self.gateway_pending) == 0:
                    return
            elif {int(c.params["chat_id"]) for c in sends} >= chats or time.monotonic() - latest >= 3 * quiet:
                return

    def gateway_outcome(self) -> Tuple[int, int]:
        """Inbox messages never answered and replies given up on (dead letters), at the end of the run."""
        assert self.procs.stack is not None
        path = self.procs.stack.var_dir / "gateway.db"
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            pending = db.execute("SELECT count(*) FROM inbox WHERE status = 'pending'").fetchone()[0]
            failed = db.execute("SELECT count(*) FROM outbox WHERE status = 'failed'").fetchone()[0]
        return int(pending), int(failed)

    def gateway_pending(self) -> int:
        """Inbox messages not yet answered plus Telegram replies not yet sent, from the gateway's database."""
        assert self.procs.stack is not None
        path = self.procs.stack.var_dir / "gateway.db"
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
            row = db.execute(
                "SELECT (SELECT count(*) FROM inbox WHERE status = 'pending')"
                " + (SELECT count(*) FROM outbox WHERE status = 'pending' AND channel = 'telegram')"
            ).fetchone()
        return int(row[0])

    def attribute(self, turns: List[Turn], first_call: int) -> None:
        """Each sendMessage to a chat belongs to that chat's latest update sent before it."""
        by_chat: Dict[int, List[Turn]] = defaultdict(list)
        for turn in turns:
            by_chat[turn.chat].append(turn)
        for chat_turns in by_chat.values():
            chat_turns.sort(key=lambda t: t.sent_at)
        for call in self.fake.calls[first_call:]:
            if call.method != "sendMessage":
                continue
            chat_turns = by_chat.get(int(call.params.get("chat_id", 0)), [])
            owner = None
            for turn in chat_turns:
                if turn.sent_at <= call.at:
                    owner = turn
            if owner is None:
                continue
            owner.replies.append(str(call.params.get("text", "")))
            if owner.first_reply_at is None and call.at - owner.sent_at <= self.args.timeout:
                owner.first_reply_at = call.at

    async def run(self) -> None:
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=max(60.0, 2 * self.args.timeout))
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as self.session:
            # Warm-up, not measured: 10 users x 4 turns per path, so each Rasa has already seen every text
            # at every turn position the measured phases use (first predictions on a new dialogue length
            # are slow), and connections and caches are open.
            for system in (GATEWAY, REST, BUILTIN):
                await self.phase(system, 99, "reply", 10.0, 4.0, users=len(TEXTS))
            order = [GATEWAY, REST, BUILTIN]
            for rnd in range(self.args.rounds):
                results: Dict[Tuple[str, str], List[Turn]] = {}
                for system in order[rnd % 3:] + order[: rnd % 3]:
                    started = time.monotonic()
                    results[(system, "ack")] = await self.phase(
                        system, rnd, "ack", self.args.ack_rate, self.args.ack_seconds)
                    middle = time.monotonic()
                    results[(system, "reply")] = await self.phase(
                        system, rnd, "reply", self.args.reply_rate, self.args.reply_seconds)
                    print(f"  round {rnd + 1}/{self.args.rounds}: {LABELS[system]}: overload phase and drain "
                          f"{middle - started:.0f} s, paced phase {time.monotonic() - middle:.0f} s", flush=True)
                self.rounds.append(results)


# ---------------------------------------------------------------- report


def rasa_sender(system: str, chat: int) -> str:
    if system == GATEWAY:
        return pseudonym(PSEUDONYM_KEY, "telegram", str(chat))
    return f"bench-{chat}" if system == REST else str(chat)


def rasa_user_messages(procs: Processes) -> Dict[str, int]:
    """User messages per conversation in both Rasa tracker stores (read after the run)."""
    assert procs.stack is not None
    counts: Dict[str, int] = Counter()
    for path in (procs.stack.var_dir / "rasa" / "tracker.db", procs.scratch / "builtin" / "tracker.db"):
        if path.exists():
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5) as db:
                for sender, count in db.execute(
                    "SELECT sender_id, count(*) FROM events WHERE type_name = 'user' GROUP BY sender_id"
                ):
                    counts[str(sender)] += int(count)
    return counts



def expected_sends(system: str, floor: Optional[Turn]) -> int:
    """How many sendMessage calls the floor's replies become on a path.

    Rasa's Telegram output sends a text without buttons as one message per paragraph.
    """
    if floor is None:
        return 0
    if system == BUILTIN:
        pairs = zip(floor.replies, floor.buttons, strict=True)
        return sum(1 if buttons else len(text.strip().split("\n\n")) for text, buttons in pairs)
    return len(floor.replies)


def fmt(value: Optional[float], digits: int = 0) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def report(bench: Bench, processed: Dict[str, int]) -> None:
    args = bench.args
    rows = []
    ratios = []
    notes_out: List[str] = []
    for system in (GATEWAY, REST, BUILTIN):
        acks: List[float] = []
        replies: List[float] = []
        throughputs: List[float] = []
        updates = lost = duplicated = missing = extra = holding = bad_acks = twice = 0
        for results in bench.rounds:
            ack_turns, reply_turns = results[(system, "ack")], results[(system, "reply")]
            floor = {(t.phase, t.user, t.index): t for t in results[(REST, "ack")] + results[(REST, "reply")]}
            updates += len(ack_turns) + len(reply_turns)
            per_chat = Counter(t.chat for t in ack_turns + reply_turns)
            twice += sum(max(0, processed.get(rasa_sender(system, chat), 0) - n) for chat, n in per_chat.items())
            bad_acks += sum(1 for t in ack_turns + reply_turns if t.status != 200)
            if system != REST:
                acks += [t.ack_ms for t in ack_turns if t.ack_ms is not None and t.status == 200]
            replies += [t.reply_ms for t in reply_turns if t.reply_ms is not None]
            lost += sum(1 for t in reply_turns if t.first_reply_at is None)
            duplicated += sum(1 for t in reply_turns if any(n > 1 for n in Counter(t.replies).values()))
            # Overload phase: messages per chat against the floor's replies to the same texts.
            got: Dict[int, int] = Counter()
            want: Dict[int, int] = Counter()
            for t in ack_turns:
                real = [r for r in t.replies if r != notes.HOLDING]
                holding += len(t.replies) - len(real)
                got[t.user] += len(real)
                want[t.user] += expected_sends(system, floor.get(("ack", t.user, t.index)))
            for user in want:
                missing += max(0, want[user] - got[user])
                extra += max(0, got[user] - want[user])
            # Throughput under overload: turns over the time from the first update to the last reply.
            start = min(t.sent_at for t in ack_turns)
            if system == REST:
                end = max((t.done_at or 0.0) for t in ack_turns)
            else:
                chats = {t.chat for t in ack_turns}
                last_send = max((c.at for c in bench.fake.calls if c.method == "sendMessage"
                                 and int(c.params.get("chat_id", 0)) in chats), default=0.0)
                end = max(max((t.done_at or 0.0) for t in ack_turns), last_send)
            throughputs.append(len(ack_turns) / max(1e-6, end - start))
            if system == GATEWAY:
                rest_reply = [t.reply_ms for t in results[(REST, "reply")] if t.reply_ms is not None]
                gw95, rest95 = percentile([t.reply_ms for t in reply_turns if t.reply_ms is not None], 95), \
                    percentile(rest_reply, 95)
                if gw95 is not None and rest95:
                    ratios.append(gw95 / rest95)
        rows.append(
            f"| {LABELS[system]} | {updates} | {fmt(percentile(acks, 50)) if acks else 'n/a'} | "
            f"{fmt(percentile(acks, 99)) if acks else 'n/a'} | {fmt(percentile(replies, 50))} | "
            f"{fmt(percentile(replies, 95))} | {fmt(percentile(replies, 99))} | "
            f"{fmt(statistics.median(throughputs), 1)} | {lost} | {duplicated} | -{missing} / +{extra} |"
        )
        if bad_acks or holding or twice:
            notes_out.append(f"{LABELS[system]}: {bad_acks} non-200 responses, {holding} holding messages, "
                             f"{twice} user messages processed more than once by Rasa (its tracker store)")
    pooled = {s: [t.reply_ms for r in bench.rounds for t in r[(s, "reply")] if t.reply_ms is not None]
              for s in (GATEWAY, REST)}
    gw95, rest95 = percentile(pooled[GATEWAY], 95), percentile(pooled[REST], 95)
    print(f"\nparameters: {args.users} users; overload phase {args.ack_rate:g} updates/s for {args.ack_seconds:g} s; "
          f"paced phase {args.reply_rate:g} turns/s for {args.reply_seconds:g} s; {args.rounds} round(s); "
          f"timeout {args.timeout:g} s\n")
    print("| path | updates | ack p50 ms | ack p99 ms | reply p50 ms | reply p95 ms | reply p99 ms "
          "| throughput turns/s | lost | duplicated | overload msgs vs floor (-/+) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    ratio = f"{gw95 / rest95:.2f}" if gw95 is not None and rest95 else "n/a"
    per_round = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"\ngateway reply p95 / REST reply p95: {ratio} (goal <= 1.15; per round: {per_round or 'n/a'})")
    print("ack = webhook HTTP response (overload phase; Rasa's connector answers after the whole turn). "
          "reply = update sent -> first sendMessage at the fake (REST: the response), paced phase. "
          "throughput = overload-phase turns / (first update -> last reply). lost = paced turns with no reply "
          f"within {args.timeout:g} s (before the user's next message); duplicated = paced turns that got the same "
          "text twice; overload msgs vs floor = per chat, sendMessage count (holding messages excluded) minus the "
          "floor's reply count for the same texts: a divergence, not necessarily a loss (dialogue state can differ "
          "when turns run twice or out of order).")
    for line in notes_out:
        print(f"note: {line}")
    print(f"note: gateway database at the end: {bench.outcome[0]} inbox messages unanswered, "
          f"{bench.outcome[1]} outbox messages failed")


# ---------------------------------------------------------------- main


async def bench_main(args: argparse.Namespace, procs: Processes) -> Bench:
    fake = FakeTelegram(TOKEN)
    fake.server = TestServer(fake.app, host="127.0.0.1")
    await fake.server.start_server()
    began = time.monotonic()
    try:
        print("Starting the gateway stack and the built-in Telegram Rasa (about a minute) ...", flush=True)
        await asyncio.to_thread(procs.start, fake.url)
        await asyncio.to_thread(procs.wait_ready)
        print(f"  up in {time.monotonic() - began:.0f} s", flush=True)
        bench = Bench(args, fake, procs)
        await bench.run()
        bench.outcome = await asyncio.to_thread(bench.gateway_outcome)
        return bench
    finally:
        procs.stopping.set()
        await fake.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50, help="simulated Telegram users (chats) per phase")
    parser.add_argument("--ack-rate", type=float, default=50.0, help="updates/s in the overload (ack) phase")
    parser.add_argument("--ack-seconds", type=float, default=3.0, help="length of the overload phase")
    parser.add_argument("--reply-rate", type=float, default=5.0, help="turns/s in the paced (reply) phase")
    parser.add_argument("--reply-seconds", type=float, default=15.0, help="length of the paced phase")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of the three paths (order rotated)")
    parser.add_argument("--timeout", type=float, default=30.0, help="a turn with no reply by then is lost")
    parser.add_argument("--quiet", type=float, default=2.0, help="seconds without sends that end a phase")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs) and print it")
    parser.add_argument("--dump", help="write every turn (times, replies) to this JSON file")
    args = parser.parse_args()
    if not MODEL.exists():
        print(f"no trained model at {MODEL}: run `make train`", file=sys.stderr)
        return 1

    def _stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    scratch = Path(tempfile.mkdtemp(prefix="bench-channels-"))
    procs = Processes(scratch)
    try:
        bench = asyncio.run(bench_main(args, procs))
        procs.stop()
        processed = rasa_user_messages(procs)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    finally:
        procs.stop()
        if args.keep:
            print(f"logs kept in {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    if args.dump:
        dump = {f"{r}:{s}:{p}": [t.__dict__ for t in turns]
                for r, results in enumerate(bench.rounds) for (s, p), turns in results.items()}
        Path(args.dump).write_text(json.dumps(dump, indent=1, default=str), encoding="utf-8")
    report(bench, processed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
