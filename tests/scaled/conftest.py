"""The replicated topology (bot/scaled.py) once per session: 2 Rasa servers, 2 action servers and
2 gateways behind nginx, on PostgreSQL at 127.0.0.1 and a Redis server of the suite's own (so
that a test can kill it), with fake Telegram and Graph APIs."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from bot.launcher import MODEL
from bot.scaled import NGINX, ScaledStack
from tests.gateway.conftest import (  # noqa: F401 - the in-process gateway's fixtures (test_postgres_restart)
    channel_settings,
    fake_graph,
    fake_rasa,
    fake_telegram,
    settings_factory,
)
from tests.integration.conftest import TELEGRAM_SECRET, TELEGRAM_TOKEN, WA_APP_SECRET, WA_TOKEN, Fakes
from tests.scaled.private_redis import REDIS_SERVER, PrivateRedis

POSTGRES_URL = os.environ.get("SCALED_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    if not Path(REDIS_SERVER).exists():
        pytest.fail(f"redis-server not found at {REDIS_SERVER} (apt-get install redis-server, or set REDIS_SERVER)")
    server = PrivateRedis(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def fakes() -> Iterator[Fakes]:
    started = Fakes()
    yield started
    started.close()


@pytest.fixture(scope="session")
def scaled(tmp_path_factory: pytest.TempPathFactory, fakes: Fakes,
           private_redis: PrivateRedis) -> Iterator[ScaledStack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test-scaled does)")
    if not Path(NGINX).exists():
        pytest.fail("nginx is not installed: `make test-scaled` installs it")
    var_dir: Path = tmp_path_factory.mktemp("scaled")
    stack = ScaledStack(
        var_dir=var_dir,
        postgres_url=POSTGRES_URL,
        redis_url=private_redis.url,
        database_prefix=f"sp_scaled_{uuid.uuid4().hex[:8]}",
        fresh=True,
        extra_env={
            "PSEUDONYM_KEY": "scaled-pseudonym-key",
            "RASA_AUTH_TOKEN": "scaled-rasa-token",
            "CASEWORK_SERVICE_TOKEN": "scaled-service-token",
            "SAMPLE_DATA": "1",
            # The scripted load sends about a message a second per user: not abuse, so no per-sender limit.
            "SENDER_MESSAGES_PER_MINUTE": "100000",
            "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_PUBLIC_URL": "https://safepassage.example.org",
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": fakes.telegram_url,
            "WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
            "WHATSAPP_APP_SECRET": WA_APP_SECRET,
            "WHATSAPP_VERIFY_TOKEN": "scaled-verify-token",
            "WHATSAPP_PHONE_NUMBER_ID": "106540352242922",
            "WHATSAPP_API_URL": fakes.graph_url,
            "RASA_TIMEOUT_SECONDS": "8",  # the holding message well inside 15 s
            # The fault tests' handoffs wait unclaimed: no escalation notice (to channel "unknown") meanwhile.
            "HANDOFF_ESCALATE_MINUTES": "120",
        },
    )
    stack.start()
    try:
        stack.wait_up(timeout=600)
        yield stack
    finally:
        stack.stop()
        from bot.scaled import drop_database

        for name in ("gateway", "rasa"):
            drop_database(POSTGRES_URL, f"{stack.database_prefix}_{name}")
