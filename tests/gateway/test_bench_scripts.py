"""The benchmark commands import test helpers (fake platforms, the load driver) outside pytest,
where no conftest has been loaded first: each must at least start (`make bench`, `make bench-load`
and `make bench-channels` once failed on a circular import that pytest hid)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("script", ["bench/load.py", "bench/channels.py", "bench/startup_memory.py"])
def test_a_benchmark_script_starts_outside_pytest(script: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, script, "--help"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout
