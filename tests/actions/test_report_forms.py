"""The report and missing-child forms: skip, stop, emergencies, contact and consent answers."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client
from actions.reports import answers
from actions.reports.forms import ValidateMissingChildForm, ValidateReportForm

REPORT_SLOTS = ValidateReportForm.QUESTIONS + ["report_country", "country"]
MISSING_SLOTS = ValidateMissingChildForm.QUESTIONS + ["missing_country", "country"]
DOMAIN: Dict[str, Any] = {
    "forms": {
        "report_form": {"required_slots": ValidateReportForm.QUESTIONS},
        "missing_child_form": {"required_slots": ValidateMissingChildForm.QUESTIONS},
    },
    "slots": {s: {"type": "text", "mappings": [{"type": "custom"}]} for s in REPORT_SLOTS + MISSING_SLOTS},
}


def tracker(
    text: str,
    asked: Optional[str],
    slots: Optional[Dict[str, Any]] = None,
    intent: str = "inform",
    entities: Optional[List[Dict[str, Any]]] = None,
    form: str = "report_form",
    confidence: float = 0.9,
) -> Tracker:
    message = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": entities or []}
    return Tracker(
        sender_id="we-test",
        slots={**{s: None for s in REPORT_SLOTS + MISSING_SLOTS}, "requested_slot": asked, **(slots or {})},
        latest_message=message,
        events=[{"event": "user", "text": text, "parse_data": message}],
        paused=False,
        followup_action=None,
        active_loop={"name": form},
        latest_action_name="action_listen",
    )


@pytest.fixture
def urgent(monkeypatch: pytest.MonkeyPatch) -> List[Dict[str, Any]]:
    sent: List[Dict[str, Any]] = []

    async def fake_post(path: str, payload: Dict[str, Any]) -> bool:
        sent.append({"path": path, **payload})
        return True

    monkeypatch.setattr(casework_client, "post", fake_post)
    return sent


async def run(form: Any, t: Tracker) -> tuple[List[Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    return await form.run(dispatcher, t, DOMAIN), dispatcher


def answered(events: List[Any]) -> List[Any]:
    """Slot events other than requested_slot: none means Rasa's form rejects the turn for the rules."""
    return [e for e in events if e.get("name") != "requested_slot"]


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)


async def test_a_long_first_message_is_the_story_and_is_not_asked_again() -> None:
    story = "there is a girl of about 12 next door in mombasa who cleans all day and never goes to school"
    events, _ = await run(ValidateReportForm(), tracker(story, None, intent="report_trafficking",
                                                        entities=[{"entity": "country", "value": "KE"}]))
    assert SlotSet("report_what", story) in events and SlotSet("report_country", "KE") in events
    assert SlotSet("requested_slot", "report_category") in events


async def test_a_short_first_message_asks_what_happened() -> None:
    events, _ = await run(ValidateReportForm(), tracker("i want to report trafficking", None,
                                                        intent="report_trafficking"))
    assert SlotSet("requested_slot", "report_what") in events


@pytest.mark.parametrize("typed", ["skip", "Skip", "pass", "rather not say", "I don't know", "not sure"])
async def test_skip_is_always_possible_even_if_read_as_stop(typed: str) -> None:
    earlier = {"report_what": "x", "report_category": "trafficking"}
    events, _ = await run(ValidateReportForm(), tracker(typed, "report_where", earlier, intent="stop"))
    assert SlotSet("report_where", answers.SKIPPED) in events
    assert SlotSet("requested_slot", "report_when") in events


async def test_stop_is_left_to_the_rules() -> None:
    for asked in ("report_category", "report_what"):
        events, _ = await run(ValidateReportForm(), tracker("stop", asked, intent="stop"))
        assert answered(events) == [], asked


async def test_a_long_story_with_the_word_stop_is_kept_as_the_answer() -> None:
    story = "the boss told them to stop going to school and work in the shop all night instead"
    events, _ = await run(ValidateReportForm(), tracker(story, "report_what", intent="stop"))
    assert SlotSet("report_what", story) in events


async def test_an_emergency_at_a_button_question_is_left_to_the_rules(urgent) -> None:
    events, _ = await run(ValidateReportForm(), tracker("help they are coming for me", "report_category",
                                                        intent="emergency"))
    assert answered(events) == [] and urgent == []


async def test_an_emergency_told_as_the_story_gets_the_numbers_and_the_story_is_kept(urgent) -> None:
    story = "they lock the kids in the basement and beat them, please help"
    events, dispatcher = await run(ValidateReportForm(), tracker(story, "report_what", intent="emergency",
                                                                 slots={"country": "KE"}))
    assert SlotSet("report_what", story) in events
    assert texts(dispatcher).startswith("🚨 Call 999 or 112 now")
    assert urgent == [{"path": "urgent-requests", "conversation_id": "we-test", "reason": "emergency",
                       "country": "KE"}]


async def test_danger_now_gives_the_emergency_path_then_the_report_goes_on(urgent) -> None:
    earlier = {"report_what": "x", "report_category": "trafficking", "report_where": "x", "report_when": "now",
               "report_who_at_risk": "x"}
    events, dispatcher = await run(ValidateReportForm(), tracker("yes", "report_danger_now", earlier,
                                                                 intent="affirm"))
    assert SlotSet("report_danger_now", "yes") in events
    assert "🚨" in texts(dispatcher) and "utter_report_continues_after_danger" in texts(dispatcher)
    assert SlotSet("requested_slot", "report_contact_method") in events
    assert len(urgent) == 1


async def test_the_phone_number_is_asked_only_of_someone_who_chose_a_call() -> None:
    filled = {"report_what": "x", "report_category": "trafficking", "report_where": "x", "report_when": "now",
              "report_who_at_risk": "x", "report_danger_now": "no"}
    events, _ = await run(ValidateReportForm(), tracker("no, stay anonymous", "report_contact_method", filled))
    assert SlotSet("report_contact_method", "anonymous") in events
    assert SlotSet("requested_slot", "report_consent_child_protection") in events
    events, _ = await run(ValidateReportForm(), tracker("yes, by phone", "report_contact_method", filled))
    # Every question is required now, so Rasa asks the next empty one in the domain's order: the phone.
    assert SlotSet("report_contact_method", "phone") in events
    assert SlotSet("requested_slot", "report_consent_child_protection") not in events


async def test_a_bad_phone_number_is_asked_again_and_skip_makes_the_report_anonymous() -> None:
    slots = {"report_contact_method": "phone"}
    events, dispatcher = await run(ValidateReportForm(), tracker("call me", "report_phone", slots))
    assert SlotSet("report_phone", None) in events and "phone number" in texts(dispatcher)
    events, _ = await run(ValidateReportForm(), tracker("skip", "report_phone", slots))
    assert SlotSet("report_contact_method", "anonymous") in events


@pytest.mark.parametrize(("typed", "value"), [("yes", "yes"), ("no", "no"), ("not sure", "no"), ("skip", "no")])
async def test_only_a_clear_yes_is_consent(typed: str, value: str) -> None:
    events, _ = await run(ValidateReportForm(), tracker(typed, "report_consent_police"))
    assert SlotSet("report_consent_police", value) in events


async def test_missing_child_answers_and_the_place_gives_the_country() -> None:
    form = ValidateMissingChildForm()
    events, _ = await run(form, tracker("about 15", "missing_age", form="missing_child_form"))
    assert SlotSet("missing_age", "15") in events
    events, _ = await run(form, tracker("in kuala lumpur", "missing_last_where", form="missing_child_form",
                                        entities=[{"entity": "country", "value": "MY"}]))
    assert SlotSet("missing_last_where", "in kuala lumpur") in events and SlotSet("missing_country", "MY") in events


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("work with no pay or no way out", "labour_exploitation"),
        ("sex or sexual abuse", "sexual_exploitation"),
        ("something online", "online_abuse"),
        ("someone taken or moved", "trafficking"),
        ("not sure", "trafficking"),
        ("the boys work on a fishing boat", "labour_exploitation"),
    ],
)
def test_categories(text: str, expected: str) -> None:
    assert answers.category(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("two girls about 13", True), ("no children", False), ("3 kids", True), ("a woman", None),
     ("adults only", False), ("my neighbour's son", True)],
)
def test_children_at_risk(text: str, expected: Optional[bool]) -> None:
    assert answers.children_at_risk(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("+254 700 111 222", "+254 700 111 222"), ("call me on 0712345678", "0712345678"), ("123", None),
     ("my number is secret", None)],
)
def test_phone_numbers(text: str, expected: Optional[str]) -> None:
    assert answers.phone_number(text) == expected


async def test_a_tapped_button_is_an_answer_even_when_it_reads_like_an_emergency(urgent) -> None:
    events, dispatcher = await run(ValidateReportForm(), tracker("someone taken or moved", "report_category",
                                                                 intent="emergency", confidence=0.41))
    assert SlotSet("report_category", "trafficking") in events and urgent == [] and dispatcher.messages == []


async def test_a_weak_emergency_reading_of_a_story_does_not_bring_up_numbers(urgent) -> None:
    events, dispatcher = await run(ValidateReportForm(), tracker("three girls, about 13 and 14",
                                                                 "report_who_at_risk", intent="emergency",
                                                                 confidence=0.23))
    assert SlotSet("report_who_at_risk", "three girls, about 13 and 14") in events
    assert urgent == [] and dispatcher.messages == []


@pytest.mark.parametrize("typed", ["call me", "phone", "ring me please"])
async def test_a_call_asked_for_in_own_words_is_the_contact_answer_despite_a_weak_emergency_reading(
    urgent, typed: str
) -> None:
    for form, slot in ((ValidateMissingChildForm(), "missing_contact_method"),
                       (ValidateReportForm(), "report_contact_method")):
        events, dispatcher = await run(form, tracker(typed, slot, intent="emergency", confidence=0.39,
                                                     form="missing_child_form"))
        assert SlotSet(slot, "phone") in events and dispatcher.messages == []
    assert urgent == []


async def test_a_danger_phrase_at_the_contact_question_still_goes_to_the_emergency_rules(urgent) -> None:
    # A matched danger phrase is certain (confidence 1.0); a long message is not a contact answer.
    for typed, confidence in (("call the police for me", 1.0),
                              ("call me, he is hitting me and locked the door, I can't get out", 0.45)):
        events, _ = await run(ValidateMissingChildForm(), tracker(typed, "missing_contact_method", intent="emergency",
                                                                  confidence=confidence, form="missing_child_form"))
        assert answered(events) == [], typed
