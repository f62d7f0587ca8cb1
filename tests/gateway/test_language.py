"""The conversation's language: hints, detection, stickiness and the explicit switch."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient

from bot.channels import notes
from bot.language import CHOSEN, DETECTED, HINT, chosen_language, decide
from bot.router import rasa_text_for
from bot.store.models import Conversation, InboxMessage
from locales.catalogue import languages
from tests.gateway.conftest import fixture, settle
from tests.gateway.test_telegram import post
from tests.gateway.test_whatsapp import notify


@pytest.mark.parametrize("text", ["ok", "hi", "👍", "merci", "hola", "gracias!", "oui", "sí claro", "ok ok 👍👍"])
def test_short_messages_never_flip_an_established_language(text: str) -> None:
    for established in ("en", "es", "fr"):
        decision = decide(established, DETECTED, text=text)
        assert (decision.language, decision.changed) == (established, False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("me ofrecieron un trabajo en España y piden que pague la visa", "es"),
        ("mi hijo se fue a trabajar y ya no contesta", "es"),
        ("on m'a proposé un travail au Liban, ils gardent le passeport", "fr"),
        ("ma fille est partie travailler et elle ne répond plus", "fr"),
        ("is this job offer in Dubai safe for me", "en"),
    ],
)
def test_a_longer_message_sets_the_language(text: str, expected: str) -> None:
    assert decide(None, None, text=text).language == expected
    assert decide("en" if expected != "en" else "fr", DETECTED, text=text).language == expected


def test_hints_count_until_the_person_writes_enough() -> None:
    assert decide(None, None, text="hola", hint="es-MX") == decide(None, None, hint="es")
    assert decide(None, None, text="hola", hint="es-MX").language == "es"
    assert decide(None, None, hint="de").language == "en"  # a language we do not speak: the default
    # Detection beats a hint; a hint does not undo detection.
    assert decide("es", HINT, text="my son is not answering his phone").language == "en"
    assert decide("en", DETECTED, text="ok", hint="fr").language == "en"


def test_a_choice_beats_detection_and_stays() -> None:
    chosen = decide("en", DETECTED, choice="fr")
    assert (chosen.language, chosen.source, chosen.changed) == ("fr", CHOSEN, True)
    assert decide("fr", CHOSEN, text="is this job offer in Dubai safe for me").language == "fr"
    assert decide("fr", CHOSEN, choice="es").language == "es"


def test_choices_from_buttons_and_the_command() -> None:
    assert chosen_language('/change_language{"language":"es"}') == "es"
    assert chosen_language('/change_language{"language": "fr"}') == "fr"
    assert chosen_language("/language en") == "en"
    assert chosen_language("/language@SafePassageBot fr") == "fr"
    assert chosen_language('/change_language{"language":"de"}') is None
    assert chosen_language("/language") is None and chosen_language("language es please") is None
    for kind in ("command", "text"):  # WhatsApp and the web chat have no commands: typed, it counts
        row = InboxMessage(kind=kind, text="/language es")
        assert rasa_text_for(row, Conversation()) == '/change_language{"language":"es"}'
    assert rasa_text_for(InboxMessage(kind="text", text="/language"), Conversation()) is None


def test_whatsapp_numbers_hint_a_language() -> None:
    assert languages().for_phone("+34 600 123 456") == "es"
    assert languages().for_phone("221771234567") == "fr"
    assert languages().for_phone("18095551234") == "es"  # Dominican Republic, not the US
    assert languages().for_phone("12025550123") == "en"
    assert languages().for_phone("4915112345678") is None


async def test_telegram_language_code_is_the_first_language(channels: TestClient, fake_rasa) -> None:
    await post(channels, fixture("telegram", "text_spanish_user"))  # "hola", language_code "es"
    await settle(channels)
    assert fake_rasa[0].received[-1]["metadata"]["language"] == "es"


async def test_the_language_command_offers_buttons_and_a_choice_sticks(
    channels: TestClient, fake_rasa, fake_telegram
) -> None:
    fake = fake_rasa[0]
    await post(channels, fixture("telegram", "language"))
    await settle(channels)
    sent = fake_telegram.sent()[-1]
    assert sent["text"] == notes.LANGUAGES
    keyboard = json.dumps(sent["reply_markup"], ensure_ascii=False)
    assert "Español" in keyboard and "Français" in keyboard
    update = fixture("telegram", "language")
    update["update_id"] += 1000
    update["message"].update(message_id=900, text="/language fr")
    await post(channels, update)
    await settle(channels)
    assert fake.received[-1]["message"] == '/change_language{"language":"fr"}'
    assert fake.received[-1]["metadata"]["language"] == "fr"
    # An English sentence afterwards does not undo an explicit choice.
    update["update_id"] += 1
    update["message"].update(message_id=901, text="is this job offer in Dubai safe for me", entities=[])
    await post(channels, update)
    await settle(channels)
    assert fake.received[-1]["metadata"]["language"] == "fr"


async def test_the_gateways_own_words_follow_the_language(channels: TestClient, fake_rasa, fake_telegram) -> None:
    update = fixture("telegram", "text_spanish_user")
    await post(channels, update)
    await settle(channels)
    sticker = fixture("telegram", "sticker")
    sticker["message"]["from"] = update["message"]["from"]
    sticker["message"]["chat"] = update["message"]["chat"]
    await post(channels, sticker)
    await settle(channels)
    assert fake_telegram.sent()[-1]["text"] == notes.media("sticker", "es") != notes.media("sticker")


async def test_a_whatsapp_number_hints_the_language(channels: TestClient, fake_rasa) -> None:
    payload = fixture("whatsapp", "text")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update({"from": "221771234567", "text": {"body": "salut"}})
    payload["entry"][0]["changes"][0]["value"]["contacts"][0]["wa_id"] = "221771234567"
    assert await notify(channels, payload) == 200
    await settle(channels)
    assert fake_rasa[0].received[-1]["metadata"]["language"] == "fr"


async def test_the_web_chat_browser_language_and_a_switch_mid_conversation(gateway: TestClient, fake_rasa) -> None:
    fake = fake_rasa[0]
    await gateway.post("/webchat/messages", json={"session_id": "s1", "text": "hola", "language": "es-419"})
    assert fake.received[-1]["metadata"]["language"] == "es"
    await gateway.post("/webchat/messages", json={"session_id": "s1", "text": "ok"})
    assert fake.received[-1]["metadata"]["language"] == "es"
    await gateway.post(
        "/webchat/messages", json={"session_id": "s1", "text": "en fait je préfère parler français, merci"}
    )
    assert fake.received[-1]["metadata"]["language"] == "fr"
    await gateway.post("/webchat/messages", json={"session_id": "s1", "text": "👍"})
    assert fake.received[-1]["metadata"]["language"] == "fr"


async def test_the_chat_page_speaks_the_browsers_language(gateway: TestClient) -> None:
    english = await (await gateway.get("/chat")).text()
    spanish = await (await gateway.get("/chat", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.8"})).text()
    french = await (await gateway.get("/chat", params={"lang": "fr"})).text()
    assert 'lang="en"' in english and "Quick exit" in english
    assert 'lang="es"' in spanish and "Salida rápida" in spanish and "Escribe un mensaje" in spanish
    assert 'lang="fr"' in french and "Sortie rapide" in french and "{{" not in french


async def test_a_pressed_button_is_a_choice_not_words_to_detect(gateway: TestClient, fake_rasa) -> None:
    """Form buttons send English payloads ("no, stay anonymous"): a press never changes the language."""
    fake = fake_rasa[0]
    await gateway.post("/webchat/messages", json={"session_id": "s2", "text": "hola", "language": "es"})
    await gateway.post(
        "/webchat/messages", json={"session_id": "s2", "text": "no, stay anonymous please", "button": True}
    )
    assert fake.received[-1]["metadata"]["language"] == "es"
    typed = {"session_id": "s2", "text": "actually I would rather write in English"}
    await gateway.post("/webchat/messages", json=typed)
    assert fake.received[-1]["metadata"]["language"] == "en"
