"""Counselors in Chromium take over chats: claim, talk both ways live, refer to another agency,
close (the bot answers again), lose the claim when they disconnect; and an agency never sees
another agency's queue or conversations, even by guessing URLs. The user's side is the web chat's
HTTP API; the gateway is real, Rasa is the fake whose "talk to a person" asks for a counselor the
way action_request_human does."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List

import aiohttp
import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from bot.app import create_app
from bot.settings import Settings
from bot.store.migrate import upgrade
from tests.gateway.conftest import ENCRYPTION_KEY, SERVICE_TOKEN, FakeRasa
from tests.gateway.console_support import PASSWORD, seed_console

pytestmark = pytest.mark.asyncio(loop_scope="session")
LEASE_SECONDS = 1.5
ERRORS: Dict[int, List[str]] = {}  # page → script errors, CSP violations and dialogs (an alert() that ran)


@dataclass
class Stack:
    url: str
    app: Any
    rasa: FakeRasa
    http: aiohttp.ClientSession
    cursors: Dict[str, int] = field(default_factory=dict)

    async def user_says(self, text: str, session: str = "user-ke") -> List[str]:
        async with self.http.post(f"{self.url}/webchat/messages", json={"session_id": session, "text": text}) as r:
            assert r.status == 200, await r.text()
            body = await r.json()
        self.cursors[session] = max(self.cursors.get(session, 0), body["cursor"])
        return [m["text"] for m in body["messages"]]

    async def user_reads(self, session: str = "user-ke", expect_text: str = "", timeout: float = 10.0) -> List[str]:
        """Replies that came later (a counselor's), waiting until one contains `expect_text`."""
        seen: List[str] = []
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            after = self.cursors.get(session, 0)
            async with self.http.get(f"{self.url}/webchat/messages",
                                     params={"session_id": session, "after": str(after)}) as r:
                body = await r.json()
            self.cursors[session] = body["cursor"]
            seen += [m["text"] for m in body["messages"]]
            if any(expect_text in text for text in seen) or loop.time() > deadline:
                return seen
            await asyncio.sleep(0.1)


@pytest_asyncio.fixture(loop_scope="session")
async def stack(tmp_path: Path) -> AsyncIterator[Stack]:
    rasa = FakeRasa()
    rasa_server = TestServer(rasa.app, host="127.0.0.1")
    await rasa_server.start_server()
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    upgrade(url)
    await seed_console(url)
    settings = Settings(
        pseudonym_key="pseudonym-key-for-tests", rasa_auth_token="rasa-token",
        casework_service_token=SERVICE_TOKEN, database_url=url,
        rasa_url=str(rasa_server.make_url("")).rstrip("/"), action_server_url="http://127.0.0.1:9",
        data_encryption_keys=(ENCRYPTION_KEY,), counselor_reconnect_seconds=LEASE_SECONDS,
        rasa_tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}",
    )
    app = create_app(settings)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    base = str(server.make_url("")).rstrip("/")
    http = aiohttp.ClientSession()

    async def request_human(sender: str) -> List[Dict[str, Any]]:
        # What action_request_human does: ask the gateway for a counselor (Kenya routes to the
        # Kenyan children's services in reference/routing_sample.yml) and say its answer.
        async with http.post(f"{base}/api/v1/handoffs", headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
                             json={"conversation_id": sender, "reason": "job_check", "country": "KE",
                                   "context": {"job_check": {"risk": "high", "flags": ["document_retention"]}}}) as r:
            assert r.status in (200, 201), await r.text()
            return [{"text": (await r.json())["text"]}]

    rasa.actions["talk to a person"] = request_human
    yield Stack(base, app, rasa, http)
    await http.close()
    await server.close()
    await rasa_server.close()


async def signed_in(browser: Browser, stack: Stack, username: str) -> Page:
    context = await browser.new_context()
    page = await context.new_page()
    errors: List[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "Content Security" in m.text else None)
    ERRORS[id(page)] = errors
    await page.goto(f"{stack.url}/console/login")
    await page.get_by_label("User name").fill(username)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(f"{stack.url}/console")
    await expect(page.locator("#live")).to_have_text("Live")
    return page


def errors_of(page: Page) -> List[str]:
    return list(ERRORS[id(page)])


async def test_claim_chat_both_ways_refer_to_another_agency_and_script_stays_text(
    browser: Browser, stack: Stack
) -> None:
    wanjiru = await signed_in(browser, stack, "wanjiru")
    maria = await signed_in(browser, stack, "maria")  # another agency (the Philippines)

    await stack.user_says("hello, my number is 0722 555 666")
    replies = await stack.user_says("talk to a person")
    assert "You are next in line" in replies[0]
    # The queue updates live, without a reload; the other agency's queue stays empty.
    row = wanjiru.locator("table.queue tbody tr")
    await expect(row).to_have_count(1)
    await expect(row).to_contain_text("Job offer check")
    await expect(row).not_to_contain_text("+")  # no phone numbers, nothing identifying
    await expect(maria.locator("#queue")).to_contain_text("Nobody is waiting")

    await row.get_by_role("link", name="Open").click()
    await expect(wanjiru.locator(".context")).to_contain_text("HIGH")
    await expect(wanjiru.locator(".context")).to_contain_text("document retention")
    # The earlier talk with the bot is beside the chat, so the user never repeats their story.
    await expect(wanjiru.locator("#transcript")).to_contain_text("hello")
    # No report shared with this agency: the number the user typed stays a placeholder, and why.
    typed = wanjiru.locator("#transcript .line.user.earlier").first
    await expect(typed).to_contain_text("my number is [phone]")
    await expect(typed).to_contain_text("the user has not agreed to share this")
    await wanjiru.get_by_role("button", name="Claim this conversation").click()
    await expect(wanjiru.locator("#state")).to_contain_text("With Wanjiru Mwangi")
    assert any("has joined" in text for text in await stack.user_reads(expect_text="has joined"))

    # Both ways, live.
    await wanjiru.get_by_label("Message to the user").fill("Hello, I'm Wanjiru. Are you safe right now?")
    await wanjiru.get_by_role("button", name="Send").click()
    assert "Hello, I'm Wanjiru. Are you safe right now?" in await stack.user_reads(expect_text="Wanjiru")
    attack = '<script>alert("x")</script><img src=x onerror="alert(1)"> yes, at home'
    assert await stack.user_says(attack) == []
    await expect(wanjiru.locator("#transcript .line.user").last).to_have_text("User" + attack)
    assert await wanjiru.locator("#transcript img").count() == 0
    assert stack.rasa.received[-1]["message"] == "talk to a person"  # the bot heard nothing since

    # A private note, then a referral without consent to share the earlier conversation.
    await wanjiru.get_by_label("Private note (only your agency sees it)").fill("Seems scared; PH family")
    await wanjiru.get_by_role("button", name="Save note").click()
    await expect(wanjiru.locator("#transcript .line.note")).to_contain_text("Seems scared")
    await wanjiru.get_by_label("Agency", exact=True).select_option(value="sample-ph-social-welfare")
    await wanjiru.get_by_label("Note for the receiving agency").fill("Family in Cebu; needs PH support")
    await wanjiru.get_by_role("button", name="Refer").click()
    await expect(wanjiru).to_have_url(f"{stack.url}/console")
    assert any("passed your request" in text for text in await stack.user_reads(expect_text="passed your request"))

    referred = maria.locator("table.queue tbody tr")
    await expect(referred).to_have_count(1)
    await expect(referred).to_contain_text("Referral")
    await referred.get_by_role("link", name="Open").click()
    await expect(maria.locator(".context")).to_contain_text("Family in Cebu")
    await expect(maria.locator("#transcript")).to_contain_text("not shared with your agency")
    await expect(maria.locator("#transcript")).not_to_contain_text("Seems scared")  # another agency's note
    await expect(maria.locator("#transcript")).not_to_contain_text("yes, at home")
    assert errors_of(wanjiru) == [] and errors_of(maria) == []
    await wanjiru.context.close()
    await maria.context.close()


async def test_close_returns_the_user_to_the_bot_and_a_disconnect_requeues(browser: Browser, stack: Stack) -> None:
    wanjiru = await signed_in(browser, stack, "wanjiru")
    await stack.user_says("talk to a person", session="second")
    await wanjiru.locator("table.queue tbody tr").get_by_role("link", name="Open").click()
    await wanjiru.get_by_role("button", name="Claim this conversation").click()
    await expect(wanjiru.locator("#state")).to_contain_text("With Wanjiru")
    await stack.user_reads("second", "has joined")

    # Disconnect: the browser goes away; after the reconnect time the chat is back in the queue.
    conversation_url = wanjiru.url
    await wanjiru.context.close()
    told = await stack.user_reads("second", "lost their connection", timeout=LEASE_SECONDS * 8)
    assert any("lost their connection" in text for text in told)

    kamau = await signed_in(browser, stack, "kamau")  # the supervisor picks it up again
    await kamau.goto(conversation_url)
    await expect(kamau.locator("#state")).to_have_text("Waiting for a counselor")
    await kamau.get_by_role("button", name="Claim this conversation").click()
    await expect(kamau.locator("#state")).to_contain_text("With Kamau")
    await kamau.get_by_label("Outcome").select_option("information_given")
    await kamau.get_by_role("button", name="Close and return to the assistant").click()
    await expect(kamau.locator("#state")).to_contain_text("Closed")
    told = await stack.user_reads("second", "back with the SafePassage assistant")
    assert any("back with the SafePassage assistant" in text for text in told)
    assert (await stack.user_says("thanks", session="second"))[0] == "echo: thanks"  # the bot again
    assert errors_of(kamau) == []
    await kamau.context.close()


async def test_another_agency_cannot_reach_a_conversation_by_guessing_urls(browser: Browser, stack: Stack) -> None:
    await stack.user_says("talk to a person", session="third")
    wanjiru = await signed_in(browser, stack, "wanjiru")
    link = wanjiru.locator("table.queue tbody tr").get_by_role("link", name="Open")
    path = await link.get_attribute("href")
    assert path and path.startswith("/console/conversations/")
    maria = await signed_in(browser, stack, "maria")
    await expect(maria.locator("#queue")).to_contain_text("Nobody is waiting")
    response = await maria.goto(f"{stack.url}{path}")
    assert response is not None and response.status == 404
    api = path.replace("/console/", "/console/api/")
    lines = await maria.request.get(f"{stack.url}{api}/lines?after=0", headers={"Accept": "application/json"})
    assert lines.status == 404
    await maria.goto(f"{stack.url}/console")  # a page with her CSRF token, to try a claim properly
    claim = await maria.request.post(
        f"{stack.url}{api}/claim",
        headers={"Accept": "application/json", "Origin": stack.url,
                 "X-CSRF-Token": await maria.evaluate("window.SafePassageConsole.csrfToken()")},
    )
    assert claim.status == 404
    # Wanjiru's agency still has it waiting: nothing Maria tried changed it.
    await expect(wanjiru.locator("table.queue tbody tr")).to_contain_text("Waiting")
    await wanjiru.context.close()
    await maria.context.close()
