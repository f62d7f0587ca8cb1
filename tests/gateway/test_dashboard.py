"""The dashboard against seeded data: the aggregation queries, suppression, agency scoping, exports, audit."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator, Dict, List

import pytest
from aiohttp import DummyCookieJar
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.app import create_app
from bot.console.accounts import create_user
from bot.console.dashboard_queries import Scope, handed_off_conversations, handoff_figures, report_figures
from bot.console.dashboard_tracker import create_tracker_engine, tracker_figures
from bot.store.models import AuditEvent
from tests.gateway.console_support import PASSWORD, cookie_header, db, post_login, seed_console, session_cookie
from tests.gateway.dashboard_support import FIRST, KE, LAST, PH, RANGE, SECRET, seed_gateway, seed_tracker


def figures_of(table: Any) -> Dict[str, str]:
    return {row.key: row.display for row in table.rows}


@dataclass
class Seeded:
    client: TestClient
    database_url: str
    tracker_url: str

    async def get(self, path: str, **kwargs: Any) -> Any:
        return await self.client.get(path, **kwargs)


@pytest.fixture
async def seeded(fake_rasa: Any, settings_factory: Any, tmp_path: Path) -> AsyncIterator[Seeded]:
    _rasa, url = fake_rasa
    settings = settings_factory(url, rasa_tracker_url=seed_tracker(tmp_path / "tracker.db"))
    await seed_console(settings.database_url)
    async with db(settings.database_url) as session:
        await create_user(session, "ana", PH, "supervisor", PASSWORD, "Ana Reyes")
        await create_user(session, "root", KE, "admin", PASSWORD, "Admin")
    await seed_gateway(settings.database_url)
    client = TestClient(TestServer(create_app(settings), host="127.0.0.1"), cookie_jar=DummyCookieJar())
    await client.start_server()
    yield Seeded(client, settings.database_url, settings.rasa_tracker_url)
    await client.close()


async def sign_in(target: Seeded | TestClient, username: str) -> Dict[str, str]:
    client = target.client if isinstance(target, Seeded) else target
    token = session_cookie(await post_login(client, username))
    assert token
    return cookie_header(token)


async def page(client: Seeded | TestClient, who: Dict[str, str], **query: str) -> str:
    response = await client.get("/console/dashboard", params={**RANGE, **query}, headers=who)
    assert response.status == 200, await response.text()
    return await response.text()


async def export(client: Seeded, who: Dict[str, str], table: str, **query: str) -> List[List[str]]:
    response = await client.get(f"/console/dashboard/export/{table}.csv", params={**RANGE, **query}, headers=who)
    assert response.status == 200, await response.text()
    assert response.content_type == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(await response.text())))


def bar_counts(html: str, table: str) -> Dict[str, int]:
    svg = re.search(rf'<svg[^>]*id="chart-{table}".*?</svg>', html, re.S)
    assert svg, f"no chart {table}"
    found = re.findall(r'data-(?:key|day)="([^"]+)" data-count="(\d+)"', svg.group(0))
    return {key: int(count) for key, count in found}


# ---- the queries ---------------------------------------------------------------------------------


async def test_handoff_figures_count_only_the_agency_and_the_range(seeded: Seeded) -> None:
    async with db(seeded.database_url) as session:
        ke = await handoff_figures(session, Scope(KE, FIRST, LAST))
        everyone = await handoff_figures(session, Scope(None, FIRST, LAST))
    assert figures_of(ke.outcomes) == {"resolved": "6", "information_given": "5", "open": "<5", "user_left": "<5",
                                       "no_response": "<5"}
    assert ke.outcomes.total_shown == 11
    per_day = figures_of(ke.per_day)
    assert len(per_day) == 30 and per_day["2026-10-28"] == "8"
    assert per_day["2026-10-30"] == "<5" and per_day["2026-10-01"] == "0"
    assert per_day["2026-10-21"] == "hidden"  # 6, hidden beside the one day under 5
    assert figures_of(ke.languages) == {"en": "12", "sw": "5"}
    assert (ke.waits.claimed, ke.waits.median_minutes, ke.waits.p90_minutes) == (14, 7.5, 12.7)
    assert figures_of(everyone.outcomes)["resolved"] == "12" and figures_of(everyone.languages)["tl"] == "6"


async def test_report_figures_follow_case_access(seeded: Seeded) -> None:
    async with db(seeded.database_url) as session:
        ke_country, ke_category = await report_figures(session, Scope(KE, FIRST, LAST))
        ph_country, _ = await report_figures(session, Scope(PH, FIRST, LAST))
        all_country, all_category = await report_figures(session, Scope(None, FIRST, LAST))
    assert figures_of(ke_country) == {"KE": "7"}
    assert figures_of(ke_category) == {"labour_exploitation": "hidden", "sexual_exploitation": "<5"}
    assert figures_of(ph_country) == {"PH": "5"}
    assert figures_of(all_country) == {"KE": "7", "PH": "5"} and figures_of(all_category)["trafficking"] == "5"


async def test_tracker_figures_for_the_deployment_and_for_one_agency(seeded: Seeded) -> None:
    engine = create_tracker_engine(seeded.tracker_url)
    assert engine is not None
    async with db(seeded.database_url) as session:
        senders = await handed_off_conversations(session, KE)
    try:
        ke = await tracker_figures(engine, Scope(KE, FIRST, LAST), senders)
        everyone = await tracker_figures(engine, Scope(None, FIRST, LAST))
    finally:
        await engine.dispose()
    assert figures_of(ke.intents) == {"check_job_offer": "6", "faq": "hidden", "greet": "<5"}
    assert figures_of(ke.faq_topics) == {"faq/what_is_trafficking": "5"}
    # The new session's copy of a check is not a new check.
    assert figures_of(ke.job_risks) == {"high": "5", "medium": "<5", "child": "<5"}
    assert figures_of(ke.red_flags) == {"document_retention": "5", "recruitment_fee": "5", "no_contract": "<5"}
    assert figures_of(everyone.intents) == {"faq": "15", "check_job_offer": "hidden", "greet": "<5"}  # not the old one
    assert figures_of(everyone.faq_topics) == {"faq/visa_rules": "10", "faq/what_is_trafficking": "5"}
    assert figures_of(everyone.job_risks) == {"low": "7", "high": "5", "child": "<5", "medium": "<5"}


async def test_the_tracker_store_is_opened_read_only(seeded: Seeded) -> None:
    engine = create_tracker_engine(seeded.tracker_url)
    assert engine is not None
    try:
        async with engine.connect() as conn:
            with pytest.raises(Exception, match="readonly"):
                await conn.exec_driver_sql("DELETE FROM events")
    finally:
        await engine.dispose()


# ---- the pages -----------------------------------------------------------------------------------


async def test_a_supervisor_sees_their_agency_with_small_counts_suppressed(seeded: Seeded) -> None:
    html = await page(seeded, await sign_in(seeded, "kamau"))
    assert "SAMPLE Kenya" in html and SECRET not in html
    assert bar_counts(html, "outcomes") == {"resolved": 6, "information_given": 5}
    assert bar_counts(html, "handoffs_per_day") == {**{d: 0 for d in re.findall(r'data-day="([^"]+)"', html)},
                                                    "2026-10-28": 8}
    assert bar_counts(html, "job_checks_by_risk") == {"high": 5}
    assert 'id="median-wait">7.5 min' in html and 'id="p90-wait">12.7 min' in html
    assert re.search(r'data-agency="sample-ke-children-services">.*?class="num waiting">3<', html, re.S)
    assert "Philippines" not in html and '<select id="agency"' not in html
    assert "visa_rules" not in html  # asked in conversations that never reached this agency
    assert ">&lt;5<" in html and "tl" not in bar_counts(html, "languages")


async def test_the_agency_is_decided_on_the_server(seeded: Seeded) -> None:
    kamau = await sign_in(seeded, "kamau")
    response = await seeded.get("/console/dashboard", params={**RANGE, "agency": PH}, headers=kamau)
    assert response.status == 403
    html = await page(seeded, await sign_in(seeded, "ana"))
    assert bar_counts(html, "outcomes") == {"resolved": 6}
    assert "check_job_offer" not in html  # none of PH's conversations reached the assistant's checks
    for counselor in ("wanjiru", "maria"):
        who = await sign_in(seeded, counselor)
        assert (await seeded.get("/console/dashboard", headers=who)).status == 403
        assert (await seeded.get("/console/dashboard/export/outcomes.csv", headers=who)).status == 403
    assert (await seeded.get("/console/dashboard", allow_redirects=False)).status == 302


async def test_an_admin_sees_the_deployment_or_one_agency(seeded: Seeded) -> None:
    root = await sign_in(seeded, "root")
    html = await page(seeded, root)
    assert "the whole deployment" in html and bar_counts(html, "outcomes")["resolved"] == 12
    assert bar_counts(html, "faq_topics") == {"faq/visa_rules": 10, "faq/what_is_trafficking": 5}
    assert '<select id="agency"' in html
    ph = await page(seeded, root, agency=PH)
    assert bar_counts(ph, "outcomes") == {"resolved": 6}
    bad = await seeded.get("/console/dashboard", params={**RANGE, "agency": "no-such-agency"}, headers=root)
    assert bad.status == 400


async def test_bad_dates_are_refused(seeded: Seeded) -> None:
    kamau = await sign_in(seeded, "kamau")
    for query in ({"from": "2026-10-40"}, {"from": "2026-10-05", "to": "2026-10-01"}, {"to": "=1+1"}):
        assert (await seeded.get("/console/dashboard", params=query, headers=kamau)).status == 400


async def test_exports_follow_the_same_suppression_and_scope(seeded: Seeded) -> None:
    kamau = await sign_in(seeded, "kamau")
    rows = await export(seeded, kamau, "outcomes")
    assert rows[0][0].startswith("SafePassage dashboard, figures of SAMPLE Kenya")
    body = {row[0]: row[1] for row in rows if len(row) == 2}
    assert body["Resolved"] == "6" and body["User left"] == "<5" and body["No response"] == "<5"
    assert body["Total shown (counts under 5 and hidden ones left out)"] == "11"
    assert {row[0]: row[1] for row in await export(seeded, kamau, "red_flags") if len(row) == 2}["no contract"] == "<5"
    assert (await export(seeded, kamau, "waits"))[-1] == ["90th percentile wait (minutes)", "12.7"]
    queue = await export(seeded, kamau, "queue_now")
    assert queue[-1][:2] == ["SAMPLE Kenya Children's Services Office", "3"] and len(queue) == 3
    missing = await seeded.get("/console/dashboard/export/nothing.csv", params=RANGE, headers=kamau)
    assert missing.status == 404


async def test_each_view_and_export_is_audited_without_figures(seeded: Seeded) -> None:
    kamau = await sign_in(seeded, "kamau")
    await page(seeded, kamau)
    await export(seeded, kamau, "intents")
    async with db(seeded.database_url) as session:
        rows = (await session.scalars(select(AuditEvent).where(AuditEvent.action.like("%dashboard")))).all()
    assert [row.action for row in rows] == ["view_dashboard", "export_dashboard"]
    assert rows[0].agency_id == KE and rows[0].detail == {"figures_of": KE, "range_days": 30,
                                                          "ends_days_ago": rows[0].detail["ends_days_ago"]}
    assert rows[1].detail["table"] == "intents"


async def test_without_a_tracker_store_the_page_says_so(fake_rasa: Any, settings_factory: Any) -> None:
    _rasa, url = fake_rasa
    settings = settings_factory(url, rasa_tracker_url="")
    await seed_console(settings.database_url)
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1"), cookie_jar=DummyCookieJar()) as client:
        html = await page(client, await sign_in(client, "kamau"))
    assert "Not available: the assistant&#x27;s records are not configured" in html
    assert "None in this range." in html


async def test_an_unreadable_tracker_store_leaves_the_rest_of_the_page(
    fake_rasa: Any, settings_factory: Any, tmp_path: Path,
) -> None:
    _rasa, url = fake_rasa
    settings = settings_factory(url, rasa_tracker_url=f"sqlite:///{tmp_path / 'not-there' / 'tracker.db'}")
    await seed_console(settings.database_url)
    await seed_gateway(settings.database_url)
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1"), cookie_jar=DummyCookieJar()) as client:
        html = await page(client, await sign_in(client, "kamau"))
    assert "could not be read just now" in html
    assert bar_counts(html, "outcomes") == {"resolved": 6, "information_given": 5}
    assert not (tmp_path / "not-there").exists()  # read-only: nothing is created
