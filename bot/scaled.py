"""`make run-scaled`: two Rasa servers, two action servers and two gateways behind nginx, with
PostgreSQL and Redis, all on loopback. The scaled test suite (tests/scaled/) starts the same.

nginx listens on three free ports: the public one (the gateways: webhooks, web chat, console),
and two internal ones that spread the gateways' calls over the Rasa servers and Rasa's calls
over the action servers. Everything is configured by URLs: DATABASE_URL (gateway, asyncpg),
RASA_TRACKER_URL (Rasa's SQL tracker store), the Redis lock store and REDIS_URL (console signals).
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlsplit

from bot.launcher import MODEL, Stack, _signal_group, rasa_bin, stop_processes
from bot.settings import REPO_ROOT, VAR_DIR

NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def create_database(server_url: str, name: str, fresh: bool = False) -> None:
    """Create database `name` on the PostgreSQL server of `server_url` if missing (or anew)."""
    import asyncpg

    parts = urlsplit(server_url.replace("+asyncpg", ""))

    async def run() -> None:
        connection = await asyncpg.connect(
            host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres",
            password=parts.password, database=(parts.path or "/postgres").lstrip("/") or "postgres",
        )
        try:
            if fresh:
                await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(run())


def drop_database(server_url: str, name: str) -> None:
    import asyncpg

    parts = urlsplit(server_url.replace("+asyncpg", ""))

    async def run() -> None:
        connection = await asyncpg.connect(
            host=parts.hostname or "127.0.0.1", port=parts.port or 5432, user=parts.username or "postgres",
            password=parts.password, database="postgres",
        )
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()

    asyncio.run(run())


def database_url(server_url: str, name: str, driver: str) -> str:
    parts = urlsplit(server_url)
    return f"{driver}://{parts.netloc}/{name}"


def nginx_conf(var_dir: Path, public: int, gateways: List[int], rasa_lb: int, rasas: List[int],
               actions_lb: int, actions: List[int]) -> str:
    def upstream(name: str, ports: List[int]) -> str:
        servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=3s;" for p in ports)
        return f"    upstream {name} {{\n{servers}\n        keepalive 16;\n    }}\n"

    user = ""
    if os.geteuid() == 0:  # nginx would drop to `nobody`, who cannot write its temp folders here
        user = f"user {pwd.getpwuid(0).pw_name};\n"
    temp = var_dir / "nginx"
    proxy = """            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_connect_timeout 2s;
            proxy_read_timeout 130s;
            proxy_next_upstream error;
"""
    return f"""{user}worker_processes 1;
pid {temp / 'nginx.pid'};
error_log {temp / 'error.log'} warn;
events {{ worker_connections 2048; }}
http {{
    access_log off;
    client_body_temp_path {temp / 'body'};
    proxy_temp_path {temp / 'proxy'};
    fastcgi_temp_path {temp / 'fastcgi'};
    uwsgi_temp_path {temp / 'uwsgi'};
    scgi_temp_path {temp / 'scgi'};
    client_max_body_size 4m;
    map $http_upgrade $connection_upgrade {{ default upgrade; "" ""; }}
{upstream('gateways', gateways)}{upstream('rasa_servers', rasas)}{upstream('action_servers', actions)}
    server {{
        listen 127.0.0.1:{public};
        error_log {temp / 'error.log'} crit;  # request lines carry web chat session ids
        location = /metrics {{ return 404; }}  # scraped from each gateway directly
        location /console/ws {{
            proxy_pass http://gateways;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_read_timeout 3600s;
        }}
        location / {{
            proxy_pass http://gateways;
            proxy_set_header X-Forwarded-For $remote_addr;
{proxy}        }}
    }}
    server {{
        listen 127.0.0.1:{rasa_lb};
        error_log {temp / 'error.log'} crit;  # its URLs carry Rasa's token (?token=...)
        location / {{
            proxy_pass http://rasa_servers;
{proxy}        }}
    }}
    server {{
        listen 127.0.0.1:{actions_lb};
        location / {{
            proxy_pass http://action_servers;
{proxy}        }}
    }}
}}
"""


@dataclass
class ScaledStack:
    """Replicas of each process; each can be killed, stopped, resumed and restarted alone."""

    var_dir: Path = VAR_DIR / "scaled"
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"
    redis_url: str = "redis://127.0.0.1:6379/0"
    database_prefix: str = "safepassage_scaled"
    replicas: int = 2
    public_port: int = 0
    extra_env: Dict[str, str] = field(default_factory=dict)
    fresh: bool = False  # drop the databases first (tests)
    model: Path = MODEL
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)  # type: ignore[type-arg]
    ports: Dict[str, int] = field(default_factory=dict)
    demo_logins: Optional[Path] = None

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['public']}"

    def gateway_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.ports[f'gateway-{index}']}"

    def _allocate(self) -> None:
        if self.ports:
            return
        self.ports["public"] = self.public_port or free_port()
        for name in ("rasa-lb", "actions-lb"):
            self.ports[name] = free_port()
        for index in range(1, self.replicas + 1):
            for kind in ("rasa", "actions", "gateway"):
                self.ports[f"{kind}-{index}"] = free_port()

    def base_env(self) -> Dict[str, str]:
        redis = urlsplit(self.redis_url)
        env = Stack(var_dir=self.var_dir, extra_env=self.extra_env).env()
        env.update(
            {
                "DATABASE_URL": database_url(self.postgres_url, f"{self.database_prefix}_gateway",
                                             "postgresql+asyncpg"),
                "RASA_TRACKER_URL": database_url(self.postgres_url, f"{self.database_prefix}_rasa", "postgresql"),
                "RASA_LOCK_STORE": "redis",
                "RASA_LOCK_STORE_HOST": redis.hostname or "127.0.0.1",
                "RASA_LOCK_STORE_PORT": str(redis.port or 6379),
                "RASA_LOCK_STORE_DB": "1",
                "REDIS_URL": self.redis_url,
                "RASA_URL": f"http://127.0.0.1:{self.ports['rasa-lb']}",
                "ACTION_SERVER_URL": f"http://127.0.0.1:{self.ports['actions-lb']}",
                "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.ports['actions-lb']}/webhook",
                "CASEWORK_API_URL": f"http://127.0.0.1:{self.ports['public']}/api/v1",
                # A killed replica's conversations are picked up within ~15 s.
                "LEASE_SECONDS": "10",
                "SWEEP_SECONDS": "3",
                # Rasa's per-conversation lock (Redis) outlives a killed Rasa server by this much
                # (Rasa's default is 60 s, during which that conversation waits on every replica).
                "TICKET_LOCK_LIFETIME": "20",
            }
        )
        env.update(self.extra_env)
        return env

    def command(self, name: str, env: Dict[str, str]) -> tuple[List[str], Dict[str, str]]:
        kind, _, _index = name.partition("-")
        own = dict(env)
        port = str(self.ports.get(name, 0))
        rasa = str(rasa_bin())
        if kind == "nginx":
            return [NGINX, "-p", str(self.var_dir / "nginx"), "-c", str(self.var_dir / "nginx" / "nginx.conf"),
                    "-g", "daemon off;"], own
        if kind == "rasa":
            return [rasa, "run", "--enable-api", "--auth-token", env["RASA_AUTH_TOKEN"], "-i", "127.0.0.1",
                    "-p", port, "-m", str(self.model), "--credentials", "credentials.yml",
                    "--endpoints", "endpoints.yml"], own
        if kind == "actions":
            return [rasa, "run", "actions", "--actions", "actions", "-p", port], own
        own["GATEWAY_PORT"] = port
        return [sys.executable, "-m", "bot", "serve"], own

    def names(self) -> List[str]:
        kinds = ("actions", "rasa", "gateway")
        return [f"{kind}-{i}" for kind in kinds for i in range(1, self.replicas + 1)] + ["nginx"]

    def start(self) -> None:
        if not self.model.exists():
            raise FileNotFoundError(f"no trained model at {self.model}: run `make train`")
        if not Path(NGINX).exists():
            raise FileNotFoundError(f"nginx is not installed at {NGINX} (make run-scaled installs it)")
        self._allocate()
        for folder in ("log", "nginx/body", "nginx/proxy", "nginx/fastcgi", "nginx/uwsgi", "nginx/scgi"):
            (self.var_dir / folder).mkdir(parents=True, exist_ok=True)
        (self.var_dir / "nginx" / "nginx.conf").write_text(
            nginx_conf(
                self.var_dir, self.ports["public"],
                [self.ports[f"gateway-{i}"] for i in range(1, self.replicas + 1)], self.ports["rasa-lb"],
                [self.ports[f"rasa-{i}"] for i in range(1, self.replicas + 1)], self.ports["actions-lb"],
                [self.ports[f"actions-{i}"] for i in range(1, self.replicas + 1)],
            )
        )
        env = self.base_env()
        for name in ("gateway", "rasa"):
            create_database(self.postgres_url, f"{self.database_prefix}_{name}", fresh=self.fresh)
        from bot.launcher import load_sample_data
        from bot.store.migrate import upgrade

        upgrade(env["DATABASE_URL"], pseudonym_key=env.get("PSEUDONYM_KEY"))  # once, before any replica starts
        self.demo_logins = load_sample_data(env, self.var_dir)
        for name in self.names():
            self.launch(name)

    def launch(self, name: str) -> None:
        command, env = self.command(name, self.base_env())
        log = open(self.var_dir / "log" / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        log.close()

    # ---- faults ---------------------------------------------------------------------------

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes[name]
        _signal_group(process, sig)
        if sig == signal.SIGKILL:
            process.wait()

    def restart(self, name: str) -> None:
        process = self.processes.get(name)
        if process is not None and process.poll() is None:
            self.kill(name)
        self.launch(name)

    # ---- health ---------------------------------------------------------------------------

    def _ok(self, url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return bool(response.status == 200)
        except OSError:
            return False

    def component_up(self, name: str) -> bool:
        kind = name.partition("-")[0]
        port = self.ports.get(name, 0)
        if kind == "rasa":
            return self._ok(f"http://127.0.0.1:{port}/status?token={self.base_env()['RASA_AUTH_TOKEN']}")
        if kind == "actions":
            return self._ok(f"http://127.0.0.1:{port}/health")
        if kind == "gateway":
            return self._ok(f"http://127.0.0.1:{port}/healthz")
        return self._ok(f"{self.public_url}/healthz")

    def wait_up(self, names: Optional[List[str]] = None, timeout: float = 600.0, progress: bool = False) -> None:
        """Block until every named process answers its health check; raise if one exits."""
        waiting = list(names or self.names())
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            for name in list(waiting):
                process = self.processes[name]
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log_path(name)}")
                if self.component_up(name):
                    waiting.remove(name)
                    if progress:
                        print(f"  {name} is up", flush=True)
            time.sleep(1)
        if waiting:
            raise TimeoutError(f"not up after {timeout:.0f}s: {', '.join(waiting)}")

    def log_path(self, name: str) -> Path:
        return self.var_dir / "log" / f"{name}.log"

    def stop(self, grace: float = 10.0) -> None:
        stop_processes(self.processes, grace, resume=True)  # a fault test may have SIGSTOPped one


def run_scaled(wait: bool = True) -> int:
    """`make run-scaled`: start the replicated topology, print the URLs, stop it all on Ctrl-C."""
    stack = ScaledStack(
        postgres_url=os.environ.get("SCALED_POSTGRES_URL", ScaledStack.postgres_url),
        redis_url=os.environ.get("SCALED_REDIS_URL", ScaledStack.redis_url),
        public_port=int(os.environ.get("SCALED_PORT", "0")),
    )

    def _stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    started = time.monotonic()
    try:
        print("Starting 2 Rasa servers, 2 action servers, 2 gateways and nginx (logs in var/scaled/log/) ...",
              flush=True)
        stack.start()
        stack.wait_up(progress=True)
        print(f"\nSafePassage (scaled) is running ({time.monotonic() - started:.0f}s to healthy).", flush=True)
        print(f"  Web chat:  {stack.public_url}/chat   (nginx over gateways on "
              f"{', '.join(str(stack.ports[f'gateway-{i}']) for i in (1, 2))})", flush=True)
        print(f"  Console:   {stack.public_url}/console", flush=True)
        print(f"  Metrics:   {stack.gateway_url(1)}/metrics  {stack.gateway_url(2)}/metrics", flush=True)
        print(f"  Databases: {stack.base_env()['DATABASE_URL']}  {stack.base_env()['RASA_TRACKER_URL']}", flush=True)
        print("Press Ctrl-C to stop.", flush=True)
        while wait:
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    print(f"{name} stopped unexpectedly (exit {process.returncode}); see {stack.log_path(name)}")
                    return 1
            time.sleep(1)
        return 0
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    except (RuntimeError, TimeoutError, FileNotFoundError, OSError) as exc:
        print(f"Could not start SafePassage (scaled): {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        shutil.rmtree(stack.var_dir / "nginx" / "body", ignore_errors=True)
        print("All processes stopped.", flush=True)
