"""The console's audit log: one row per login, logout, view or action, in the caller's transaction.

Details are small JSON objects about *what* was done (a reason, a count, a target user's id),
never message text, phone numbers, passwords or tokens: keys that suggest one are refused.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Dict, Optional

from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import AuditEvent, utcnow

if TYPE_CHECKING:
    from bot.console.auth import User

# A detail key made of one of these words (`message_text`, `new_password`, `phone`) is refused.
FORBIDDEN_WORDS = frozenset(
    ("password", "text", "message", "body", "phone", "token", "secret", "address", "contact")
)
_PHONE_LIKE = re.compile(r"\+?\d[\d\s().-]{6,}\d")
MAX_VALUE_CHARS = 120


def _check_detail(detail: Dict[str, Any]) -> None:
    for key, value in detail.items():
        if FORBIDDEN_WORDS.intersection(re.split(r"[_\W]+", key.lower())):
            raise ValueError(f"audit detail {key!r} looks like content or a secret: audit the fact, not the content")
        if isinstance(value, dict):
            _check_detail(value)
        elif isinstance(value, str) and (len(value) > MAX_VALUE_CHARS or _PHONE_LIKE.search(value)):
            raise ValueError(f"audit detail {key!r} holds free text or a number that could be a phone number")


async def record(
    session: AsyncSession,
    action: str,
    *,
    user_id: Optional[int] = None,
    agency_id: Optional[str] = None,
    conversation_id: Optional[str] = None,
    detail: Optional[Dict[str, Any]] = None,
) -> None:
    """Add an audit row for someone who is not (or not yet) a signed-in `User`: logins, admin commands."""
    detail = dict(detail or {})
    _check_detail(detail)
    session.add(
        AuditEvent(
            at=utcnow(), user_id=user_id, agency_id=agency_id, action=action[:32],
            conversation_id=conversation_id, detail=detail,
        )
    )


async def audit(
    session: AsyncSession,
    user: Optional[User],
    action: str,
    conversation_id: Optional[str] = None,
    detail: Optional[dict] = None,  # type: ignore[type-arg]
) -> None:
    """Record what a signed-in user did (the caller commits it with the work itself)."""
    await record(
        session, action,
        user_id=user.id if user else None,
        agency_id=user.agency_id if user else None,
        conversation_id=conversation_id,
        detail=detail,
    )
