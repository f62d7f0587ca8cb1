"""Conversations in English, Spanish and French through the real gateway, Rasa and action server.

The user acts as a person can: types words, and taps only buttons the bot has shown in this chat
(`BrowserChat.tap` checks it), since a payload the bot did not offer is read as plain words.
"""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot.launcher import Stack
from tests.integration.conftest import TELEGRAM_SECRET, Fakes
from tests.integration.test_channels import post, wait_for
from tests.integration.test_conversations import texts

ROOT = Path(__file__).resolve().parents[2]
LANGUAGES = ["en", "es", "fr"]
EXPECTED = {
    "greeting": {
        "en": "I'm an automated assistant",
        "es": "Soy un asistente automático",
        "fr": "Je suis un assistant automatique",
    },
    "check_intro": {
        "en": "Let's check this offer together",
        "es": "Revisemos juntos esta oferta",
        "fr": "Vérifions cette offre ensemble",
    },
    "country_question": {
        "en": "Which country is the job in?",
        "es": "¿En qué país es el trabajo?",
        "fr": "Dans quel pays est le travail ?",
    },
    "high": {
        "en": "⚠️ Risk: HIGH",
        "es": "⚠️ Riesgo: ALTO",
        "fr": "⚠️ Risque : ÉLEVÉ",
    },
    "fee_flag": {
        "en": "You are asked to pay a fee",
        "es": "Te piden pagar una comisión",
        "fr": "On te demande de payer des frais",
    },
    "safe_steps": {
        "en": "Before you go, in any case",
        "es": "Antes de irte, en cualquier caso",
        "fr": "Avant de partir, dans tous les cas",
    },
    "exception": {
        "en": "There is one exception",
        "es": "Hay una excepción",
        "fr": "Il y a une exception",
    },
    "filed": {
        "en": "Your reference code is",
        "es": "Tu código de referencia es",
        "fr": "Ton code de référence est",
    },
    "status": {
        "en": "Received",
        "es": "Recibida",
        "fr": "Reçu",
    },
    "call_now": {
        "en": "🚨 Call your local emergency number now",
        "es": "🚨 Llama ya al número de emergencias",
        "fr": "🚨 Appelle maintenant le numéro d'urgence",
    },
    "advice": {
        "en": "If you can do it safely",
        "es": "Si puedes hacerlo sin peligro",
        "fr": "Si tu peux le faire sans danger",
    },
    "ask_country": {
        "en": "Which country are you in?",
        "es": "¿En qué país estás?",
        "fr": "Dans quel pays es-tu ?",
    },
    "faq_source": {
        "en": "Source: UN Palermo Protocol",
        "es": "Fuente: UN Palermo Protocol",
        "fr": "Source : UN Palermo Protocol",
    },
}
QUESTION = {
    "en": "what is human trafficking?",
    "es": "¿qué es la trata de personas? no entiendo bien",
    "fr": "c'est quoi exactement la traite des personnes ?",
}
HELLO = {"en": "hi", "es": "hola", "fr": "bonjour"}
HELP_NOW = {"en": "help now", "es": "ayuda ahora", "fr": "aide maintenant"}
STATUS = {
    "en": "status of {code}",
    "es": "estado del caso {code}",
    "fr": "statut du dossier {code}",
}
DANGER = {
    "en": "they locked us in the room and took our phones, please help",
    "es": "nos tienen encerradas en un cuarto y nos quitaron los celulares, ayuda por favor",
    "fr": "ils nous ont enfermées dans une chambre et ont pris nos téléphones, aidez-nous",
}


def understood(language: str) -> bool:
    """English is always trained; another language once its training data and patterns exist."""
    patterns = ROOT / "nlu" / "patterns" / f"emergency_{language}.yml"
    return language == "en" or ((ROOT / "data" / "nlu" / language).is_dir() and patterns.exists())


class BrowserChat:
    """A web chat user whose browser says which language it prefers."""

    def __init__(self, stack: Stack, language: str) -> None:
        self.url = f"{stack.gateway_url}/webchat/messages"
        self.session_id = str(uuid.uuid4())
        self.language = language
        self.offered: List[str] = []  # payloads of the buttons the bot has shown, newest last

    def say(self, text: str, button: bool = False) -> List[Dict[str, Any]]:
        body = {"session_id": self.session_id, "text": text, "language": self.language, "button": button}
        replies = self._post(json.dumps(body).encode())
        self.offered += [str(b["payload"]) for m in replies for b in m.get("buttons") or []]
        return replies

    def press(self, payload: str) -> List[Dict[str, Any]]:
        """A button's payload, as the chat page sends it."""
        return self.say(payload, button=True)

    def tap(self, payload: str) -> List[Dict[str, Any]]:
        """A button the bot has shown in this chat, as a person can only tap those."""
        assert payload in self.offered, f"{payload!r} was never offered (offered: {self.offered})"
        return self.press(payload)

    def _post(self, body: bytes) -> List[Dict[str, Any]]:
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return list(json.loads(response.read())["messages"])


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_job_check_in_each_language(stack: Stack, language: str) -> None:
    chat = BrowserChat(stack, language)
    chat.say(HELLO[language])
    intro = texts(chat.tap("/check_job_offer"))
    assert EXPECTED["check_intro"][language] in intro and EXPECTED["country_question"][language] in intro
    chat.say("Dubai")
    for answer in ("housework or care", "18 or older", "a stranger", "yes", "yes", "tourist or visit visa", "no"):
        chat.tap(answer)
    verdict = texts(chat.tap("yes"))
    assert verdict.startswith(EXPECTED["high"][language]), verdict
    assert EXPECTED["fee_flag"][language] in verdict and EXPECTED["safe_steps"][language] in verdict


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_report_with_its_reference_in_each_language(stack: Stack, language: str) -> None:
    chat = BrowserChat(stack, language)
    assert EXPECTED["greeting"][language] in texts(chat.say(HELLO[language]))
    assert EXPECTED["exception"][language] in texts(chat.tap("/report_trafficking"))
    chat.tap("skip")
    chat.tap("not sure")
    chat.say("Nairobi, Kenya")
    for answer in ("not sure", "not sure", "no", "no, stay anonymous", "yes", "no"):
        chat.tap(answer)
    filed = texts(chat.tap("yes"))
    code = re.search(r"SP-[0-9A-Z]{6}", filed)
    assert code and EXPECTED["filed"][language] in filed, filed
    # The person comes back with the code, in their own words.
    status = texts(BrowserChat(stack, language).say(STATUS[language].format(code=code.group(0))))
    assert code.group(0) in status and EXPECTED["status"][language] in status, status


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_emergency_in_each_language(stack: Stack, language: str) -> None:
    chat = BrowserChat(stack, language)
    replies = chat.say(HELP_NOW[language])  # what the chat page tells a person in danger to type
    assert replies[0]["text"].startswith(EXPECTED["call_now"][language]), replies[0]["text"]
    answer = texts(replies)
    assert EXPECTED["advice"][language] in answer and EXPECTED["ask_country"][language] in answer


@pytest.mark.parametrize("language", LANGUAGES)
def test_typed_danger_and_a_typed_question_in_each_language(stack: Stack, language: str) -> None:
    if not understood(language):
        pytest.skip(f"needs data/nlu/{language}/ and nlu/patterns/emergency_{language}.yml (branch languages-nlu)")
    chat = BrowserChat(stack, language)
    assert EXPECTED["faq_source"][language] in texts(chat.say(QUESTION[language]))
    replies = BrowserChat(stack, language).say(DANGER[language])
    assert replies[0]["text"].startswith("🚨"), replies[0]["text"]


def test_switching_language_mid_conversation(stack: Stack) -> None:
    chat = BrowserChat(stack, "es")
    assert EXPECTED["greeting"]["es"] in texts(chat.say(HELLO["es"]))
    confirmed = texts(chat.say("/language fr"))
    assert "je te parle en français" in confirmed
    # The greeting's button, tapped after the switch: the answer is in French.
    assert EXPECTED["country_question"]["fr"] in texts(chat.tap("/check_job_offer"))


def test_a_form_keeps_its_language_and_an_explicit_switch_asks_again(stack: Stack) -> None:
    chat = BrowserChat(stack, "es")
    chat.say(HELLO["es"])
    assert EXPECTED["country_question"]["es"] in texts(chat.tap("/check_job_offer"))
    # A long English message mid-form: the gateway now detects English, the form stays Spanish.
    reprompt = texts(chat.say("honestly I am not sure what the name of that place was"))
    assert "No reconocí un país" in reprompt or "¿Qué tipo de trabajo es?" in reprompt, reprompt
    # An explicit switch is confirmed in French and the form asks its question again in French.
    switched = texts(chat.say("/language fr"))
    assert "je te parle en français" in switched
    assert "Dans quel pays est le travail" in switched or "C'est quel type de travail" in switched, switched


def test_telegram_language_code_sets_the_language(stack: Stack, fakes: Fakes) -> None:
    chat_id = 777000333
    update = {
        "update_id": 990001,
        "message": {
            "message_id": 1, "date": 1764460800, "text": "/start",
            "from": {"id": chat_id, "is_bot": False, "first_name": "Lucía", "language_code": "es"},
            "chat": {"id": chat_id, "first_name": "Lucía", "type": "private"},
            "entities": [{"offset": 0, "length": 6, "type": "bot_command"}],
        },
    }
    url = f"{stack.gateway_url}/telegram/webhook"
    assert post(url, json.dumps(update).encode(), {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}) == 200
    sent = wait_for(lambda: [m for m in fakes.telegram.sent() if m.get("chat_id") == chat_id])
    assert EXPECTED["greeting"]["es"] in "\n".join(str(m.get("text")) for m in sent)
