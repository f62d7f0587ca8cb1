"""Demo console logins for the SAMPLE agencies, so `make run` (SAMPLE_DATA=1) can be tried at once.

Passwords are generated once and kept in a file under var/ (git-ignored, mode 0600); the
launcher prints where the file is, never the passwords. A deployment (SAMPLE_DATA=0) gets none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.console.accounts import create_user
from bot.console.audit import record
from bot.console.auth import end_user_sessions
from bot.console.passwords import generate_password, hash_password
from bot.store.models import Agency, ConsoleUser, utcnow


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    agency_id: str


DEMO_ACCOUNTS = (
    DemoAccount("demo-ke-counselor", "Amina W. (demo counselor)", "counselor", "sample-ke-children-services"),
    DemoAccount("demo-ke-supervisor", "Joseph K. (demo supervisor)", "supervisor", "sample-ke-children-services"),
    DemoAccount("demo-ph-counselor", "Maria S. (demo counselor)", "counselor", "sample-ph-social-welfare"),
    DemoAccount("demo-ph-supervisor", "Paolo R. (demo supervisor)", "supervisor", "sample-ph-social-welfare"),
    # The web chat's default handoff agency (reference/routing_sample.yml) and its escalation fallback.
    DemoAccount("demo-intl-counselor", "Sam T. (demo counselor)", "counselor", "sample-intl-casework"),
    DemoAccount("demo-intl-supervisor", "Grace N. (demo supervisor)", "supervisor", "sample-intl-casework"),
    DemoAccount("demo-fallback-counselor", "Lena M. (demo counselor)", "counselor", "sample-intl-child-protection"),
    DemoAccount("demo-admin", "Demo administrator", "admin", "sample-intl-casework"),
)
HEADER = (
    "# SafePassage console: DEMO logins for the fictional SAMPLE agencies (SAMPLE_DATA=1).\n"
    "# Local demos only. Open <gateway>/console, e.g. http://127.0.0.1:8080/console\n"
    "# Delete this file to get new passwords on the next `make run`.\n"
    "# user name          password                        role        agency\n"
)


def read_logins(path: Path) -> Dict[str, str]:
    """user name -> password, from a file written by `write_logins`."""
    if not path.exists():
        return {}
    logins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            logins[parts[0]] = parts[1]
    return logins


def write_logins(path: Path, logins: Dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        f"{a.username:<20} {logins[a.username]:<31} {a.role:<11} {a.agency_id}\n"
        for a in DEMO_ACCOUNTS
        if a.username in logins
    ]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(HEADER + "".join(lines))
    path.chmod(0o600)  # also when the file existed with looser rights


async def ensure_demo_accounts(session: AsyncSession, logins: Dict[str, str]) -> Dict[str, str]:
    """Create missing demo users with the passwords in `logins` (new ones when absent).

    An account that exists but whose password is not in `logins` (the file was deleted) gets a
    new password, so the file always tells the truth. Returns the complete `logins`.
    """
    logins = dict(logins)
    for account in DEMO_ACCOUNTS:
        if await session.get(Agency, account.agency_id) is None:
            continue  # the sample directory is not loaded
        user = (await session.scalars(select(ConsoleUser).where(ConsoleUser.username == account.username))).first()
        if user is None:
            password = logins.get(account.username) or generate_password()
            await create_user(session, account.username, account.agency_id, account.role, password,
                              account.display_name)
            logins[account.username] = password
        elif account.username not in logins:
            logins[account.username] = generate_password()
            user.password_hash = hash_password(logins[account.username])
            user.password_changed_at = utcnow()
            user.failed_logins, user.locked_until = 0, None
            await end_user_sessions(session, user.id)
            await record(session, "password_reset", agency_id=user.agency_id,
                         detail={"via": "demo accounts", "target_user_id": user.id})
    return logins
