"""Console admin commands (`python -m bot ...`) and the demo logins `make run` creates."""

from __future__ import annotations

import asyncio
import io
import stat
from pathlib import Path
from typing import Any, Dict

import pytest
from sqlalchemy import func, select

from bot.__main__ import main
from bot.casework.routing import load_routing
from bot.console.auth import start_session
from bot.console.demo_accounts import DEMO_ACCOUNTS, read_logins
from bot.console.passwords import verify_password
from bot.launcher import console_lines, load_sample_data
from bot.settings import Settings, _default_routing_file
from bot.store.migrate import upgrade
from bot.store.models import Agency, AuditEvent, ConsoleSession, ConsoleUser, utcnow
from tests.gateway.console_support import db


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}"
    upgrade(url)
    for name, value in {"DATABASE_URL": url, "PSEUDONYM_KEY": "p", "RASA_AUTH_TOKEN": "r",
                        "CASEWORK_SERVICE_TOKEN": "c"}.items():
        monkeypatch.setenv(name, value)
    return url


def _query(url: str, statement: Any) -> Any:
    async def run() -> Any:
        async with db(url) as session:
            return (await session.execute(statement)).all()

    return asyncio.run(run())


def _user(url: str, username: str) -> ConsoleUser:
    rows = _query(url, select(ConsoleUser).where(ConsoleUser.username == username))
    assert len(rows) == 1, f"no user {username}"
    user: ConsoleUser = rows[0][0]
    return user


def _printed_password(out: str) -> str:
    return out.strip().splitlines()[-1]


def test_create_agency_stores_hours_and_time_zone_like_the_directory(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["create-agency", "ke-helpline", "--name", "Kenya Child Helpline", "--kind", "child_protection",
                 "--countries", "KE,ug", "--languages", "en,SW", "--hours", "Mon-Fri 08:00-17:00",
                 "--timezone", "Africa/Nairobi"]) == 0
    (agency,) = _query(database, select(Agency).where(Agency.id == "ke-helpline"))[0]
    assert (agency.name, agency.kind, agency.countries, agency.languages) == (
        "Kenya Child Helpline", "child_protection", ["KE", "UG"], ["en", "sw"])
    assert (agency.opening_hours, agency.timezone, agency.verified, agency.active) == (
        "Mon-Fri 08:00-17:00", "Africa/Nairobi", False, True)
    assert main(["create-agency", "ke-police", "--name", "P", "--kind", "police", "--countries", "KE",
                 "--verified"]) == 0
    assert _query(database, select(Agency.verified, Agency.timezone).where(Agency.id == "ke-police")) == [(True, "UTC")]
    capsys.readouterr()
    for bad in (["ke-helpline", "--name", "again", "--kind", "ngo", "--countries", "KE"],  # exists
                ["x-y", "--name", "n", "--kind", "ngo", "--countries", "Kenya"],
                ["x-z", "--name", "n", "--kind", "ngo", "--countries", "KE", "--timezone", "Africa/Atlantis"]):
        assert main(["create-agency", *bad]) == 1
    assert capsys.readouterr().err.count("error:") == 3


def test_create_user_prints_a_generated_password_once_and_stores_only_its_hash(
    database: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(["create-agency", "ke-helpline", "--name", "K", "--kind", "ngo", "--countries", "KE"])
    capsys.readouterr()
    assert main(["create-user", "Wanjiru", "--agency", "ke-helpline", "--role", "counselor",
                 "--name", "Wanjiru Mwangi"]) == 0
    password = _printed_password(capsys.readouterr().out)
    user = _user(database, "wanjiru")
    assert (user.display_name, user.role, user.agency_id, user.active) == (
        "Wanjiru Mwangi", "counselor", "ke-helpline", True)
    assert len(password) >= 20 and password not in user.password_hash
    assert user.password_hash.startswith("$argon2id$") and verify_password(user.password_hash, password)[0]

    monkeypatch.setattr("sys.stdin", io.StringIO("my own long passphrase\n"))
    assert main(["create-user", "kamau", "--agency", "ke-helpline", "--role", "supervisor", "--password-stdin"]) == 0
    out = capsys.readouterr().out
    assert "passphrase" not in out and "password" not in out
    assert verify_password(_user(database, "kamau").password_hash, "my own long passphrase")[0]

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["create-user", "otieno", "--agency", "ke-helpline", "--role", "admin", "--password-stdin"]) == 1
    assert main(["create-user", "otieno", "--agency", "no-such-agency", "--role", "counselor"]) == 1
    assert main(["create-user", "WANJIRU", "--agency", "ke-helpline", "--role", "counselor"]) == 1  # taken
    assert "no agency with id 'no-such-agency'" in capsys.readouterr().err


def test_reset_password_unlocks_ends_sessions_and_is_audited(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["create-agency", "ke-helpline", "--name", "K", "--kind", "ngo", "--countries", "KE"])
    main(["create-user", "wanjiru", "--agency", "ke-helpline", "--role", "counselor"])
    old = _printed_password(capsys.readouterr().out)
    user_id = _user(database, "wanjiru").id

    async def sign_in_and_lock() -> None:
        async with db(database) as session:
            settings = Settings(pseudonym_key="p", rasa_auth_token="r", casework_service_token="c")
            await start_session(session, user_id, settings, utcnow())
            await start_session(session, user_id, settings, utcnow())
            user = await session.get(ConsoleUser, user_id)
            assert user is not None
            user.locked_until, user.failed_logins = utcnow(), 3

    asyncio.run(sign_in_and_lock())
    assert main(["reset-password", "Wanjiru"]) == 0
    out = capsys.readouterr().out
    new = _printed_password(out)
    assert "2 session(s) ended" in out and new != old
    user = _user(database, "wanjiru")
    assert verify_password(user.password_hash, new)[0] and not verify_password(user.password_hash, old)[0]
    assert user.locked_until is None and user.failed_logins == 0
    assert _query(database, select(func.count()).select_from(ConsoleSession)) == [(0,)]
    (event,) = _query(database, select(AuditEvent).where(AuditEvent.action == "password_reset"))[0]
    assert event.detail["target_user_id"] == user_id and new not in str(event.detail)

    assert main(["deactivate-user", "wanjiru"]) == 0
    assert _user(database, "wanjiru").active is False
    assert main(["reset-password", "ghost"]) == 1 and main(["deactivate-user", "ghost"]) == 1
    assert "no console user 'ghost'" in capsys.readouterr().err


def _env(database: str, sample: str) -> Dict[str, str]:
    return {"DATABASE_URL": database, "SAMPLE_DATA": sample}


def test_demo_logins_exist_only_with_sample_data(database: str, tmp_path: Path) -> None:
    var = tmp_path / "var"
    assert load_sample_data(_env(database, "0"), var) is None
    assert _query(database, select(func.count()).select_from(ConsoleUser)) == [(0,)]
    assert not var.exists() or not any(var.iterdir())

    path = load_sample_data(_env(database, "1"), var)
    assert path is not None and stat.S_IMODE(path.stat().st_mode) == 0o600
    logins = read_logins(path)
    assert set(logins) == {a.username for a in DEMO_ACCOUNTS}
    roles = {(a.role, a.agency_id) for a in DEMO_ACCOUNTS}
    assert {r for r, _ in roles} == {"counselor", "supervisor", "admin"}
    # Whoever `make run` sends to a counselor (default, escalation fallback, Kenya, the Philippines)
    # can be answered with a demo login.
    routing = load_routing(_default_routing_file())
    counseled = {agency for role, agency in roles if role == "counselor"}
    handed_to = {routing.handoff_default, routing.handoff_fallback,
                 routing.handoff_agency("KE"), routing.handoff_agency("PH")}
    assert handed_to <= counseled
    for account in DEMO_ACCOUNTS:
        user = _user(database, account.username)
        assert verify_password(user.password_hash, logins[account.username])[0]
        assert (user.role, user.agency_id) == (account.role, account.agency_id)

    # A second start keeps the passwords; printed lines name the file, never a password.
    assert read_logins(load_sample_data(_env(database, "1"), var) or path) == logins
    lines = "\n".join(console_lines("http://127.0.0.1:8080", path))
    assert "http://127.0.0.1:8080/console" in lines and str(path) in lines
    assert not any(password in lines for password in logins.values())

    # Lose the file: the accounts get new passwords, so the new file is right again.
    path.unlink()
    again = read_logins(load_sample_data(_env(database, "1"), var) or path)
    assert set(again) == set(logins) and again != logins
    assert verify_password(_user(database, "demo-admin").password_hash, again["demo-admin"])[0]
