"""`python -m bot run` (what `make run` starts): prints the chat URL and leaves no process behind on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import List

from bot.settings import REPO_ROOT
from tests.integration.conftest import free_port


def children_of(pid: int) -> List[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"


def test_run_prints_the_chat_url_and_ctrl_c_stops_all_three(tmp_path: Path) -> None:
    port = free_port()
    env = dict(os.environ, GATEWAY_PORT=str(port), PSEUDONYM_KEY="k", RASA_AUTH_TOKEN="t",
               CASEWORK_SERVICE_TOKEN="s", DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}",
               RASA_TRACKER_URL=f"sqlite:///{tmp_path / 'tracker.db'}")
    # Rasa and the action server use their default ports: pick free ones through the environment.
    env["RASA_PORT"] = str(free_port())
    env["ACTION_SERVER_PORT"] = str(free_port())
    launcher = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=REPO_ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    output = []
    deadline = time.monotonic() + 240
    assert launcher.stdout is not None
    while time.monotonic() < deadline:
        line = launcher.stdout.readline()
        if not line:
            break
        output.append(line)
        if "Press Ctrl-C to stop." in line:
            break
    assert f"Web chat:  http://127.0.0.1:{port}/chat" in "".join(output), "".join(output)
    children = children_of(launcher.pid)
    assert len(children) == 3

    launcher.send_signal(signal.SIGINT)
    rest, _ = launcher.communicate(timeout=60)
    assert launcher.returncode == 0
    assert "All processes stopped." in rest
    time.sleep(1)
    assert [pid for pid in children if alive(pid)] == []
