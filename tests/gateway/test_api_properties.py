"""Property-based test of the casework API: schemathesis generates requests from the served
OpenAPI document and runs them against the live gateway on 127.0.0.1.

Checks: no 5xx, only documented status codes, responses match their schemas. Every generated
reference is a well-formed code the caller does not own, so every case route must say 404.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings
from schemathesis import checks

from bot.app import create_app
from bot.casework.openapi import DOCUMENT
from bot.settings import Settings
from bot.store.migrate import upgrade
from tests.gateway.casework_support import seed_directory
from tests.gateway.conftest import ENCRYPTION_KEY, SERVICE_TOKEN

AGENCY = "sample-ke-children-services"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveGateway:
    """The real app on a real port, in a thread with its own event loop."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.runner: web.AppRunner | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.runner = web.AppRunner(create_app(self.settings))
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", self.settings.port)
        self.loop.run_until_complete(site.start())
        self.ready.set()
        self.loop.run_forever()

    def start(self) -> None:
        self.thread.start()
        assert self.ready.wait(10)

    def stop(self) -> None:
        assert self.runner is not None
        future = asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop)
        future.result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    folder: Path = tmp_path_factory.mktemp("live")
    url = f"sqlite+aiosqlite:///{folder / 'gateway.db'}"
    upgrade(url)
    tokens = asyncio.run(seed_directory(url))
    settings = Settings(
        pseudonym_key="k", rasa_auth_token="r", casework_service_token=SERVICE_TOKEN, database_url=url,
        port=_free_port(), rasa_url="http://127.0.0.1:9", action_server_url="http://127.0.0.1:9",
        data_encryption_keys=(ENCRYPTION_KEY,), status_checks_per_hour=1000,
        rasa_tracker_url=f"sqlite:///{folder / 'tracker.db'}",
    )
    gateway = LiveGateway(settings)
    gateway.start()
    yield {"base": f"http://127.0.0.1:{settings.port}", "agency_token": tokens[AGENCY]}
    gateway.stop()


# The document the app serves (test_the_served_document_is_this_one checks they are the same).
schema = schemathesis.openapi.from_dict(DOCUMENT)
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance]


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_openapi_document(case: Any, live: Dict[str, Any]) -> None:
    token = live["agency_token"] if case.path.startswith("/cases") else SERVICE_TOKEN
    case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}  # not a generated token
    response = case.call(base_url=f"{live['base']}/api/v1")
    case.validate_response(response, checks=CHECKS)
    if case.path.startswith("/cases/"):
        documented = case.method.lower() in DOCUMENT["paths"][case.path]
        # Schemathesis also tries undocumented methods: those must be 405, never a case.
        expected = (400, 404) if documented else (405,)
        assert response.status_code in expected, "a reference this agency does not own must never be found"


def test_the_served_document_is_this_one(live: Dict[str, Any]) -> None:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{live['base']}/api/v1/openapi.json", timeout=5) as response:
        assert json.loads(response.read()) == json.loads(json.dumps(DOCUMENT))


def test_real_cases_match_the_documented_schemas(live: Dict[str, Any]) -> None:
    """The generated requests never find a case; these do, so the 200 schemas are checked too."""
    import requests

    from tests.gateway.casework_support import report_body

    filed = requests.post(f"{live['base']}/api/v1/reports", json=report_body(key="schema-check-1"),
                          headers={"Authorization": f"Bearer {SERVICE_TOKEN}"}, timeout=10)
    assert filed.status_code == 201
    reference = filed.json()["reference"]
    agency = {"Authorization": f"Bearer {live['agency_token']}"}
    for method, path, body in (
        ("GET", "/cases", None),
        ("GET", "/cases/{reference}", None),
        ("PATCH", "/cases/{reference}", {"status": "in_review", "public_note": "Looking into it."}),
        ("POST", "/cases/{reference}/notes", {"text": "called the school"}),
    ):
        operation = schema[path][method]
        params = {"reference": reference} if "{reference}" in path else None
        case = operation.Case(path_parameters=params, body=body, headers=agency, media_type="application/json")
        response = case.call(base_url=f"{live['base']}/api/v1")
        assert response.status_code in (200, 201), (method, path, response.text)
        case.validate_response(response, checks=CHECKS)
