"""Filing, retrying with one idempotency key, status checks and the service directory, against a
fake casework API on 127.0.0.1."""

from __future__ import annotations

from typing import Any, AsyncIterator, Dict, List, Optional

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import casework_client
from actions.reports import submit as submit_module
from actions.reports.status import ActionCheckReportStatus
from actions.reports.submit import ActionSubmitMissingChild, ActionSubmitReport, report_payload
from actions.support_services import ActionFindSupportServices, service_in

AGENCY = {"id": "sample-ke", "name": "SAMPLE Kenya Office", "verified": False, "source": "sample data"}


class FakeCasework:
    """Answers like the gateway; fails the first `failures` report submissions with a 503."""

    def __init__(self) -> None:
        self.failures = 0
        self.reports: List[Dict[str, Any]] = []
        self.stored: Dict[str, str] = {}
        self.status_calls: List[Dict[str, Any]] = []
        self.status_answer: tuple[int, Dict[str, Any]] = (404, {"error": "not found"})
        self.directory_queries: List[Dict[str, str]] = []
        self.directory_answer: Dict[str, Any] = {"entries": [], "area_matched": False}
        self.app = web.Application()
        self.app.router.add_post("/api/v1/reports", self.report)
        self.app.router.add_post("/api/v1/reports/status", self.status)
        self.app.router.add_get("/api/v1/directory", self.directory)

    async def report(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.reports.append(body)
        if len(self.reports) <= self.failures:
            return web.Response(status=503)
        key = body["idempotency_key"]
        replayed = key in self.stored
        self.stored.setdefault(key, f"SP-{len(self.stored) + 1:06d}".replace("0", "A"))
        return web.json_response({"reference": self.stored[key], "status": "received", "agencies": [AGENCY],
                                  "replayed": replayed}, status=200 if replayed else 201)

    async def status(self, request: web.Request) -> web.Response:
        self.status_calls.append(await request.json())
        code, body = self.status_answer
        return web.json_response(body, status=code)

    async def directory(self, request: web.Request) -> web.Response:
        self.directory_queries.append(dict(request.query))
        return web.json_response(self.directory_answer)


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeCasework]:
    casework = FakeCasework()
    server = TestServer(casework.app, host="127.0.0.1")
    await server.start_server()
    monkeypatch.setenv("CASEWORK_API_URL", str(server.make_url("/api/v1")))
    monkeypatch.setattr(submit_module, "IN_TURN_DELAYS", (0.0, 0.0, 0.0))
    started: List[Dict[str, Any]] = []
    monkeypatch.setattr(submit_module, "keep_retrying", lambda payload: started.append(payload))
    monkeypatch.setattr("actions.reports.status.keep_retrying", lambda payload: started.append(payload))
    casework.background = started  # type: ignore[attr-defined]
    yield casework
    await server.close()
    if casework_client._session is not None:
        await casework_client._session.close()
    casework_client._session = None


FILLED = {
    "report_what": "a girl of 12 works all day next door", "report_category": "labour_exploitation",
    "report_where": "Mombasa", "report_country": "KE", "report_when": "now", "report_who_at_risk": "one girl, 12",
    "report_danger_now": "no", "report_contact_method": "phone", "report_phone": "+254 700 111 222",
    "report_consent_child_protection": "yes", "report_consent_police": "no", "report_consent_ngo": "skipped",
}


def tracker(text: str = "", slots: Optional[Dict[str, Any]] = None, entities: Optional[list] = None,
            intent: str = "inform") -> Tracker:
    message = {"text": text, "intent": {"name": intent}, "entities": entities or []}
    return Tracker("we-test", dict(slots or {}), message, [], False, None, {}, "action_listen")


def said(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(m.get("text") or m.get("response") or "" for m in dispatcher.messages)


def test_the_payload_says_only_what_the_answers_say() -> None:
    payload = report_payload(tracker(slots={**FILLED, "report_where": "skipped"}), "k" * 32)
    assert payload["details"] == {"what_happened": "a girl of 12 works all day next door", "when": "now",
                                  "who_at_risk": "one girl, 12"}
    assert payload["consent"] == {"child_protection": True, "police": False, "ngo": False}
    assert payload["child_at_risk"] is True and payload["danger_now"] is False
    assert payload["contact"] == {"method": "phone", "phone": "+254 700 111 222"}
    skipped = report_payload(tracker(slots={**FILLED, "report_who_at_risk": "skipped"}), "k" * 32)
    assert skipped["child_at_risk"] is False  # not answered is not assumed


async def test_the_code_is_shown_only_after_the_gateway_stored_it(fake: FakeCasework) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitReport().run(dispatcher, tracker(slots=FILLED), {})
    assert "Your reference code is SP-AAAAA1" in said(dispatcher)
    assert "SAMPLE Kenya Office (source: sample data, not yet checked by a partner)" in said(dispatcher)
    assert SlotSet("last_report_reference", "SP-AAAAA1") in events
    assert SlotSet("report_what", None) in events and SlotSet("pending_report", None) in events


async def test_a_failing_save_is_retried_with_the_same_idempotency_key(fake: FakeCasework) -> None:
    fake.failures = 2
    dispatcher = CollectingDispatcher()
    await ActionSubmitReport().run(dispatcher, tracker(slots=FILLED), {})
    assert len(fake.reports) == 3 and len({r["idempotency_key"] for r in fake.reports}) == 1
    assert "SP-AAAAA1" in said(dispatcher)


async def test_when_saving_keeps_failing_the_user_is_told_and_nothing_is_lost(fake: FakeCasework) -> None:
    fake.failures = 100
    dispatcher = CollectingDispatcher()
    events = await ActionSubmitReport().run(dispatcher, tracker(slots=FILLED), {})
    assert "couldn't save your report" in said(dispatcher) and "SP-" not in said(dispatcher)
    pending = next(e["value"] for e in events if e.get("name") == "pending_report")
    assert pending["details"]["what_happened"].startswith("a girl of 12")
    assert fake.background == [pending]  # type: ignore[attr-defined]
    # Later the gateway is back: a status check stores it under the same key and shows the code.
    fake.failures = 0
    dispatcher = CollectingDispatcher()
    events = await ActionCheckReportStatus().run(dispatcher, tracker("status", {"pending_report": pending}), {})
    assert "saved now" in said(dispatcher) and "SP-AAAAA1" in said(dispatcher)
    assert fake.reports[-1]["idempotency_key"] == pending["idempotency_key"]
    assert SlotSet("pending_report", None) in events


async def test_a_missing_child_goes_to_the_authorities_and_gets_the_hotline(fake: FakeCasework) -> None:
    slots = {"missing_name": "Amina", "missing_age": "15", "missing_last_when": "two weeks ago",
             "missing_last_where": "Lisbon", "missing_country": "PT", "missing_destination": "a hotel job",
             "missing_taken_by": "skipped", "missing_contact_method": "chat", "missing_consent_ngo": "no"}
    dispatcher = CollectingDispatcher()
    await ActionSubmitMissingChild().run(dispatcher, tracker(slots=slots), {})
    sent = fake.reports[-1]
    assert sent["kind"] == "missing_child" and sent["child_at_risk"] is True
    assert sent["consent"] == {"child_protection": True, "police": True, "ngo": False}
    assert "taken_by" not in sent["details"]
    assert "116 000" in said(dispatcher) and "missing-child report is saved" in said(dispatcher)
    assert "can't start a chat with you here" in said(dispatcher)
    assert dispatcher.messages[-1]["buttons"] == [{"title": "Talk to a counselor now", "payload": "/request_human"}]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ((200, {"reference": "SP-7KQ2MX", "status": "in_review", "public_note": "We are on it."}),
         "In review: an agency is looking at it.\nNote from the agency: We are on it."),
        ((404, {"error": "not found"}), "I couldn't find a report with that code"),
        ((429, {"error": "too many"}), "try again in an hour"),
    ],
)
async def test_status_checks(fake: FakeCasework, answer: tuple, expected: str) -> None:
    fake.status_answer = answer
    dispatcher = CollectingDispatcher()
    await ActionCheckReportStatus().run(dispatcher, tracker("any news on sp 7kq2mx?"), {})
    assert expected in said(dispatcher)
    assert fake.status_calls == [{"conversation_id": "we-test", "reference": "sp 7kq2mx"}]


async def test_a_status_check_without_a_code_asks_for_it(fake: FakeCasework) -> None:
    dispatcher = CollectingDispatcher()
    await ActionCheckReportStatus().run(dispatcher, tracker("what happened to my report"), {})
    assert "send me your reference code" in said(dispatcher) and fake.status_calls == []


async def test_the_gateway_down_is_said_honestly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEWORK_API_URL", "http://127.0.0.1:9/api/v1")
    dispatcher = CollectingDispatcher()
    await ActionCheckReportStatus().run(dispatcher, tracker("SP-7KQ2MX"), {})
    assert "technical problem" in said(dispatcher)
    await casework_client._session.close()  # type: ignore[union-attr]
    casework_client._session = None


@pytest.mark.parametrize(
    ("text", "service"),
    [("i need a shelter", "shelter"), ("is there a lawyer who helps migrants", "legal_aid"),
     ("where can i see a doctor for free", "medical"), ("counselling for survivors", "psychosocial"),
     ("help for my son, he came back from a boat", "family_tracing_reintegration"), ("ngo near me", None)],
)
def test_the_kind_of_service_is_read_from_the_words(text: str, service: Optional[str]) -> None:
    assert service_in(text) == service


async def test_services_by_area_and_an_honest_nothing(fake: FakeCasework) -> None:
    text = "is there a shelter in mombasa"
    entity = {"entity": "country", "value": "KE", "start": text.index("mombasa"), "end": len(text)}
    fake.directory_answer = {"area_matched": True, "entries": [
        {"id": "x", "name": "SAMPLE Mombasa Safe House", "services": ["shelter"], "contact": {"website": "https://example.org"},
         "opening_hours": "24/7", "verified": False, "source": "sample data"}]}
    dispatcher = CollectingDispatcher()
    await ActionFindSupportServices().run(dispatcher, tracker(text, entities=[entity]), {})
    assert fake.directory_queries == [{"country": "KE", "area": "Mombasa", "service": "shelter"}]
    assert "SAMPLE Mombasa Safe House" in said(dispatcher) and "Source: sample data" in said(dispatcher)
    assert "not confirmed" in said(dispatcher) or "no partner has confirmed" in said(dispatcher)
    fake.directory_answer = {"area_matched": False, "entries": []}
    dispatcher = CollectingDispatcher()
    await ActionFindSupportServices().run(dispatcher, tracker("legal help please", {"country": "TH"}), {})
    assert "I don't know of any legal help in Thailand yet, and I won't guess" in said(dispatcher)
    assert "1-800-010-180" in said(dispatcher)  # a helpline instead


async def test_services_without_a_country_ask_for_it(fake: FakeCasework) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionFindSupportServices().run(dispatcher, tracker("i need a shelter"), {})
    assert said(dispatcher) == "utter_ask_services_country"
    assert SlotSet("pending_country_question", "services") in events and SlotSet("service_type", "shelter") in events
