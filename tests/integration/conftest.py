"""The three real processes (Rasa, action server, gateway) on free loopback ports, once per session."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Iterator

import pytest

from bot.launcher import MODEL, Stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` (make test does)")
    var_dir: Path = tmp_path_factory.mktemp("var")
    stack = Stack(
        gateway_port=free_port(),
        rasa_port=free_port(),
        action_port=free_port(),
        var_dir=var_dir,
        extra_env={
            "PSEUDONYM_KEY": "integration-pseudonym-key",
            "RASA_AUTH_TOKEN": "integration-rasa-token",
            "CASEWORK_SERVICE_TOKEN": "integration-service-token",
            "SAMPLE_DATA": "1",
        },
    )
    stack.start()
    try:
        stack.wait_healthy(timeout=240)
        yield stack
    finally:
        stack.stop()
