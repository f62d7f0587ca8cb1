"""Typed answers in Spanish and French read like their English equivalents (locales/<lang>/answers.yml)."""

from __future__ import annotations

import pytest

from actions.job_offer import answers as offer
from actions.reports import answers as report


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sí", "yes"), ("si claro", "yes"), ("no", "no"), ("no sé", "unsure"), ("ni idea", "unsure"),
     ("oui", "yes"), ("non", "no"), ("je ne sais pas", "unsure"), ("chais pas", "unsure"), ("ouais", "yes")],
)
def test_yes_no_not_sure(text: str, expected: str) -> None:
    assert offer.yes_no_unsure(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("trabajo de casa, cuidar niños", "domestic_work"), ("mesera en un restaurante", "hospitality"),
     ("en una fábrica de ropa", "factory"), ("call center en línea", "it_call_centre"),
     ("femme de ménage", "domestic_work"), ("sur un chantier", "construction"), ("dans une usine", "factory"),
     ("cueillette de fraises dans une ferme", "agriculture")],
)
def test_kinds_of_work(text: str, expected: str) -> None:
    assert offer.job_sector(text) == expected


def test_age_source_and_visa() -> None:
    assert offer.age_group("tengo 16 años") == "minor" and offer.age_group("j'ai 17 ans") == "minor"
    assert offer.age_group("soy mayor de edad") == "adult" and offer.age_group("je suis majeur") == "adult"
    assert offer.offer_source("un desconocido por facebook") == "online"
    assert offer.offer_source("une amie de ma mère") == "personal"
    assert offer.offer_source("una agencia de empleo") == "agency"
    assert offer.visa_answer("con visa de turista") == "wrong" and offer.visa_answer("visa touriste") == "wrong"
    assert offer.visa_answer("permis de travail") == "work"
    # English answers read as before.
    assert offer.offer_source("a friend of my family") == "personal" and offer.offer_source("face to face") is None


def test_report_answers() -> None:
    assert report.is_skip("saltar") and report.is_skip("passer") and report.is_skip("prefiero no decir")
    assert report.yes_no("sí") == "yes" and report.yes_no("non merci") == "no" and report.yes_no("tal vez") == "unsure"
    assert report.category("no les pagan y tienen una deuda") == "labour_exploitation"
    assert report.category("des photos sur internet") == "online_abuse"
    assert report.children_at_risk("dos niñas de unos 14 años") is True
    assert report.children_at_risk("aucun enfant, que des adultes") is False
    assert report.contact_method("prefiero anónimo") == "anonymous"
    assert report.contact_method("par téléphone") == "phone"
    assert report.contact_method("aquí en este chat") == "chat"


def test_a_skipped_category_files_as_the_catch_all() -> None:
    """Tapping "Not sure" for the category records a skip; the report is still filed (it was refused)."""
    from rasa_sdk import Tracker

    from actions.reports.submit import report_payload

    slots = {"report_category": "skipped", "language": "es"}
    tracker = Tracker("c1", slots, {"text": "yes"}, [], False, None, {}, "action_listen")
    payload = report_payload(tracker, "k" * 16)
    assert payload["category"] == "trafficking" and payload["language"] == "es"


def test_a_language_switch_interrupts_every_form() -> None:
    """The form does not take '/change_language{...}' as an answer: the language rule runs instead."""
    from rasa_sdk import Tracker

    from actions.job_offer.form import interrupted as offer_interrupted
    from actions.reports.forms import interrupted as report_interrupted

    message = {"text": '/change_language{"language":"fr"}', "intent": {"name": "change_language"}}
    for slot in ("job_type", "report_what", "report_category"):
        tracker = Tracker("c1", {"requested_slot": slot}, message, [], False, None, {}, "action_listen")
        assert offer_interrupted(tracker) and report_interrupted(tracker)


async def test_a_place_misread_as_a_language_request_is_the_answer_not_a_switch() -> None:
    """ "in Lisbon, Portugal" classified as `change_language`: every form keeps it as its answer (the
    missing-child intake used to ask the question again and take each later answer for the one before)."""
    from rasa_sdk import Tracker
    from rasa_sdk.events import SlotSet
    from rasa_sdk.executor import CollectingDispatcher

    from actions.checkins import ValidateCheckinForm
    from actions.checkins import interrupted as checkin_interrupted
    from actions.job_offer.form import interrupted as offer_interrupted
    from actions.reports.forms import ValidateMissingChildForm
    from actions.reports.forms import interrupted as report_interrupted

    def tracker(text: str, slot: str, form: str) -> Tracker:
        message = {"text": text, "intent": {"name": "change_language", "confidence": 0.65},
                   "entities": [{"entity": "country", "value": "PT"}, {"entity": "language", "value": "en"}]}
        return Tracker("c1", {"requested_slot": slot}, message, [], False, None, {"name": form}, "action_listen")

    where = tracker("in Lisbon, Portugal", "missing_last_where", "missing_child_form")
    events = await ValidateMissingChildForm().run(CollectingDispatcher(), where, {"forms": {}})
    assert SlotSet("missing_last_where", "in Lisbon, Portugal") in events
    assert SlotSet("missing_country", "PT") in events
    country = tracker("Portugal", "checkin_country", "checkin_form")
    assert SlotSet("checkin_country", "PT") in await ValidateCheckinForm().run(
        CollectingDispatcher(), country, {"forms": {}})
    assert not offer_interrupted(tracker("Portugal", "offer_country", "job_offer_form"))
    # Asking for a language in words still switches, in any form.
    for asked in ("can we speak portuguese?", "en français svp", "cambia el idioma"):
        for interrupted in (report_interrupted, checkin_interrupted, offer_interrupted):
            assert interrupted(tracker(asked, "missing_last_where", "missing_child_form")), (asked, interrupted)


def test_kinds_of_service_in_spanish_and_french() -> None:
    from actions.support_services import service_in

    assert service_in("hay un albergue para mujeres?") == "shelter"
    assert service_in("necesito un abogado gratis") == "legal_aid"
    assert service_in("je cherche un foyer pour ce soir") == "shelter"
    assert service_in("je veux rentrer chez moi") == "repatriation"
    assert service_in("is there a shelter") == "shelter"
