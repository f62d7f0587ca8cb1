"""Start Rasa, the action server and the gateway together, wait until healthy, stop them cleanly.

`make run` uses this; the integration tests use `Stack` with their own ports and data folder.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

from bot.dev_secrets import load_dev_secrets
from bot.settings import REPO_ROOT, VAR_DIR

logger = logging.getLogger(__name__)

MODEL = REPO_ROOT / "models" / "safepassage.tar.gz"
LOCK_STORE_DEFAULTS = {
    "RASA_LOCK_STORE": "in_memory", "RASA_LOCK_STORE_HOST": "127.0.0.1",
    "RASA_LOCK_STORE_PORT": "6379", "RASA_LOCK_STORE_DB": "1",
}


def rasa_bin() -> Path:
    venv = Path(os.environ.get("RASA_VENV", REPO_ROOT / ".venv" / "rasa"))
    return venv / "bin" / "rasa"


@dataclass
class Stack:
    """The three processes, each in its own process group, logging to files under `var_dir/log`."""

    gateway_port: int = 8080
    rasa_port: int = 5005
    action_port: int = 5055
    var_dir: Path = VAR_DIR
    model: Path = MODEL
    extra_env: Dict[str, str] = field(default_factory=dict)
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)  # type: ignore[type-arg]
    demo_logins: Optional[Path] = None  # the console's demo logins file, with SAMPLE_DATA=1

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def env(self) -> Dict[str, str]:
        load_dev_secrets(self.var_dir / "secrets.env")
        env = dict(os.environ)
        env.update(
            {
                "PYTHONPATH": str(REPO_ROOT),
                "GATEWAY_HOST": "127.0.0.1",
                "GATEWAY_PORT": str(self.gateway_port),
                "RASA_URL": f"http://127.0.0.1:{self.rasa_port}",
                "ACTION_SERVER_URL": f"http://127.0.0.1:{self.action_port}",
                "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.action_port}/webhook",
                "CASEWORK_API_URL": f"http://127.0.0.1:{self.gateway_port}/api/v1",
                "SANIC_HOST": "127.0.0.1",
                "RASA_TELEMETRY_ENABLED": "false",
                "TF_CPP_MIN_LOG_LEVEL": "2",
            }
        )
        env.setdefault("DATABASE_URL", f"sqlite+aiosqlite:///{self.var_dir / 'gateway.db'}")
        env.setdefault("RASA_TRACKER_URL", f"sqlite:///{self.var_dir / 'rasa' / 'tracker.db'}")
        for name, value in LOCK_STORE_DEFAULTS.items():  # one Rasa server: locks in memory
            env.setdefault(name, value)
        env.update(self.extra_env)
        for url in (env["DATABASE_URL"], env["RASA_TRACKER_URL"]):
            if url.startswith("sqlite") and "///" in url:
                # Rasa silently falls back to an in-memory tracker store when it cannot open the file.
                Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        return env

    def commands(self, env: Dict[str, str]) -> Dict[str, List[str]]:
        rasa = str(rasa_bin())
        return {
            "actions": [rasa, "run", "actions", "--actions", "actions", "-p", str(self.action_port)],
            "rasa": [
                rasa, "run", "--enable-api", "--auth-token", env["RASA_AUTH_TOKEN"],
                "-i", "127.0.0.1", "-p", str(self.rasa_port), "-m", str(self.model),
                "--credentials", "credentials.yml", "--endpoints", "endpoints.yml",
            ],
            "gateway": [sys.executable, "-m", "bot", "serve"],
        }

    def start(self) -> None:
        if not self.model.exists():
            raise FileNotFoundError(f"no trained model at {self.model}: run `make train`")
        (self.var_dir / "log").mkdir(parents=True, exist_ok=True)
        env = self.env()
        from bot.store.migrate import upgrade

        upgrade(env["DATABASE_URL"], pseudonym_key=env.get("PSEUDONYM_KEY"))
        self.demo_logins = load_sample_data(env, self.var_dir)
        for name, command in self.commands(env).items():
            log = open(self.var_dir / "log" / f"{name}.log", "ab")
            self.processes[name] = subprocess.Popen(
                command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )
            log.close()

    def health(self) -> Optional[Dict[str, str]]:
        try:
            with urllib.request.urlopen(f"{self.gateway_url}/healthz", timeout=5) as response:
                return dict(json.loads(response.read())["components"])
        except urllib.error.HTTPError as error:  # 503 still carries the per-component report
            return dict(json.loads(error.read())["components"])
        except (OSError, ValueError, KeyError):
            return None

    def wait_healthy(self, timeout: float = 300.0, progress: bool = False) -> None:
        """Block until /healthz is all green; raise if a process dies or time runs out."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log_path(name)}")
            components = self.health()
            if components and all(v == "ok" for v in components.values()):
                return
            if progress and components != last:
                waiting = [k for k, v in (components or {"gateway": "starting"}).items() if v != "ok"]
                print(f"  waiting for: {', '.join(waiting) or 'gateway'}", flush=True)
                last = components
            time.sleep(1)
        raise TimeoutError(f"not healthy after {timeout:.0f}s: {self.health()}")

    def log_path(self, name: str) -> Path:
        return self.var_dir / "log" / f"{name}.log"

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM every process group, then SIGKILL what is left after `grace` seconds."""
        stop_processes(self.processes, grace)


def stop_processes(processes: Dict[str, subprocess.Popen], grace: float, resume: bool = False) -> None:  # type: ignore[type-arg]
    """SIGTERM every process group (after SIGCONT when `resume`: a stopped process cannot act on
    SIGTERM), then SIGKILL what is left after `grace` seconds; `processes` ends empty."""
    for process in processes.values():
        if resume:
            _signal_group(process, signal.SIGCONT)
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes.values():
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()
    processes.clear()


DEMO_LOGINS_FILE = "console-demo-logins.txt"


def load_sample_data(env: Dict[str, str], var_dir: Path) -> Optional[Path]:
    """With SAMPLE_DATA=1: the sample registry and directory, and demo console logins (their file).

    Demo data is marked as sample everywhere it is shown; without SAMPLE_DATA=1 nothing is added.
    """
    if env.get("SAMPLE_DATA", "0") != "1":
        return None
    from bot.registry_import import SAMPLE_REGISTRY, import_registry_file

    import_registry_file(env["DATABASE_URL"], SAMPLE_REGISTRY, "sample")
    # Sample agencies (verified: false), so reports route and services can be found in demos.
    from bot.casework_admin import SAMPLE_DIRECTORY, import_directory_file

    import_directory_file(env["DATABASE_URL"], SAMPLE_DIRECTORY)
    # Counselors and supervisors of two sample agencies and an admin, to try the console at once.
    from bot.console_admin import demo_logins

    return demo_logins(env["DATABASE_URL"], var_dir / DEMO_LOGINS_FILE)


def console_lines(gateway_url: str, demo_logins: Optional[Path]) -> List[str]:
    """Where the console is and how to sign in (the file's path, never a password)."""
    lines = [f"Console:   {gateway_url}/console"]
    if demo_logins is not None:
        try:
            shown = demo_logins.relative_to(REPO_ROOT)
        except ValueError:
            shown = demo_logins
        lines.append(f"           demo logins (sample agencies) are in {shown}")
    else:
        lines.append("           create a login: python -m bot create-user NAME --agency ID --role counselor")
    return lines


def _signal_group(process: subprocess.Popen, sig: int) -> None:  # type: ignore[type-arg]
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def channel_lines(env: Dict[str, str], gateway_url: str) -> List[str]:
    """How Telegram and WhatsApp are reached, as configured in the environment."""
    lines = []
    if env.get("TELEGRAM_BOT_TOKEN"):
        public = env.get("TELEGRAM_PUBLIC_URL", "").rstrip("/")
        if public:
            lines.append(f"Telegram:  webhook {public}/telegram/webhook (register: python -m bot telegram-webhook)")
        else:
            lines.append("Telegram:  polling - open your bot in Telegram and send /start")
    else:
        lines.append("Telegram:  off (set TELEGRAM_BOT_TOKEN to try it on your phone; see .env.example)")
    if env.get("WHATSAPP_ACCESS_TOKEN") and env.get("WHATSAPP_APP_SECRET"):
        lines.append(f"WhatsApp:  webhook {gateway_url}/whatsapp/webhook (behind your public HTTPS address)")
    return lines


def run_all(wait: bool = True) -> int:
    """`make run`: start everything, print the URLs, and stop all three on Ctrl-C."""
    stack = Stack(
        gateway_port=int(os.environ.get("GATEWAY_PORT", 8080)),
        rasa_port=int(os.environ.get("RASA_PORT", 5005)),
        action_port=int(os.environ.get("ACTION_SERVER_PORT", 5055)),
    )

    def _stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    started = time.monotonic()
    try:
        print("Starting Rasa, the action server and the gateway (logs in var/log/) ...", flush=True)
        stack.start()
        stack.wait_healthy(progress=True)
        print(f"\nSafePassage is running ({time.monotonic() - started:.0f}s to healthy).", flush=True)
        print(f"  Web chat:  {stack.gateway_url}/chat", flush=True)
        for line in console_lines(stack.gateway_url, stack.demo_logins):
            print(f"  {line}", flush=True)
        print(f"  Health:    {stack.gateway_url}/healthz", flush=True)
        for line in channel_lines(stack.env(), stack.gateway_url):
            print(f"  {line}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        if not wait:
            return 0
        while True:
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    print(f"{name} stopped unexpectedly (exit {process.returncode}); see {stack.log_path(name)}")
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    except (RuntimeError, TimeoutError, FileNotFoundError) as exc:
        print(f"Could not start SafePassage: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        print("All processes stopped.", flush=True)
