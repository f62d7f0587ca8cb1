"""Seeded figures for the dashboard tests: handoffs, cases and a Rasa tracker store on SQLite.

Kenya's agency (KE) and the Philippines' (PH) get known numbers, some under 5 on purpose, and a
little outside the range (FIRST..LAST) that must never be counted.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

from bot.store.models import Case, CaseAccess, Conversation, Handoff
from tests.gateway.console_support import db

KE = "sample-ke-children-services"
PH = "sample-ph-social-welfare"
FIRST, LAST = date(2026, 10, 1), date(2026, 10, 30)
RANGE = {"from": FIRST.isoformat(), "to": LAST.isoformat()}
D1, D3, TODAY_IN_RANGE, OUTSIDE = date(2026, 10, 28), date(2026, 10, 21), date(2026, 10, 30), date(2026, 8, 1)
SECRET = "SECRET-WORDS-THE-USER-TYPED"
# Rasa 3.6's SQLTrackerStore table.
EVENTS_SCHEMA = (
    "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,"
    " timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.utc)


def ke_outcomes() -> List[Optional[str]]:
    """14 closed KE handoffs: resolved 6, information given 5, user left 2, no response 1."""
    return ["resolved"] * 6 + ["information_given"] * 5 + ["user_left"] * 2 + ["no_response"]


async def seed_gateway(database_url: str, now: Optional[datetime] = None) -> None:
    """KE: 14 closed handoffs (8 on D1, 6 on D3; waits of 1..14 minutes), 3 waiting now (asked on the
    range's last day; 20, 10 and 5 minutes ago), one outside the range. PH: 6 resolved. Cases:
    KE 5 labour + 2 sexual exploitation (country KE), PH 5 trafficking (country PH)."""
    now = now or datetime.now(timezone.utc)
    async with db(database_url) as session:
        def conversation(cid: str) -> None:
            session.add(Conversation(id=cid, channel="webchat"))

        for i, outcome in enumerate(ke_outcomes()):
            cid = f"ke-{i}"
            conversation(cid)
            day = D1 if i < 8 else D3
            queued = at(day, 9, i)
            session.add(Handoff(
                conversation_id=cid, agency_id=KE, status="closed", outcome=outcome,
                reason="job_check" if i < 7 else "request_human", language="sw" if i >= 12 else "en",
                requested_at=queued, queued_at=queued, claimed_at=queued + timedelta(minutes=i + 1),
                closed_at=queued + timedelta(hours=1),
            ))
        for i, minutes in enumerate((20, 10, 5)):
            cid = f"ke-wait-{i}"
            conversation(cid)
            session.add(Handoff(conversation_id=cid, agency_id=KE, status="queued", reason="request_human",
                                language="sw", requested_at=at(TODAY_IN_RANGE),
                                queued_at=now - timedelta(minutes=minutes)))
        conversation("ke-old")
        session.add(Handoff(conversation_id="ke-old", agency_id=KE, status="closed", outcome="other",
                            reason="report", requested_at=at(OUTSIDE), queued_at=at(OUTSIDE),
                            claimed_at=at(OUTSIDE) + timedelta(hours=5), closed_at=at(OUTSIDE, 18)))
        for i in range(6):
            cid = f"ph-{i}"
            conversation(cid)
            session.add(Handoff(conversation_id=cid, agency_id=PH, status="closed", outcome="resolved",
                                reason="request_human", language="tl", requested_at=at(D1, 11, i),
                                queued_at=at(D1, 11, i), claimed_at=at(D1, 11, i) + timedelta(minutes=30)))
        await session.flush()
        cases = [(KE, "KE", "labour_exploitation")] * 5 + [(KE, "KE", "sexual_exploitation")] * 2
        cases += [(PH, "PH", "trafficking")] * 5
        for i, (agency, country, category) in enumerate(cases):
            case = Case(reference=f"SP-T{i:04d}", idempotency_key=f"key-{i}", conversation_id=f"ke-{i % 14}",
                        kind="report", category=category, country=country, details_encrypted="sealed",
                        created_at=at(D1))
            session.add(case)
            await session.flush()
            session.add(CaseAccess(case_id=case.id, agency_id=agency, via="routed", level="full"))


def _user(sender: str, day: date, intent: str, faq: Optional[str] = None) -> tuple[str, str, float, Any, Any, str]:
    parse: Dict[str, Any] = {"intent": {"name": intent, "confidence": 0.9}, "text": SECRET}
    if faq:
        response = {"intent_response_key": faq, "responses": [{"text": SECRET}]}
        parse["response_selector"] = {"faq": {"response": response}}
    data = {"event": "user", "timestamp": at(day).timestamp(), "text": SECRET, "parse_data": parse}
    return sender, "user", at(day).timestamp(), intent, None, json.dumps(data)


def _check(sender: str, day: date, risk: str, flags: List[str]) -> tuple[str, str, float, Any, Any, str]:
    value = {"risk": risk, "flags": flags, "offer_country": "AE", "job_type": SECRET}
    data = {"event": "slot", "timestamp": at(day).timestamp(), "name": "last_job_check", "value": value}
    return sender, "slot", at(day).timestamp(), None, "last_job_check", json.dumps(data)


def seed_tracker(path: Path) -> str:
    """A tracker store; returns its Rasa-style URL. KE's conversations: check_job_offer 6, faq 5
    (what_is_trafficking), greet 2; job checks high 5 (recruitment_fee and document_retention each
    time, no_contract twice; one high check copied again by a new session), medium 1, child 1. Others (never
    handed off): faq 10 (visa_rules), low checks 7. One event outside the range."""
    rows = []
    for i in range(6):
        rows.append(_user(f"ke-{i}", D1, "check_job_offer"))
    for i in range(5):
        rows.append(_user(f"ke-{i}", D1, "faq", "faq/what_is_trafficking"))
    rows += [_user("ke-6", D3, "greet"), _user("ke-7", D3, "greet")]
    for i in range(5):
        flags = ["recruitment_fee", "document_retention"] + (["no_contract"] if i < 2 else [])
        rows.append(_check(f"ke-{i}", D1, "high", flags))
    copied = ["recruitment_fee", "document_retention", "no_contract"]
    rows.append(_check("ke-0", D1 + timedelta(days=1), "high", copied))
    rows.append(_check("ke-5", D1, "medium", ["no_contract"]))
    rows.append(_check("ke-6", D1, "child", []))
    for i in range(10):
        rows.append(_user(f"anon-{i}", D3, "faq", "faq/visa_rules"))
    for i in range(7):
        rows.append(_check(f"anon-{i}", D3, "low", []))
    rows.append(_user("ke-0", OUTSIDE, "emergency"))
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(EVENTS_SCHEMA)
        connection.executemany(
            "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES (?,?,?,?,?,?)",
            rows,
        )
    connection.close()
    return f"sqlite:///{path}"
