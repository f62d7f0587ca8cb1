"""The job-offer verdict: risk, each red flag with why it matters and what to do, then the safe steps.

English texts are here and in weights.yml (`why`, `todo`); translations are the `job_offer_verdict`
and `job_offer_flags` sections of locales/<lang>/messages.yml.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import language_of
from actions.helpline_directory import country_in_sentence
from actions.job_offer.form import QUESTIONS
from actions.job_offer.scoring import Verdict, flag_info, score_offer
from actions.numbers_message import helpline_text
from locales.catalogue import localize

FLAG_TITLES = {
    "recruitment_fee": "You are asked to pay a fee or deposit",
    "document_retention": "Someone will keep your passport or ID",
    "wrong_visa": "The visa is not a work visa",
    "unrealistic_pay": "The pay sounds too good",
    "no_contract": "No proper contract before you leave",
    "vague_employer": "The employer is unclear",
    "secrecy": "You are told to keep it secret or lie",
    "debt_bondage": "Costs are repaid from your wages",
    "urgency_pressure": "Pressure to decide or leave fast",
    "online_stranger": "The offer came from a stranger or an online contact",
    "photo_request": "You are asked for photos of your body",
    "minor_targeted": "The job takes people under 18",
    "movement_restriction": "You would not be free to leave or keep your phone",
    "job_switch": "The job or place is 'told later' or changes",
}
# An answer that is itself a red flag (the flags found in the user's words come in `offer_flags`).
FLAG_FROM_ANSWER = {
    ("pays_fee", "yes"): "recruitment_fee",
    ("keeps_documents", "yes"): "document_retention",
    ("visa_type", "wrong"): "wrong_visa",
    ("has_contract", "no"): "no_contract",
    ("pay_unusual", "yes"): "unrealistic_pay",
    ("offer_source", "online"): "online_stranger",
    ("offer_source", "stranger"): "online_stranger",
}
STILL_CHECK = {
    "pays_fee": "who pays every cost (you should pay nothing to get the job)",
    "keeps_documents": "that you will keep your own passport",
    "visa_type": "that you travel on a work visa you have seen",
    "has_contract": "that you get a written contract you understand before you leave",
    "pay_unusual": "that the pay is normal for this work there",
    "offer_source": "who the recruiter really is, and their licence",
    "offer_country": "the exact country, city and address of the job",
    "job_type": "exactly what the job is",
}
SCAM_COMPOUND_COUNTRIES = {"KH", "MM", "LA", "PH", "TH"}
RISK_HIGH = "⚠️ Risk: HIGH. This offer has serious warning signs of trafficking or forced labour."
RISK_MEDIUM = "⚠️ Risk: MEDIUM. This offer has warning signs. Check them before you decide."
RISK_LOW = "Risk: LOW. I found no red flags in what you told me. That does not prove the offer is safe."
FLAG_LINE = "\n• {title}. {why}\n  What to do: {todo}"
STILL_CHECK_LINE = "\nStill check: {items}."
SCAM_COMPOUNDS = (
    "\nBe careful with computer, call-centre or 'online sales' jobs in {country}: many people have been "
    "trafficked into scam compounds and forced to defraud others. (Source: OHCHR, 2023)"
)
SOURCES = "\nSources: {sources}"
CHILD_PATH = (
    "You told me you are under 18. A job abroad for someone under 18 is itself a serious warning sign: "
    "moving a child for work like this can be trafficking, whatever they promise. Please don't go. "
    "Talk to an adult you trust or a child helpline. It's free, and you won't be in trouble.\n"
    "Source: UN Palermo Protocol (2000), art. 3; UN Convention on the Rights of the Child, art. 32 and 35"
)


def say(name: str, language: Optional[str], **values: Any) -> Any:
    return localize("job_offer_verdict", name, globals()[name], language, **values)


def flag_words(flag: str, language: Optional[str]) -> Dict[str, str]:
    """A flag's title, why it matters and what to do, in `language`."""
    info = flag_info(flag)
    english = {"why": info.why, "todo": info.todo}
    words = dict(localize("job_offer_flags", flag, english, language))
    return {"title": say("FLAG_TITLES", language)[flag], **words}


def offer_flags(slots: Dict[str, Any]) -> List[str]:
    """Flags found in the user's words plus flags their answers reveal, in vocabulary order."""
    flags = list(slots.get("offer_flags") or [])
    for (slot, value), flag in FLAG_FROM_ANSWER.items():
        if slots.get(slot) == value and flag not in flags:
            flags.append(flag)
    return flags


def verdict_text(verdict: Verdict, slots: Dict[str, Any], language: Optional[str] = None) -> str:
    """The verdict message; never says "safe"."""
    lines: List[str] = []
    if verdict.risk == "high":
        lines.append(say("RISK_HIGH", language))
    elif verdict.risk == "medium":
        lines.append(say("RISK_MEDIUM", language))
    else:
        lines.append(say("RISK_LOW", language))
    for flag in verdict.flags:
        lines.append(say("FLAG_LINE", language, **flag_words(flag, language)))
    still_check = say("STILL_CHECK", language)
    unsure = [still_check[s] for s in QUESTIONS if s in STILL_CHECK and slots.get(s) in ("unsure", "unknown")]
    if unsure:
        lines.append(say("STILL_CHECK_LINE", language, items="; ".join(unsure)))
    if slots.get("job_type") == "it_call_centre" and slots.get("offer_country") in SCAM_COMPOUND_COUNTRIES:
        lines.append(say("SCAM_COMPOUNDS", language, country=country_in_sentence(slots["offer_country"], language)))
    sources = sorted({flag_info(flag).source for flag in verdict.flags})
    if sources:
        lines.append(say("SOURCES", language, sources="; ".join(sources)))
    return "\n".join(lines)


def child_path_text(language: Optional[str] = None) -> str:
    return str(say("CHILD_PATH", language))


class ActionJobOfferVerdict(Action):
    """Scores the finished check and gives the verdict, the safe steps and, when high, where to get help."""

    def name(self) -> str:
        return "action_job_offer_verdict"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        slots = {s: tracker.get_slot(s) for s in [*QUESTIONS, "offer_flags"]}
        minor = slots.get("worker_age_group") == "minor"
        verdict = score_offer(offer_flags(slots), minor=minor)
        language = language_of(tracker)
        if minor:
            dispatcher.utter_message(text=child_path_text(language))
            dispatcher.utter_message(text=helpline_text(tracker.get_slot("country"), language))
        else:
            dispatcher.utter_message(text=verdict_text(verdict, slots, language))
        dispatcher.utter_message(response="utter_safe_migration_steps")
        if verdict.risk == "high" and not minor:
            dispatcher.utter_message(response="utter_job_offer_high_risk_next")
            dispatcher.utter_message(text=helpline_text(tracker.get_slot("country"), language))
        else:
            dispatcher.utter_message(response="utter_job_offer_next")
        # Kept for a counselor if the user asks for one next (actions/handoff.py).
        summary = {
            "risk": "child" if minor else verdict.risk,
            "flags": list(verdict.flags),
            "offer_country": slots.get("offer_country"),
            "job_type": slots.get("job_type"),
        }
        return [SlotSet("job_offer_risk", verdict.risk), SlotSet("last_job_check", summary), *self._reset()]

    @staticmethod
    def _reset() -> List[EventType]:
        """A later check starts fresh (the risk stays, for the conversation's record)."""
        return [SlotSet(slot, None) for slot in [*QUESTIONS, "offer_flags"]]


