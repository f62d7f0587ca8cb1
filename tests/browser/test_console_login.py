"""A counselor signs in to the console in Chromium, sees their name, and signs out."""

from __future__ import annotations

import pytest
from playwright.async_api import expect

from tests.browser.conftest import Tab
from tests.gateway.console_support import PASSWORD

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def sign_in(tab: Tab, gateway_url: str, username: str, password: str) -> None:
    await tab.page.goto(f"{gateway_url}/console/login")
    await tab.page.get_by_label("User name").fill(username)
    await tab.page.get_by_label("Password").fill(password)
    await tab.page.get_by_role("button", name="Sign in").click()
    await tab.page.wait_for_load_state()


async def test_a_counselor_signs_in_sees_the_console_and_signs_out(tab: Tab, gateway_url: str) -> None:
    page = tab.page
    await page.goto(f"{gateway_url}/console")
    await expect(page).to_have_url(f"{gateway_url}/console/login")  # not signed in yet

    await sign_in(tab, gateway_url, "wanjiru", PASSWORD)
    await expect(page).to_have_url(f"{gateway_url}/console")
    await expect(page.locator("header .name")).to_have_text("Wanjiru Mwangi")
    await expect(page.locator("header .role")).to_have_text("Counselor")
    await expect(page.get_by_role("heading", name="Queue")).to_be_visible()
    # The page's script ran under the CSP and can read the CSRF token for its requests.
    token = await page.evaluate("window.SafePassageConsole.csrfToken()")
    assert token and len(token) > 20
    cookies = await page.context.cookies()
    (session,) = [c for c in cookies if c["name"].startswith("__Host-")]
    assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Strict"

    await page.get_by_role("button", name="Log out").click()
    await expect(page).to_have_url(f"{gateway_url}/console/login")
    await page.goto(f"{gateway_url}/console")  # the session is over
    await expect(page).to_have_url(f"{gateway_url}/console/login")
    assert tab.errors == []


async def test_a_wrong_password_shows_the_generic_error(tab: Tab, gateway_url: str) -> None:
    await sign_in(tab, gateway_url, "wanjiru", "not my password")
    await expect(tab.page).to_have_url(f"{gateway_url}/console/login")
    alert = tab.page.get_by_role("alert")
    await expect(alert).to_contain_text("The user name or password is not right")
    await expect(tab.page.get_by_label("User name")).to_have_value("wanjiru")

    await sign_in(tab, gateway_url, "nobody", PASSWORD)
    await expect(tab.page.get_by_role("alert")).to_have_text(await alert.text_content() or "")
    assert tab.errors == []
