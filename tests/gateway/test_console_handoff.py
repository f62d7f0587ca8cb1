"""The console's handoff API: agency scoping, CSRF, who sees what, and the audit trail."""

from __future__ import annotations

import json
import re
from typing import Any, AsyncIterator, Dict, List

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.pseudonym import pseudonym
from bot.store.models import AuditEvent
from tests.gateway.casework_support import SERVICE, report_body
from tests.gateway.conftest import settle
from tests.gateway.console_support import PASSWORD, cookie_header, db, post_login, seed_console, session_cookie


class Console:
    def __init__(self, client: TestClient, database_url: str) -> None:
        self.client, self.database_url = client, database_url
        self.reference = ""  # the report the user filed before asking for a counselor

    async def sign_in(self, username: str) -> Dict[str, str]:
        token = session_cookie(await post_login(self.client, username, PASSWORD))
        assert token
        headers = {**cookie_header(token), "Accept": "application/json"}
        page = await (await self.client.get("/console", headers=headers)).text()
        match = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
        assert match
        return {**headers, "X-CSRF-Token": match.group(1)}

    async def user_asks(self, session: str = "user-ke", text: str = "talk to a person") -> None:
        response = await self.client.post("/webchat/messages", json={"session_id": session, "text": text})
        assert response.status == 200
        await settle(self.client)

    async def queue(self, who: Dict[str, str]) -> List[Dict[str, Any]]:
        response = await self.client.get("/console/api/queue", headers=who)
        assert response.status == 200
        return list((await response.json())["queue"])

    async def audit(self) -> List[AuditEvent]:
        async with db(self.database_url) as session:
            return list((await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all())


@pytest.fixture
async def console(fake_rasa: Any, settings_factory: Any) -> AsyncIterator[Console]:
    rasa, url = fake_rasa
    settings = settings_factory(url)
    await seed_console(settings.database_url)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"), cookie_jar=DummyCookieJar())
    await client.start_server()

    async def request_human(sender: str) -> List[Dict[str, Any]]:
        reference = console_.reference or "SP-NOPE00"
        body = {"conversation_id": sender, "reason": "report", "country": "KE", "context": {"report": {"reference":
                reference}, "job_check": {"risk": "medium", "flags": ["no_contract"]}}}
        response = await client.post("/api/v1/handoffs", json=body, headers=SERVICE)
        return [{"text": (await response.json())["text"]}]

    console_ = Console(client, settings.database_url)
    rasa.actions["talk to a person"] = request_human
    yield console_
    await client.close()


async def test_each_agency_sees_only_its_own_queue_and_conversations(console: Console) -> None:
    await console.user_asks()
    wanjiru, maria = await console.sign_in("wanjiru"), await console.sign_in("maria")
    (entry,) = await console.queue(wanjiru)
    assert entry["topic"] == "Report" and entry["country"] == "KE" and entry["language"] == "en"
    assert await console.queue(maria) == []
    handoff = entry["id"]
    for path in (f"/console/conversations/{handoff}", f"/console/api/conversations/{handoff}/lines"):
        assert (await console.client.get(path, headers=maria)).status == 404
    claim = await console.client.post(f"/console/api/conversations/{handoff}/claim", headers=maria)
    assert claim.status == 404
    assert (await console.client.get("/console/conversations/99999", headers=wanjiru)).status == 404


async def test_actions_need_the_csrf_token(console: Console) -> None:
    await console.user_asks()
    wanjiru = await console.sign_in("wanjiru")
    (entry,) = await console.queue(wanjiru)
    without = {k: v for k, v in wanjiru.items() if k != "X-CSRF-Token"}
    response = await console.client.post(f"/console/api/conversations/{entry['id']}/claim", headers=without)
    assert response.status == 403
    assert (await console.queue(wanjiru))[0]["status"] == "queued"


async def test_counselors_see_waiting_and_their_own_chats_supervisors_see_all(console: Console) -> None:
    await console.user_asks("first")
    await console.user_asks("second")
    wanjiru, kamau = await console.sign_in("wanjiru"), await console.sign_in("kamau")
    first, second = await console.queue(wanjiru)
    await console.client.post(f"/console/api/conversations/{first['id']}/claim", headers=kamau)
    assert [e["id"] for e in await console.queue(wanjiru)] == [second["id"]]
    everything = await console.queue(kamau)
    assert {e["id"] for e in everything} == {first["id"], second["id"]}
    assert [e["counselor"] for e in everything if e["status"] == "active"] == ["Kamau Otieno"]
    # The supervisor reassigns the chat to the counselor.
    people = await (await console.client.get(f"/console/conversations/{first['id']}", headers=kamau)).text()
    wanjiru_id = re.search(r'<option value="(\d+)">Wanjiru Mwangi', people)
    assert wanjiru_id
    moved = await console.client.post(f"/console/api/conversations/{first['id']}/transfer",
                                      json={"to_user": int(wanjiru_id.group(1))}, headers=kamau)
    assert moved.status == 200
    assert [e["mine"] for e in await console.queue(wanjiru) if e["status"] == "active"] == [True]


async def test_the_conversation_page_shows_what_the_bot_collected_and_escapes_user_text(console: Console) -> None:
    await console.user_asks()
    wanjiru = await console.sign_in("wanjiru")
    (entry,) = await console.queue(wanjiru)
    await console.client.post(f"/console/api/conversations/{entry['id']}/claim", headers=wanjiru)
    await console.user_asks(text="<b>bold</b> and \"quotes\"")
    page = await (await console.client.get(f"/console/conversations/{entry['id']}", headers=wanjiru)).text()
    assert "Red flags: no contract" in page and "Reference SP-NOPE00" in page
    assert "Greeting" in page  # a canned response for this agency and language
    response = await console.client.get(f"/console/conversations/{entry['id']}", headers=wanjiru)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    lines = await (await console.client.get(f"/console/api/conversations/{entry['id']}/lines",
                                            headers=wanjiru)).json()
    # JSON for the page's textContent: the text as typed, never as markup in the page itself.
    assert "<b>bold</b> and \"quotes\"" in [line["text"] for line in lines["lines"]]
    assert "<b>bold</b>" not in page


async def test_views_and_actions_are_audited_without_content(console: Console) -> None:
    await console.user_asks()
    wanjiru = await console.sign_in("wanjiru")
    (entry,) = await console.queue(wanjiru)
    base = f"/console/api/conversations/{entry['id']}"
    await console.client.get(f"/console/conversations/{entry['id']}", headers=wanjiru)
    await console.client.post(f"{base}/claim", headers=wanjiru)
    await console.client.post(f"{base}/messages", json={"text": "Are you safe right now?"}, headers=wanjiru)
    await console.client.post(f"{base}/notes", json={"text": "very scared"}, headers=wanjiru)
    await console.client.post(f"{base}/close", json={"outcome": "resolved"}, headers=wanjiru)
    rows = [row for row in await console.audit() if row.conversation_id]
    assert [row.action for row in rows] == ["view_conversation", "claim", "send_message", "add_note", "close"]
    stored = json.dumps([row.detail for row in rows])
    assert "safe" not in stored and "scared" not in stored


async def test_bad_requests_get_clear_errors(console: Console) -> None:
    await console.user_asks()
    wanjiru = await console.sign_in("wanjiru")
    (entry,) = await console.queue(wanjiru)
    base = f"/console/api/conversations/{entry['id']}"
    not_mine = await console.client.post(f"{base}/messages", json={"text": "hi"}, headers=wanjiru)
    assert not_mine.status == 409 and "not the counselor" in (await not_mine.json())["error"]
    await console.client.post(f"{base}/claim", headers=wanjiru)
    empty = await console.client.post(f"{base}/messages", json={"text": "  "}, headers=wanjiru)
    assert empty.status == 400
    outcome = await console.client.post(f"{base}/close", json={"outcome": "whatever"}, headers=wanjiru)
    assert outcome.status == 400 and "outcome must be one of" in (await outcome.json())["error"]
    garbage = await console.client.post(f"{base}/transfer", data=b"{not json", headers=wanjiru)
    assert garbage.status == 400


async def test_report_details_show_only_to_an_agency_the_user_agreed_to_share_with(console: Console) -> None:
    conversation = pseudonym("pseudonym-key-for-tests", "webchat", "user-ke")
    await console.user_asks(text="hello")  # the conversation exists before the report
    # Consent to child protection (Kenya's children's services) but not to NGOs.
    filed = await console.client.post("/api/v1/reports", headers=SERVICE, json=report_body(
        conversation=conversation, consent={"child_protection": True, "police": False, "ngo": False}))
    console.reference = (await filed.json())["reference"]
    await console.user_asks()
    wanjiru = await console.sign_in("wanjiru")
    (entry,) = await console.queue(wanjiru)
    page = await (await console.client.get(f"/console/conversations/{entry['id']}", headers=wanjiru)).text()
    assert f"Report {console.reference}" in page and "Mombasa, near the old market" in page
    await console.client.post(f"/console/api/conversations/{entry['id']}/claim", headers=wanjiru)
    await console.client.post(f"/console/api/conversations/{entry['id']}/transfer", headers=wanjiru,
                              json={"to_agency": "sample-ph-social-welfare", "note": "family in PH"})
    maria = await console.sign_in("maria")
    page = await (await console.client.get(f"/console/conversations/{entry['id']}", headers=maria)).text()
    assert "not shared with your agency" in page and "old market" not in page


TYPED = "my number is 0722 555 666, write to amina.k@example.org"


async def earlier_user_lines(console: Console, who: Dict[str, str]) -> List[Dict[str, Any]]:
    """The user's lines with the assistant, as the conversation page shows them."""
    (entry,) = await console.queue(who)
    lines = await (await console.client.get(f"/console/api/conversations/{entry['id']}/lines", headers=who)).json()
    return [line for line in lines["earlier"] if line["sender"] == "user"]


async def file_report(console: Console, contact: Dict[str, str]) -> None:
    conversation = pseudonym("pseudonym-key-for-tests", "webchat", "user-ke")
    filed = await console.client.post("/api/v1/reports", headers=SERVICE, json=report_body(
        conversation=conversation, consent={"child_protection": True, "police": False, "ngo": False},
        contact=contact))
    assert filed.status in (200, 201)
    console.reference = (await filed.json())["reference"]


async def test_with_consent_the_counselor_sees_the_number_and_address_the_user_typed(console: Console) -> None:
    await console.user_asks(text=TYPED)
    await file_report(console, {"method": "phone", "phone": "+254 700 111 222"})
    await console.user_asks()
    wanjiru = await console.sign_in("wanjiru")  # children's services: the user consented to child protection
    first = (await earlier_user_lines(console, wanjiru))[0]
    assert first["text"] == TYPED and "note" not in first
    shown = [row for row in await console.audit() if row.action == "view_identifiers"]
    assert [row.detail["shown"] for row in shown] == [2]
    detail = json.dumps(shown[0].detail)
    assert not [secret for secret in ("555 666", "555666", "amina") if secret in detail]


@pytest.mark.parametrize("contact", [None, {"method": "anonymous"}], ids=["no report", "anonymous report"])
async def test_without_consent_the_counselor_sees_placeholders_and_why(
    console: Console, contact: Dict[str, str] | None
) -> None:
    await console.user_asks(text=TYPED)
    if contact is not None:
        await file_report(console, contact)
    await console.user_asks()
    wanjiru = await console.sign_in("wanjiru")
    first = (await earlier_user_lines(console, wanjiru))[0]
    assert first["text"] == "my number is [phone], write to [email]"
    assert first["note"] == "the user has not agreed to share this"
    assert not [row for row in await console.audit() if row.action == "view_identifiers"]


async def test_an_agency_the_user_did_not_consent_to_sees_placeholders(console: Console) -> None:
    await console.user_asks(text=TYPED)
    await file_report(console, {"method": "phone", "phone": "+254 700 111 222"})
    await console.user_asks()
    wanjiru = await console.sign_in("wanjiru")
    (entry,) = await console.queue(wanjiru)
    await console.client.post(f"/console/api/conversations/{entry['id']}/claim", headers=wanjiru)
    moved = await console.client.post(f"/console/api/conversations/{entry['id']}/transfer", headers=wanjiru,
                                      json={"to_agency": "sample-ph-social-welfare", "share_history": True})
    assert moved.status == 200
    maria = await console.sign_in("maria")  # a referral shares the chat, not the report: no consent here
    first = (await earlier_user_lines(console, maria))[0]
    assert first["text"] == "my number is [phone], write to [email]" and first["note"]
