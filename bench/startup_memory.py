"""Time from start to healthy, turn latency and memory (RSS) of each process. Prints a table.

Run with the gateway environment: `make bench`. Uses free loopback ports and a scratch data folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.launcher import Stack  # noqa: E402
from tests.integration.conftest import free_port  # noqa: E402

MESSAGES = [
    "hi",
    "what can you do",
    "is it normal to pay a fee to an agency for a job abroad",
    "can my boss keep my passport",
    "i need a helpline number",
    "kenya",
    "they locked us in, help",
    "thanks, bye",
]


def rss_mib(pid: int) -> float:
    """Resident memory of a process and its children, in MiB."""
    total = 0.0
    pids = [pid] + [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) / 1024
    return total


def say(url: str, session_id: str, text: str) -> float:
    body = json.dumps({"session_id": session_id, "text": text}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # loopback only
        response.read()
    return time.perf_counter() - started


def main() -> int:
    argparse.ArgumentParser(description=__doc__).parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        stack = Stack(
            gateway_port=free_port(), rasa_port=free_port(), action_port=free_port(), var_dir=Path(scratch),
            extra_env={"PSEUDONYM_KEY": "b", "RASA_AUTH_TOKEN": "b", "CASEWORK_SERVICE_TOKEN": "b"},
        )
        started = time.perf_counter()
        stack.start()
        try:
            stack.wait_healthy(timeout=300)
            to_healthy = time.perf_counter() - started
            idle = {name: rss_mib(p.pid) for name, p in stack.processes.items()}
            latencies: List[float] = []
            for _ in range(10):
                session = str(uuid.uuid4())
                latencies += [say(f"{stack.gateway_url}/webchat/messages", session, m) for m in MESSAGES]
            busy: Dict[str, float] = {name: rss_mib(p.pid) for name, p in stack.processes.items()}
        finally:
            stack.stop()
    latencies.sort()
    print(f"\nstart to healthy (processes started, model loaded, /healthz green): {to_healthy:.1f} s\n")
    print(f"turn latency over {len(latencies)} web chat turns, one at a time through the gateway:")
    p95 = latencies[int(len(latencies) * 0.95)]
    p50, worst = statistics.median(latencies), latencies[-1]
    print(f"  p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {worst * 1000:.0f} ms\n")
    print("| process | RSS idle (MiB) | RSS after the turns (MiB) |")
    print("|---|---:|---:|")
    for name in idle:
        print(f"| {name} | {idle[name]:.0f} | {busy[name]:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
