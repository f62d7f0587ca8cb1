"""Rasa's REST channel, except that a turn that fails is an error, not an empty answer.

Rasa 3.6's own REST channel catches every exception of a turn (the Redis lock store away, the
tracker store failing, no model loaded yet) and answers 200 with no messages: the gateway could
not tell that from a turn with nothing to say, and the user's message was dropped. This one
answers 503, so the gateway sends the holding message and tries the turn again. Its URL is the
same (`/webhooks/rest/webhook`), and it logs no message text.
"""

from __future__ import annotations

import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)


class StrictRestInput(RestInput):
    """POST /webhooks/rest/webhook: the bot's messages, or 503 when the turn could not run."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():  # Rasa would drop the message silently
                return response.json({"error": "no model loaded"}, status=503)
            collector = CollectingOutputChannel()
            message = UserMessage(
                self._extract_message(request), collector, await self._extract_sender(request),
                input_channel=self._extract_input_channel(request), metadata=self.get_metadata(request),
            )
            try:
                await on_new_message(message)
            except Exception as exc:  # noqa: BLE001 - any failure: the gateway holds and retries
                logger.error("turn failed: %s", type(exc).__name__)
                return response.json({"error": type(exc).__name__}, status=503)
            return response.json(collector.messages)

        return webhook
