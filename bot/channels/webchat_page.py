"""The web chat page's own words, in the browser's language (`?lang=` or Accept-Language).

The English labels are here; translations are the `webchat` section of
locales/<lang>/messages.yml. The template (bot/static/chat.html) has a {{NAME}} for each.
"""

from __future__ import annotations

import html
from typing import Optional

from locales.catalogue import languages, localize

PAGE_TITLE = "SafePassage chat"
QUICK_EXIT = "Quick exit ✕"
QUICK_EXIT_HINT = "Leave this page now and clear the chat (or press Esc)"
NOTICE = (
    "An automated assistant about safe jobs abroad, trafficking and where to get help. "
    'In danger right now? Call your local emergency number (112 or 911), or type "help now".'
)
CONVERSATION = "Conversation"
YOUR_MESSAGE = "Your message"
PLACEHOLDER = "Type a message…"
SEND = "Send"
SEND_FAILED = "Sorry, that message could not be sent:"
OFFLINE = "Sorry, I could not reach the server. Please try again. If you are in danger, call 112 or 911."
LABELS = ("PAGE_TITLE", "QUICK_EXIT", "QUICK_EXIT_HINT", "NOTICE", "CONVERSATION", "YOUR_MESSAGE", "PLACEHOLDER",
          "SEND", "SEND_FAILED", "OFFLINE")


def page_language(query: Optional[str], accept_language: Optional[str]) -> str:
    """`?lang=fr` first, then the first supported language the browser lists, else the default."""
    supported = languages()
    if supported.supported(query):
        return str(supported.supported(query))
    for part in (accept_language or "").split(","):
        code = supported.supported(part.split(";")[0].strip())
        if code:
            return code
    return supported.default


def render(template: str, language: str) -> str:
    """The page with every label in `language` (escaped for HTML text and attributes)."""
    page = template.replace("{{LANG}}", language)
    for name in LABELS:
        text = str(localize("webchat", name, globals()[name], language))
        page = page.replace("{{" + name + "}}", html.escape(text, quote=True))
    return page
