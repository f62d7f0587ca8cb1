"""A supervisor opens the dashboard in Chromium: the SVG charts draw the seeded numbers, small ones
stay out, and the page runs under the CSP without a single error."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from playwright.async_api import expect

from bot.app import create_app
from bot.settings import Settings
from bot.store.migrate import upgrade
from tests.browser.conftest import Tab
from tests.browser.test_console_login import sign_in
from tests.gateway.conftest import ENCRYPTION_KEY, SERVICE_TOKEN, FakeRasa
from tests.gateway.console_support import PASSWORD, seed_console
from tests.gateway.dashboard_support import FIRST, LAST, seed_gateway, seed_tracker

pytestmark = pytest.mark.asyncio(loop_scope="session")


@pytest_asyncio.fixture(loop_scope="session")
async def dashboard_url(tmp_path: Path) -> AsyncIterator[str]:
    """A gateway like conftest's `gateway_url`, with seeded handoffs, cases and a tracker store."""
    rasa = TestServer(FakeRasa().app, host="127.0.0.1")
    await rasa.start_server()
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    upgrade(url)
    await seed_console(url)
    await seed_gateway(url)
    settings = Settings(
        pseudonym_key="pseudonym-key-for-tests", rasa_auth_token="rasa-token",
        casework_service_token=SERVICE_TOKEN, database_url=url, rasa_url=str(rasa.make_url("")).rstrip("/"),
        action_server_url="http://127.0.0.1:9", data_encryption_keys=(ENCRYPTION_KEY,),
        console_cookie_secure=True, rasa_tracker_url=seed_tracker(tmp_path / "tracker.db"),
    )
    server = TestServer(create_app(settings), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()
    await rasa.close()


async def test_a_supervisor_sees_the_seeded_numbers_drawn(tab: Tab, dashboard_url: str) -> None:
    page = tab.page
    await sign_in(tab, dashboard_url, "kamau", PASSWORD)
    queue_tab = await page.context.new_page()  # a console left open on the queue counts as online
    await queue_tab.goto(f"{dashboard_url}/console")
    await expect(queue_tab.locator("#live")).to_have_text("Live")

    await page.get_by_role("link", name="Dashboard").click()
    await expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    await page.get_by_label("From", exact=True).fill(FIRST.isoformat())
    await page.get_by_label("To", exact=True).fill(LAST.isoformat())
    await page.get_by_role("button", name="Show").click()
    await expect(page.locator("#dashboard-scope")).to_contain_text("2026-10-01 to 2026-10-30")

    outcomes = page.locator("#chart-outcomes g.bar")
    await expect(outcomes).to_have_count(2)  # user left (2), no response (1), still open (3): not drawn
    await expect(outcomes.locator("text.label")).to_have_text(["Resolved", "Information given"])
    await expect(outcomes.locator("text.value")).to_have_text(["6", "5"])
    widths = [await bar.evaluate("r => r.getBBox().width") for bar in await outcomes.locator("rect").all()]
    assert widths[0] > widths[1] > 0  # drawn, to scale
    await expect(page.locator('#table-outcomes tr[data-key="user_left"] td')).to_have_text("<5")

    points = page.locator("#chart-handoffs_per_day circle.point")
    await expect(points.and_(page.locator('[data-count="8"]'))).to_have_attribute("data-day", "2026-10-28")
    for day, shown in (("2026-10-30", "<5"), ("2026-10-21", "hidden")):  # 3, and the 6 that would give it away
        await expect(page.locator(f'#chart-handoffs_per_day [data-day="{day}"]')).to_have_count(0)
        await expect(page.locator(f'#table-handoffs_per_day tr[data-key="{day}"] td')).to_have_text(shown)

    await expect(page.locator("#chart-job_checks_by_risk g.bar text.value")).to_have_text(["5"])
    await expect(page.locator("#chart-red_flags g.bar")).to_have_count(2)
    await expect(page.locator("#median-wait")).to_have_text("7.5 min")
    queue = page.locator('#queue-now tr[data-agency="sample-ke-children-services"]')
    await expect(queue.locator(".waiting")).to_have_text("3")
    await expect(queue.locator(".online")).to_have_text("1")

    await page.emulate_media(media="print")
    await expect(page.locator("a.export").first).to_be_hidden()
    await expect(page.locator("#chart-outcomes")).to_be_visible()
    assert tab.errors == []


async def test_a_counselor_is_refused_the_dashboard(tab: Tab, dashboard_url: str) -> None:
    await sign_in(tab, dashboard_url, "wanjiru", PASSWORD)
    await expect(tab.page.get_by_role("link", name="Dashboard")).to_have_count(0)
    response = await tab.page.goto(f"{dashboard_url}/console/dashboard")
    assert response is not None and response.status == 403
