"""The console's shared page layout: server-rendered HTML, every value escaped, no inline script."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Optional, Sequence

from aiohttp import web

if TYPE_CHECKING:
    from bot.console.auth import User

PRODUCT = "SafePassage console"
ROLE_NAMES = {"counselor": "Counselor", "supervisor": "Supervisor", "admin": "Administrator"}


def h(value: Any) -> str:
    """Escape anything for HTML text or a quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def _header(user: Optional[User]) -> str:
    if user is None:
        return f'<header class="top"><span class="product">{h(PRODUCT)}</span></header>'
    return (
        '<header class="top">'
        f'<a class="product" href="/console">{h(PRODUCT)}</a>'
        f"{_nav(user)}"
        '<div class="who">'
        f'<span class="name">{h(user.display_name)}</span>'
        f'<span class="agency">{h(user.agency_name or user.agency_id)}</span>'
        f'<span class="role">{h(ROLE_NAMES.get(user.role, user.role))}</span>'
        '<form method="post" action="/console/logout" class="logout">'
        f'<input type="hidden" name="csrf" value="{h(user.csrf_token)}">'
        '<button type="submit">Log out</button>'
        "</form></div></header>"
    )


def _nav(user: User) -> str:
    if user.role not in ("supervisor", "admin"):
        return ""
    return '<nav class="pages"><a href="/console">Queue</a> <a href="/console/dashboard">Dashboard</a></nav>'


def render_page(
    title: str, body_html: str, user: Optional[User], status: int = 200, stylesheets: Sequence[str] = (),
) -> web.Response:
    """A whole page around `body_html` (already escaped by the caller with `h`); extra stylesheets by path."""
    csrf = f'<meta name="csrf-token" content="{h(user.csrf_token)}">' if user else ""
    extra_css = "".join(f'<link rel="stylesheet" href="{h(path)}">' for path in stylesheets)
    page = (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"{csrf}"
        f"<title>{h(title)} · {h(PRODUCT)}</title>"
        '<link rel="icon" href="data:,">'
        '<link rel="stylesheet" href="/static/console/console.css">'
        f"{extra_css}"
        '<script src="/static/console/console.js" defer></script>'
        "</head><body>"
        f"{_header(user)}"
        f'<main id="main">{body_html}</main>'
        "</body></html>\n"
    )
    response = web.Response(text=page, status=status, content_type="text/html")
    # The gateway's default, no-referrer, makes Chromium send `Origin: null` with the console's own
    # form posts and fetches, which the Origin check must refuse; same-origin keeps the real Origin
    # for this site and still sends nothing to any other.
    response.headers["Referrer-Policy"] = "same-origin"
    return response
