"""Fake Telegram Bot API and WhatsApp Graph API servers on 127.0.0.1.

They record what they were sent and can answer 429 or 5xx on demand, so the bridges are
tested (and benchmarked) without reaching Telegram or Meta.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from aiohttp import web
from aiohttp.test_utils import TestServer

BOT_ID = 7000000001


@dataclass
class Call:
    method: str
    params: Dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeServer:
    """An aiohttp app served on 127.0.0.1 at a free port."""

    app: web.Application
    server: Optional[TestServer] = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    async def start(self) -> str:
        self.server = TestServer(self.app, host="127.0.0.1")
        await self.server.start_server()
        return self.url

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()


class FakeTelegram(FakeServer):
    """`/bot<token>/<method>` like api.telegram.org; `failures` answers the next calls with errors."""

    def __init__(self, token: str = "123456:TEST-token") -> None:  # noqa: S107 - a fake
        self.token = token
        self.calls: List[Call] = []
        self.failures: List[Tuple[int, Dict[str, Any]]] = []  # (status, body) for the next sends
        self.updates: List[Dict[str, Any]] = []  # served by getUpdates (polling)
        self._ids = itertools.count(1000)
        self.app = web.Application()
        self.app.router.add_post("/bot{token}/{method}", self.handle)
        self.sent_event = asyncio.Event()

    def sent(self, method: str = "sendMessage") -> List[Dict[str, Any]]:
        return [call.params for call in self.calls if call.method == method]

    def fail_next(self, status: int, retry_after: Optional[int] = None, times: int = 1) -> None:
        body: Dict[str, Any] = {"ok": False, "error_code": status, "description": f"fake error {status}"}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
            body["description"] = f"Too Many Requests: retry after {retry_after}"
        self.failures.extend([(status, body)] * times)

    async def handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params: Dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        else:
            for key, value in (await request.post()).items():
                text = str(value)
                try:
                    params[key] = json.loads(text)
                except ValueError:
                    params[key] = text
        if method == "getMe":
            return self.ok({"id": BOT_ID, "is_bot": True, "first_name": "SafePassage",
                            "username": "safepassage_test_bot", "can_join_groups": False,
                            "can_read_all_group_messages": False, "supports_inline_queries": False})
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            ready = [u for u in self.updates if u["update_id"] >= offset]
            if not ready:
                await asyncio.sleep(0.05)
            return self.ok(ready)
        if method == "sendMessage" and self.failures:
            self.calls.append(Call(method + ":failed", params))
            status, body = self.failures.pop(0)
            return web.json_response(body, status=status)
        self.calls.append(Call(method, params))
        if method == "sendMessage":
            self.sent_event.set()
            return self.ok({"message_id": next(self._ids), "date": int(time.time()),
                            "chat": {"id": int(params["chat_id"]), "type": "private"},
                            "text": params.get("text", "")})
        return self.ok(True)

    @staticmethod
    def ok(result: Any) -> web.Response:
        return web.json_response({"ok": True, "result": result})


def fake_wamid(number: str, serial: str) -> str:
    """A message id shaped like WhatsApp's: base64 that spells out the user's number."""
    raw = b"\x1c\x18\x0c" + number.encode() + b"\x15\x02\x00\x11\x18\x12" + serial.encode()
    return "wamid." + base64.b64encode(raw).decode()


class FakeGraph(FakeServer):
    """`POST /<version>/<phone number id>/messages` like graph.facebook.com."""

    def __init__(self, token: str = "graph-token") -> None:  # noqa: S107 - a fake
        self.token = token
        self.messages: List[Dict[str, Any]] = []  # what was sent (read receipts excluded)
        self.read_receipts: List[str] = []
        self.sent_ids: List[str] = []  # the message ids answered, in order
        self.failures: List[Tuple[int, Dict[str, Any], Dict[str, str]]] = []
        self._ids = itertools.count(1)
        self.app = web.Application()
        self.app.router.add_post("/{version}/{phone_id}/messages", self.handle)

    def fail_next(self, status: int, code: int, retry_after: Optional[int] = None, times: int = 1) -> None:
        body = {"error": {"message": f"fake error {code}", "type": "OAuthException", "code": code,
                          "fbtrace_id": "AbCdEf"}}
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        self.failures.extend([(status, body, headers)] * times)

    async def handle(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"error": {"code": 190, "message": "Invalid OAuth access token"}}, status=401)
        body = await request.json()
        if body.get("status") == "read":
            self.read_receipts.append(body["message_id"])
            return web.json_response({"success": True})
        if self.failures:
            status, error, headers = self.failures.pop(0)
            return web.json_response(error, status=status, headers=headers)
        self.messages.append(body)
        wamid = fake_wamid(str(body.get("to", "")), f"FAKE{next(self._ids):06d}")
        self.sent_ids.append(wamid)
        return web.json_response({"messaging_product": "whatsapp",
                                  "contacts": [{"input": body.get("to"), "wa_id": body.get("to")}],
                                  "messages": [{"id": wamid}]})
