"""Quick exit on WhatsApp and in the web chat: typed exit words reset the conversation."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.app import create_app
from bot.channels import notes
from tests.fakes import FakeGraph
from tests.gateway.conftest import fixture, settle
from tests.gateway.test_whatsapp import notify


@pytest.mark.parametrize("word", ["exit", "/stop", "Salir", "sortir!"])
async def test_exit_words_on_whatsapp_reset_the_conversation_and_advise_deleting_the_chat(
    channels: TestClient, fake_rasa: Any, fake_graph: FakeGraph, word: str
) -> None:
    payload = fixture("whatsapp", "text")
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["text"] = {"body": word}
    assert await notify(channels, payload) == 200
    await settle(channels)
    assert [turn["message"] for turn in fake_rasa[0].received] == ["/restart"]
    assert fake_graph.messages[-1]["text"]["body"] == notes.STOPPED


async def test_the_chat_page_shows_the_configured_neutral_name(fake_rasa: Any, settings_factory: Any) -> None:
    settings = settings_factory(fake_rasa[1], bot_display_name="Weather & news")
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"))
    await client.start_server()
    try:
        page = await (await client.get("/chat")).text()
    finally:
        await client.close()
    assert "<title>Weather &amp; news</title>" in page and "SafePassage" not in page
