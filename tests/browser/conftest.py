"""Browser tests: Debian's chromium driven by Playwright (never `playwright install`), against a
real gateway on 127.0.0.1 (temporary SQLite database, the fake Rasa), all in one event loop."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator, List

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, ConsoleMessage, Page, async_playwright

from bot.app import create_app
from bot.settings import Settings
from bot.store.migrate import upgrade
from tests.gateway.conftest import ENCRYPTION_KEY, SERVICE_TOKEN, FakeRasa
from tests.gateway.console_support import seed_console

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("chromium is not installed: `make chromium` (or apt-get install chromium)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


@pytest_asyncio.fixture(loop_scope="session")
async def gateway_url(tmp_path: Path) -> AsyncIterator[str]:
    """A gateway with the sample directory and the console users of tests/gateway/console_support.py."""
    rasa = TestServer(FakeRasa().app, host="127.0.0.1")
    await rasa.start_server()
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    upgrade(url)
    await seed_console(url)
    settings = Settings(
        pseudonym_key="pseudonym-key-for-tests", rasa_auth_token="rasa-token",
        casework_service_token=SERVICE_TOKEN, database_url=url, rasa_url=str(rasa.make_url("")).rstrip("/"),
        action_server_url="http://127.0.0.1:9", data_encryption_keys=(ENCRYPTION_KEY,),
        rasa_tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        console_cookie_secure=True,  # Chromium keeps Secure cookies on http://127.0.0.1
    )
    server = TestServer(create_app(settings), host="127.0.0.1")  # a free port
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()
    await rasa.close()


@dataclass
class Tab:
    page: Page
    errors: List[str]  # console errors, CSP violations and uncaught exceptions


@pytest_asyncio.fixture(loop_scope="session")
async def tab(browser: Browser) -> AsyncIterator[Tab]:
    context = await browser.new_context()
    page = await context.new_page()
    errors: List[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            errors.append(f"{message.type}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    yield Tab(page, errors)
    await context.close()
