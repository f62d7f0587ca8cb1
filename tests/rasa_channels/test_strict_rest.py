"""The REST channel the gateway talks to: a turn Rasa could not run is an error the gateway
retries (503), never an empty answer that would drop the user's message."""

from __future__ import annotations

import socket
from typing import Optional

import aiohttp
from rasa.core.channels.channel import UserMessage, register
from rasa.core.lock_store import LockError
from sanic import Sanic

from rasa_channels.strict_rest import StrictRestInput


class FakeAgent:
    """What the channel needs of Rasa's agent: readiness, and a turn that answers or fails."""

    def __init__(self, ready: bool = True, failure: Optional[Exception] = None) -> None:
        self.ready = ready
        self.failure = failure

    def is_ready(self) -> bool:
        return self.ready

    async def handle_message(self, message: UserMessage) -> None:
        if self.failure is not None:
            raise self.failure
        await message.output_channel.send_text_message(message.sender_id, f"you said: {message.text}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CASES = [  # (agent, status, body or the error's name)
    (FakeAgent(), 200, [{"recipient_id": "c1", "text": "you said: hello"}]),
    (FakeAgent(failure=LockError("lock store unreachable")), 503, "LockError"),
    (FakeAgent(failure=ConnectionError("tracker store away")), 503, "ConnectionError"),
    (FakeAgent(ready=False), 503, "no model loaded"),
]


async def test_a_turn_is_answered_or_refused_never_answered_with_nothing() -> None:
    # One server for every case: Sanic 21.12 cannot set up a second app in a process.
    app = Sanic("strict_rest_test")
    register([StrictRestInput()], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    assert server is not None
    await server.startup()
    await server.start_serving()
    try:
        async with aiohttp.ClientSession() as session:
            for agent, status, expected in CASES:
                app.ctx.agent = agent
                async with session.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                                        json={"sender": "c1", "message": "hello"}) as response:
                    body = await response.json()
                    assert response.status == status
                    assert body == expected if status == 200 else body["error"] == expected
    finally:
        server.close()
        await server.wait_closed()
