"""Signing in to the counselor console: cookies, lockout, CSRF, Origin, roles, sessions, audit."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, AsyncIterator, Dict

import aiohttp
import pytest
from aiohttp import DummyCookieJar, web
from aiohttp.test_utils import TestClient, TestServer
from argon2 import PasswordHasher
from sqlalchemy import select, text, update

from bot.app import create_app
from bot.console.accounts import deactivate_user, reset_password
from bot.console.audit import audit
from bot.console.auth import User, require_user
from bot.console.pages import h
from bot.settings import Settings
from bot.store.models import AuditEvent, ConsoleSession, ConsoleUser, utcnow
from bot.web_security import CSP
from tests.gateway.console_support import (
    AGENCY_NAMES,
    PASSWORD,
    cookie_header,
    csrf_of,
    db,
    post_login,
    seed_console,
    session_cookie,
)


async def supervisors_only(request: web.Request) -> web.Response:
    user = await require_user(request, roles=("supervisor", "admin"))
    return web.json_response({"hello": user.username})


async def socket(request: web.Request) -> web.WebSocketResponse:
    await require_user(request)
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_str("hello")
    await ws.close()
    return ws


@dataclass
class Console:
    client: TestClient
    settings: Settings

    async def signed_in(self, username: str = "wanjiru") -> Dict[str, str]:
        response = await post_login(self.client, username)
        assert response.status == 303, await response.text()
        token = session_cookie(response)
        assert token
        return cookie_header(token)

    async def page(self, path: str, headers: Dict[str, str]) -> aiohttp.ClientResponse:
        return await self.client.get(path, headers=headers, allow_redirects=False)


@pytest.fixture
async def console(fake_rasa: Any, settings_factory: Any) -> AsyncIterator[Console]:
    settings = settings_factory(fake_rasa[1])
    await seed_console(settings.database_url)
    app = create_app(settings)
    app.router.add_get("/test/supervisors", supervisors_only)
    app.router.add_get("/test/socket", socket)
    # No cookie jar: each request carries exactly the cookie the test gives it.
    client = TestClient(TestServer(app, host="127.0.0.1"), cookie_jar=DummyCookieJar())
    await client.start_server()
    yield Console(client, settings)
    await client.close()


def _error_message(page: str) -> str:
    match = re.search(r'<p class="error" role="alert" id="login-error">(.*?)</p>', page)
    assert match, "no error message on the page"
    return match.group(1)


async def test_login_sets_a_strict_httponly_secure_cookie_and_shows_the_console(console: Console) -> None:
    response = await post_login(console.client, "  WanJiru ")  # user names ignore case and spaces
    assert response.status == 303 and response.headers["Location"] == "/console"
    (set_cookie,) = response.headers.getall("Set-Cookie")
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")}
    assert {"httponly", "secure", "path"} <= attributes
    assert "SameSite=Strict" in set_cookie and "Path=/" in set_cookie
    assert set_cookie.startswith("__Host-")  # the browser refuses it unless Secure, host-only, Path=/
    assert "expires" not in attributes and "max-age" not in attributes  # gone when the browser closes

    page = await console.page("/console", cookie_header(session_cookie(response) or ""))
    body = await page.text()
    assert page.status == 200
    assert "Wanjiru Mwangi" in body and "Counselor" in body and h(AGENCY_NAMES["sample-ke-children-services"]) in body
    assert ">Queue</h1>" in body and '<section id="queue"' in body
    assert '<script src="/static/console/console.js"' in body and "<script>" not in body
    assert page.headers["Content-Security-Policy"] == CSP


async def test_the_console_sends_strangers_to_the_login_page(console: Console) -> None:
    page = await console.page("/console", {})
    assert page.status == 302 and page.headers["Location"] == "/console/login"
    forged = await console.page("/console", cookie_header("not-a-session"))
    assert forged.status == 302
    api = await console.page("/test/supervisors", {"Accept": "application/json"})
    assert api.status == 401 and "error" in await api.json()
    login = await console.page("/console/login", {})
    assert login.status == 200 and login.headers["Content-Security-Policy"] == CSP
    assert 'name="password" type="password"' in await login.text()


async def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(console: Console) -> None:
    wrong = await post_login(console.client, "wanjiru", "not the password")
    unknown = await post_login(console.client, "nobody-here", PASSWORD)
    wrong_page, unknown_page = await wrong.text(), await unknown.text()
    assert wrong.status == unknown.status == 200
    assert session_cookie(wrong) is None and session_cookie(unknown) is None
    assert _error_message(wrong_page) == _error_message(unknown_page)
    # Apart from the echoed user name, the two pages are identical.
    assert wrong_page.replace('value="wanjiru"', "") == unknown_page.replace('value="nobody-here"', "")


async def test_five_wrong_passwords_lock_the_account_for_a_while(console: Console) -> None:
    assert console.settings.console_lockout_attempts == 5
    for _ in range(4):
        await post_login(console.client, "wanjiru", "guess")
    assert session_cookie(await post_login(console.client, "wanjiru")) is not None  # a success resets the count
    for _ in range(5):
        await post_login(console.client, "wanjiru", "guess")
    locked = await post_login(console.client, "wanjiru")  # the right password, but locked
    assert session_cookie(locked) is None
    assert _error_message(await locked.text()) == _error_message(
        await (await post_login(console.client, "nobody", "x")).text()
    )
    assert session_cookie(await post_login(console.client, "kamau")) is not None  # others are not locked

    async with db(console.settings.database_url) as session:
        user = (await session.scalars(select(ConsoleUser).where(ConsoleUser.username == "wanjiru"))).one()
        assert user.locked_until is not None
        lock = user.locked_until.replace(tzinfo=None) - utcnow().replace(tzinfo=None)
        assert timedelta(minutes=14) < lock <= timedelta(minutes=15)
        actions = (await session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == user.id))).all()
        assert actions.count("lockout") == 1 and "login_failed" in actions
        user.locked_until = utcnow() - timedelta(seconds=1)  # fifteen minutes later
    assert session_cookie(await post_login(console.client, "wanjiru")) is not None


async def test_forms_need_the_csrf_token_and_logout_ends_the_session(console: Console) -> None:
    cookie = await console.signed_in()
    csrf = csrf_of(await (await console.page("/console", cookie)).text())
    for data in ({}, {"csrf": "forged"}):
        refused = await console.client.post("/console/logout", data=data, headers=cookie, allow_redirects=False)
        assert refused.status == 403
    assert (await console.page("/console", cookie)).status == 200  # still signed in

    out = await console.client.post("/console/logout", data={"csrf": csrf}, headers=cookie, allow_redirects=False)
    assert out.status == 303 and out.headers["Location"] == "/console/login"
    assert any(h.startswith("__Host-sp_console=;") or 'sp_console=""' in h for h in out.headers.getall("Set-Cookie"))
    assert (await console.page("/console", cookie)).status == 302  # the old cookie no longer works
    assert (await console.page("/test/supervisors", {**cookie, "Accept": "application/json"})).status == 401


async def test_scripts_send_the_csrf_token_in_a_header(console: Console) -> None:
    cookie = await console.signed_in()
    csrf = csrf_of(await (await console.page("/console", cookie)).text())
    out = await console.client.post("/console/logout", headers={**cookie, "X-CSRF-Token": csrf}, allow_redirects=False)
    assert out.status == 303


async def test_requests_from_another_site_are_refused(console: Console) -> None:
    evil = {"Origin": "https://evil.example"}
    assert (await post_login(console.client, "wanjiru", headers=evil)).status == 403
    assert (await post_login(console.client, "wanjiru", headers={"Origin": "null"})).status == 403
    # Console pages keep the Origin header on their own posts (no-referrer would make it "null").
    assert (await console.page("/console/login", {})).headers["Referrer-Policy"] == "same-origin"
    cookie = await console.signed_in()
    csrf = csrf_of(await (await console.page("/console", cookie)).text())
    out = await console.client.post("/console/logout", data={"csrf": csrf}, headers={**cookie, **evil},
                                    allow_redirects=False)
    assert out.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
        await console.client.ws_connect("/test/socket", headers={**cookie, **evil})
    assert refused.value.status == 403
    with pytest.raises(aiohttp.WSServerHandshakeError) as stranger:
        await console.client.ws_connect("/test/socket")
    assert stranger.value.status == 401
    same_site = {"Origin": str(console.client.make_url("")).rstrip("/")}
    ws = await console.client.ws_connect("/test/socket", headers={**cookie, **same_site})
    assert await ws.receive_str() == "hello"
    await ws.close()
    own = await console.client.post("/console/logout", data={"csrf": csrf}, headers={**cookie, **same_site},
                                    allow_redirects=False)
    assert own.status == 303


async def test_roles_are_enforced(console: Console) -> None:
    counselor = await console.signed_in("wanjiru")
    refused = await console.page("/test/supervisors", {**counselor, "Accept": "application/json"})
    assert refused.status == 403 and "error" in await refused.json()
    assert (await console.page("/test/supervisors", counselor)).status == 403
    supervisor = await console.signed_in("kamau")
    allowed = await console.page("/test/supervisors", supervisor)
    assert allowed.status == 200 and (await allowed.json()) == {"hello": "kamau"}


async def test_a_new_login_gets_a_new_session_and_ends_the_old_one(console: Console) -> None:
    first = await console.signed_in()
    again = await post_login(console.client, "wanjiru", headers=first)
    second = session_cookie(again)
    assert second and cookie_header(second) != first
    assert (await console.page("/console", first)).status == 302
    assert (await console.page("/console", cookie_header(second))).status == 200


async def test_reset_password_and_deactivation_end_sessions(console: Console) -> None:
    url = console.settings.database_url
    cookie, other = await console.signed_in("wanjiru"), await console.signed_in("maria")
    async with db(url) as session:
        assert await reset_password(session, "wanjiru", "a brand new passphrase") == 1
    assert (await console.page("/console", cookie)).status == 302
    assert session_cookie(await post_login(console.client, "wanjiru")) is None  # the old password is gone
    assert session_cookie(await post_login(console.client, "wanjiru", "a brand new passphrase")) is not None

    async with db(url) as session:
        await deactivate_user(session, "maria")
    assert (await console.page("/console", other)).status == 302
    assert session_cookie(await post_login(console.client, "maria")) is None


async def test_sessions_end_after_idle_time_and_after_their_lifetime(console: Console) -> None:
    idle, old = await console.signed_in(), await console.signed_in("kamau")
    async with db(console.settings.database_url) as session:
        users = {u.username: u.id for u in (await session.scalars(select(ConsoleUser))).all()}
        await session.execute(update(ConsoleSession).where(ConsoleSession.user_id == users["wanjiru"])
                              .values(last_seen_at=utcnow() - timedelta(minutes=61)))
        await session.execute(update(ConsoleSession).where(ConsoleSession.user_id == users["kamau"])
                              .values(expires_at=utcnow() - timedelta(seconds=1)))
    assert (await console.page("/console", idle)).status == 302
    assert (await console.page("/console", old)).status == 302
    fresh = await console.signed_in()
    assert (await console.page("/console", fresh)).status == 200


async def test_passwords_are_kept_only_as_argon2id_hashes_and_rehashed_when_parameters_change(
    console: Console,
) -> None:
    url = console.settings.database_url
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with db(url) as session:
        await session.execute(update(ConsoleUser).where(ConsoleUser.username == "maria").values(password_hash=weak))
    await console.signed_in("maria")
    async with db(url) as session:
        hashes = dict((await session.execute(select(ConsoleUser.username, ConsoleUser.password_hash))).all())
        dump = json.dumps([list(r) for t in ("console_users", "console_sessions", "audit_log")
                           for r in (await session.execute(text(f"SELECT * FROM {t}"))).all()], default=str)  # noqa: S608
    assert all(h.startswith("$argon2id$v=19$m=65536,t=3,p=4$") for h in hashes.values())
    assert hashes["maria"] != weak  # upgraded on login to today's parameters
    assert PASSWORD not in dump


async def test_the_audit_log_records_sign_ins_without_secrets(console: Console) -> None:
    await post_login(console.client, "wanjiru", "my-secret-guess")
    await post_login(console.client, "someone-else", "another-secret")
    cookie = await console.signed_in()
    token = cookie["Cookie"].split("=", 1)[1]
    csrf = csrf_of(await (await console.page("/console", cookie)).text())
    await console.client.post("/console/logout", data={"csrf": csrf}, headers=cookie, allow_redirects=False)
    async with db(console.settings.database_url) as session:
        rows = (await session.scalars(select(AuditEvent)
                                      .where(AuditEvent.action.not_in(("user_created", "view_queue")))
                                      .order_by(AuditEvent.id))).all()
    assert [r.action for r in rows] == ["login_failed", "login_failed", "login", "logout"]
    assert [r.detail.get("reason") for r in rows[:2]] == ["wrong_password", "unknown_user"]
    assert rows[0].user_id == rows[2].user_id == rows[3].user_id is not None and rows[1].user_id is None
    assert {r.agency_id for r in (rows[0], rows[2], rows[3])} == {"sample-ke-children-services"}
    stored = json.dumps([[r.action, r.detail, r.conversation_id] for r in rows])
    for secret in ("my-secret-guess", "another-secret", "someone-else", PASSWORD, token, csrf):
        assert secret not in stored


async def test_audit_refuses_details_that_look_like_content(console: Console) -> None:
    user = User(id=1, username="wanjiru", display_name="W", role="counselor",
                agency_id="sample-ke-children-services", session_id=1, csrf_token="x")
    async with db(console.settings.database_url) as session:
        await audit(session, user, "view_conversation", "we-abc", {"messages_shown": 3})
        bad_details = ({"message_text": "help"}, {"phone": "1"}, {"new_password": "x"},
                       {"reason": "called +254 700 111 222"}, {"reason": "they locked us in " * 10})
        for bad in bad_details:
            with pytest.raises(ValueError):
                await audit(session, user, "claim", "we-abc", bad)
    async with db(console.settings.database_url) as session:
        row = (await session.scalars(select(AuditEvent).where(AuditEvent.action == "view_conversation"))).one()
    assert (row.action, row.conversation_id, row.agency_id, row.detail) == (
        "view_conversation", "we-abc", "sample-ke-children-services", {"messages_shown": 3}
    )


async def test_without_https_elsewhere_the_cookie_can_drop_secure(fake_rasa: Any, settings_factory: Any) -> None:
    settings = settings_factory(fake_rasa[1], console_cookie_secure=False)
    await seed_console(settings.database_url)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"), cookie_jar=DummyCookieJar())
    await client.start_server()
    try:
        response = await post_login(client, "wanjiru")
        (set_cookie,) = response.headers.getall("Set-Cookie")
        assert set_cookie.startswith("sp_console=") and "Secure" not in set_cookie and "HttpOnly" in set_cookie
        token = set_cookie.split(";")[0].split("=", 1)[1]
        page = await client.get("/console", headers={"Cookie": f"sp_console={token}"}, allow_redirects=False)
        assert page.status == 200
    finally:
        await client.close()
