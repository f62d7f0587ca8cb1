"""The guided check: what is already answered is not asked again; the verdict says what it found."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.job_offer.form import QUESTIONS, REPROMPT, ValidateJobOfferForm
from actions.job_offer.verdict import ActionJobOfferVerdict

DOMAIN: Dict[str, Any] = {
    "forms": {"job_offer_form": {"required_slots": QUESTIONS}},
    "slots": {slot: {"type": "text", "mappings": [{"type": "custom"}]} for slot in [*QUESTIONS, "offer_flags"]},
}


def tracker(
    text: str,
    slots: Optional[Dict[str, Any]] = None,
    entities: Optional[List[Dict[str, Any]]] = None,
    intent: str = "inform",
) -> Tracker:
    message = {"text": text, "intent": {"name": intent}, "entities": entities or []}
    return Tracker(
        sender_id="we-test",
        slots={**{s: None for s in [*QUESTIONS, "offer_flags", "requested_slot"]}, **(slots or {})},
        latest_message=message,
        events=[{"event": "user", "text": text, "parse_data": message}],
        paused=False,
        followup_action=None,
        active_loop={"name": "job_offer_form"},
        latest_action_name="action_listen",
    )


async def run_form(t: Tracker) -> tuple[List[Any], CollectingDispatcher]:
    dispatcher = CollectingDispatcher()
    events = await ValidateJobOfferForm().run(dispatcher, t, DOMAIN)
    return events, dispatcher


async def test_the_first_message_answers_questions_so_they_are_not_asked() -> None:
    entities = [
        {"entity": "country", "value": "AE"},
        {"entity": "red_flag", "value": "recruitment_fee"},
        {"entity": "red_flag", "value": "document_retention"},
    ]
    text = "i'm 17, got a cleaning job offer in dubai, i must pay a 500 usd processing fee and they keep my passport"
    events, _ = await run_form(tracker(text, entities=entities, intent="check_job_offer"))
    assert SlotSet("offer_country", "AE") in events
    assert SlotSet("pays_fee", "yes") in events
    assert SlotSet("keeps_documents", "yes") in events
    assert SlotSet("worker_age_group", "minor") in events
    assert SlotSet("job_type", "domestic_work") in events
    assert SlotSet("offer_flags", ["recruitment_fee", "document_retention"]) in events


async def test_not_sure_is_an_answer() -> None:
    events, dispatcher = await run_form(tracker("not sure", {"requested_slot": "pays_fee"}))
    assert SlotSet("pays_fee", "unsure") in events
    assert dispatcher.messages == []


async def test_an_answer_we_cannot_read_is_asked_again_with_a_hint() -> None:
    events, dispatcher = await run_form(tracker("what do you mean", {"requested_slot": "visa_type"}))
    assert SlotSet("visa_type", None) in events
    assert dispatcher.messages[0]["text"] == REPROMPT


async def test_stop_and_emergencies_are_not_taken_as_answers() -> None:
    for intent in ("stop", "emergency"):
        events, dispatcher = await run_form(tracker("stop", {"requested_slot": "job_type"}, intent=intent))
        # No slot for the requested question: Rasa's form rejects the turn and the rules take over.
        assert not any(e.get("name") == "job_type" for e in events)
        assert dispatcher.messages == []


async def test_under_18_ends_the_questions() -> None:
    slots = {"requested_slot": "worker_age_group", "offer_country": "MY", "job_type": "factory"}
    events, _ = await run_form(tracker("16", slots))
    assert SlotSet("worker_age_group", "minor") in events
    assert events[-1] == SlotSet("requested_slot", None)  # the form ends: no more questions


async def verdict(slots: Dict[str, Any]) -> List[str]:
    dispatcher = CollectingDispatcher()
    t = tracker("", slots)
    await ActionJobOfferVerdict().run(dispatcher, t, {})
    return [m.get("text") or m.get("response") for m in dispatcher.messages]


async def test_high_risk_verdict_lists_each_flag_and_points_to_help() -> None:
    messages = await verdict(
        {"offer_country": "QA", "pays_fee": "yes", "keeps_documents": "no", "visa_type": "wrong",
         "has_contract": "unsure", "offer_flags": ["urgency_pressure"]}
    )
    first = messages[0]
    assert first.startswith("⚠️ Risk: HIGH")
    for title in ("You are asked to pay a fee", "The visa is not a work visa", "Pressure to decide"):
        assert title in first
    assert "Still check: that you get a written contract" in first
    assert "Sources: " in first
    assert messages[1:3] == ["utter_safe_migration_steps", "utter_job_offer_high_risk_next"]
    assert "116 111" in messages[3]  # helpline numbers follow


async def test_no_flags_is_never_called_safe() -> None:
    messages = await verdict(
        {"offer_country": "DE", "pays_fee": "no", "keeps_documents": "no", "visa_type": "work",
         "has_contract": "yes", "pay_unusual": "no", "offer_source": "agency"}
    )
    assert messages[0].startswith("Risk: LOW. I found no red flags in what you told me.")
    assert "does not prove the offer is safe" in messages[0]


async def test_a_minor_gets_the_child_path_and_a_helpline() -> None:
    messages = await verdict({"worker_age_group": "minor", "offer_country": "MY"})
    assert "You told me you are under 18" in messages[0]
    assert "116 111" in messages[1]


async def test_scam_compound_warning_for_it_jobs_in_the_mekong() -> None:
    messages = await verdict({"offer_country": "KH", "job_type": "it_call_centre", "pays_fee": "no"})
    assert "scam compounds" in messages[0]
