"""Rasa's responses come in the `language` slot's language, with the same conditions as English."""

from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from locales.nlg import LocalizedNaturalLanguageGenerator

DOMAIN = Domain.load(["domain.yml", "data/responses"])


def tracker(**slots: object) -> DialogueStateTracker:
    events = [SlotSet(name, value) for name, value in slots.items()]
    return DialogueStateTracker.from_events("t", events, slots=DOMAIN.slots)


async def generate(name: str, **slots: object) -> dict:
    answer = await LocalizedNaturalLanguageGenerator(domain=DOMAIN).generate(name, tracker(**slots), "rest")
    assert answer is not None
    return answer


async def test_each_language_gets_its_own_words_and_the_same_payloads() -> None:
    english, spanish, french = [await generate("utter_greet", language=code) for code in ("en", "es", "fr")]
    assert english["text"] != spanish["text"] != french["text"]
    payloads = [[b["payload"] for b in answer["buttons"]] for answer in (english, spanish, french)]
    assert payloads[0] == payloads[1] == payloads[2]


async def test_conditions_still_choose_the_variation_in_every_language() -> None:
    for code in ("es", "fr"):
        unknown = await generate("utter_ask_country", language=code)
        known = await generate("utter_ask_country", language=code, country="KE")
        assert unknown["text"] != known["text"]
        queued = await generate("utter_emergency_next_steps", language=code, handoff_state="queued")
        failed = await generate("utter_emergency_next_steps", language=code, handoff_state="failed")
        assert queued["text"] != failed["text"]


async def test_an_unknown_language_falls_back_to_english() -> None:
    assert (await generate("utter_goodbye", language="de"))["text"] == (await generate("utter_goodbye"))["text"]


async def test_the_server_can_create_it_before_the_model_is_loaded() -> None:
    """Rasa builds the generator without a domain, then sets `responses` once the model is loaded."""
    nlg = LocalizedNaturalLanguageGenerator(domain=None)
    nlg.responses = DOMAIN.responses
    answer = await nlg.generate("utter_goodbye", tracker(language="es"), "rest")
    assert answer is not None and answer["text"].startswith("Cuídate")
