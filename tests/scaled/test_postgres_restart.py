"""Restart PostgreSQL under load: two gateway replicas on a private PostgreSQL instance (initdb
and pg_ctl from the installed binaries, on a free port: the system service is shared and is not
restarted). Webhooks that fail while the database is away are redelivered, as the platforms do.
Afterwards every message is answered once, in order, and nothing is left pending."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.scaled import free_port
from tests.gateway.conftest import TELEGRAM_SECRET, settle
from tests.gateway.test_scale_out import update_from

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
HEADERS = {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}


def as_postgres(command: List[str]) -> List[str]:
    """initdb and postgres refuse to run as root: run them as the `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def private_postgres() -> Iterator[Dict[str, Any]]:
    if not (PG_BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL binaries not found in {PG_BIN} (set PG_BIN)")
    folder = Path(tempfile.mkdtemp(prefix="sp-pg-"))  # not under pytest's root-only folder
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = free_port()
    subprocess.run(as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
                   check=True, capture_output=True)
    ctl = [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
           "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"]
    subprocess.run(as_postgres([*ctl, "start"]), check=True, capture_output=True)
    try:
        yield {"url": f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres", "ctl": ctl}
    finally:
        subprocess.run(as_postgres([*ctl, "stop", "-m", "immediate"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def database_url(private_postgres: Dict[str, Any]) -> str:
    return str(private_postgres["url"])


async def test_restarting_postgresql_loses_and_repeats_nothing(
    private_postgres: Dict[str, Any], channel_settings: Any, fake_rasa: Any, fake_telegram: Any
) -> None:
    rasa, _ = fake_rasa
    rasa.delay = 0.05
    replicas = [
        TestClient(TestServer(create_app(channel_settings(worker_leases="on", sweep_seconds=1.0, lease_seconds=5.0)),
                              host="127.0.0.1"))
        for _ in range(2)
    ]
    for client in replicas:
        await client.start_server()
    users, turns = 6, 12
    redelivered = 0

    async def deliver(client: TestClient, update: Dict[str, Any]) -> None:
        nonlocal redelivered
        for _attempt in range(120):  # as Telegram: the same update again until a 200
            try:
                if (await client.post("/telegram/webhook", json=update, headers=HEADERS)).status == 200:
                    return
            except OSError as exc:  # a connection error is also retried
                print(f"  webhook delivery failed: {type(exc).__name__}")
            redelivered += 1
            await asyncio.sleep(0.5)
        raise AssertionError("a webhook was never accepted")

    async def converse(user: int) -> None:
        for turn in range(turns):
            await deliver(replicas[(user + turn) % 2], update_from(730000 + user, 100 * user + turn + 1,
                                                                 f"u{user} m{turn}"))
            await asyncio.sleep(0.4)

    async def restart() -> float:
        await asyncio.sleep(2.0)
        started = time.monotonic()
        await asyncio.to_thread(subprocess.run, as_postgres([*private_postgres["ctl"], "restart", "-m", "fast"]),
                                check=True, capture_output=True)
        return time.monotonic() - started

    try:
        results = await asyncio.gather(restart(), *(converse(user) for user in range(users)))
        print(f"\n  PostgreSQL restarted in {results[0]:.1f}s; {redelivered} webhook deliveries had to be repeated")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for client in replicas:
                await settle(client)
            by_chat: Dict[int, List[str]] = {}
            for sent in fake_telegram.sent():
                by_chat.setdefault(int(sent["chat_id"]), []).append(sent["text"])
            if all(len([t for t in by_chat.get(730000 + u, []) if t.startswith("echo:")]) >= turns
                   for u in range(users)):
                break
            await asyncio.sleep(1.0)  # what failed mid-restart is picked up by the sweep
        await asyncio.sleep(2.0)  # anything sent twice would arrive now
        by_chat = {}
        for sent in fake_telegram.sent():
            by_chat.setdefault(int(sent["chat_id"]), []).append(sent["text"])
        for user in range(users):
            echoes = [text for text in by_chat.get(730000 + user, []) if text.startswith("echo:")]
            assert echoes == [f"echo: u{user} m{turn}" for turn in range(turns)]  # all, once, in order
    finally:
        for client in replicas:
            await client.close()
