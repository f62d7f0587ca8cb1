"""Console pages: the login form, logout, and the console's home (the queue, filled by the handoff work)."""

from __future__ import annotations

from typing import Optional

from aiohttp import web

from bot.app_keys import DB, SETTINGS
from bot.console.audit import audit
from bot.console.auth import (
    HASHING,
    LOGIN_PATH,
    check_csrf,
    check_origin,
    clear_session_cookie,
    current_user,
    end_session,
    log_in,
    session_token,
    set_session_cookie,
    submitted_csrf,
)
from bot.console.pages import h, render_page

routes = web.RouteTableDef()

LOGIN_FAILED = (
    "The user name or password is not right, or the account is locked for a few minutes. "
    "Try again, or ask your supervisor to reset your password."
)
MAX_FIELD_CHARS = 1024


def _login_form(username: str = "", error: Optional[str] = None) -> str:
    alert = f'<p class="error" role="alert" id="login-error">{h(error)}</p>' if error else ""
    return (
        '<section class="login" aria-labelledby="login-title">'
        '<h1 id="login-title">Sign in</h1>'
        f"{alert}"
        f'<form method="post" action="{LOGIN_PATH}">'
        '<label for="username">User name</label>'
        f'<input id="username" name="username" autocomplete="username" required autofocus value="{h(username)}">'
        '<label for="password">Password</label>'
        '<input id="password" name="password" type="password" autocomplete="current-password" required>'
        '<button type="submit">Sign in</button>'
        "</form>"
        '<p class="hint">Counselors, supervisors and administrators of partner agencies only. '
        "Every sign-in is recorded.</p>"
        "</section>"
    )


@routes.get(LOGIN_PATH)
async def login_page(request: web.Request) -> web.Response:
    if await current_user(request) is not None:
        raise web.HTTPSeeOther("/console")
    return render_page("Sign in", _login_form(), None)


@routes.post(LOGIN_PATH)
async def login(request: web.Request) -> web.Response:
    check_origin(request)
    form = await request.post()
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    token = None
    if username and password and len(username) <= MAX_FIELD_CHARS and len(password) <= MAX_FIELD_CHARS:
        async with request.app[HASHING]:
            token = await log_in(
                request.app[DB], request.app[SETTINGS], username, password, replaces=session_token(request)
            )
    if token is None:
        # 200, not 401: the browser shows the form again with the message (and logs no error).
        return render_page("Sign in", _login_form(username[:64], LOGIN_FAILED), None)
    response = web.HTTPSeeOther("/console")
    set_session_cookie(response, request.app[SETTINGS], token)
    raise response


@routes.post("/console/logout")
async def logout(request: web.Request) -> web.Response:
    user = await current_user(request)
    token = session_token(request)
    if user is None or token is None:
        raise web.HTTPSeeOther(LOGIN_PATH)
    check_csrf(request, user, await submitted_csrf(request))
    async with request.app[DB]() as session, session.begin():
        await end_session(session, token)
        await audit(session, user, "logout")
    response = web.HTTPSeeOther(LOGIN_PATH)
    clear_session_cookie(response, request.app[SETTINGS])
    raise response
