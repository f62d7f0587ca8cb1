"""Identifiers a user typed, put back in the console transcript only with the user's consent.

Rasa's transcript holds placeholders ("[phone]", "[email]", "[id number]"); the originals are in
the gateway, encrypted (bot/identifier_vault.py). A counselor sees them only when the user agreed
that the counselor's agency may know who they are: a report from this conversation reached the
agency with full access (the user consented to that kind of agency) and the user chose to be
contacted rather than stay anonymous. Otherwise the placeholder stays, with a note saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timezone
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.crypto import KeySet
from bot.identifiers import PLACEHOLDERS
from bot.store.models import Case, CaseAccess, Identifier

WITHHELD_NOTE = "the user has not agreed to share this"
# Rasa's and the gateway's clocks: the same host or NTP; this much disagreement is tolerated.
CLOCK_SKEW_SECONDS = 2.0
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS))


@dataclass(frozen=True)
class Kept:
    """One original, as the gateway kept it when the message went to Rasa."""

    placeholder: str
    value: str
    at: float  # seconds since the epoch


async def shared_with(session: AsyncSession, conversation_id: str, agency_id: str) -> bool:
    """Did the user agree that `agency_id` may know who they are (see the module docstring)?"""
    found = await session.scalar(
        select(Case.id)
        .join(CaseAccess, CaseAccess.case_id == Case.id)
        .where(
            Case.conversation_id == conversation_id,
            Case.contact_method != "anonymous",
            CaseAccess.agency_id == agency_id,
            CaseAccess.level == "full",
        )
        .limit(1)
    )
    return found is not None


async def originals(session: AsyncSession, keys: KeySet, conversation_id: str) -> List[Kept]:
    """Every identifier kept for the conversation, oldest first, decrypted."""
    rows = (
        await session.scalars(
            select(Identifier).where(Identifier.conversation_id == conversation_id).order_by(Identifier.id)
        )
    ).all()
    kept = []
    for row in rows:
        moment = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=timezone.utc)
        kept.append(Kept(row.placeholder, keys.decrypt(row.value_encrypted), moment.timestamp()))
    return kept


def _seconds(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _fill_line(
    text: str, at: Optional[float], previous: Optional[float], kept: Sequence[Kept], used: set[int]
) -> Tuple[str, int]:
    shown = 0

    def original(match: re.Match[str]) -> str:
        nonlocal shown
        for index, item in enumerate(kept):
            if index in used or item.placeholder != match.group(0):
                continue
            if at is not None and item.at > at + CLOCK_SKEW_SECONDS:
                break  # kept for a later message
            if previous is not None and item.at < previous - CLOCK_SKEW_SECONDS:
                continue  # kept for a message no longer in the transcript
            used.add(index)
            shown += 1
            return item.value
        return match.group(0)

    return _PLACEHOLDER.sub(original, text), shown


def fill(lines: Sequence[Dict[str, Any]], kept: Sequence[Kept]) -> Tuple[List[Dict[str, Any]], int]:
    """The transcript with each user line's placeholders replaced by what the user typed.

    A message's originals were kept just before it went to Rasa, after the previous message's
    turn: so they belong to the first user line, in order, whose time is not before them and
    whose previous user line is not after them. Within a line, placeholders of one kind are
    filled left to right. What cannot be matched (purged, or never kept) stays a placeholder.
    Returns the new lines and how many originals were put back.
    """
    used: set[int] = set()
    shown = 0
    previous: Optional[float] = None
    result: List[Dict[str, Any]] = []
    for line in lines:
        if line.get("sender") != "user":
            result.append(dict(line))
            continue
        at = _seconds(line.get("at"))
        text, count = _fill_line(str(line.get("text", "")), at, previous, kept, used)
        shown += count
        result.append({**line, "text": text})
        if at is not None:
            previous = at
    return result, shown


def withheld(lines: Sequence[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The transcript as it is, each user line with a placeholder carrying the note why."""
    return [
        {**line, "note": WITHHELD_NOTE}
        if line.get("sender") == "user" and _PLACEHOLDER.search(str(line.get("text", "")))
        else dict(line)
        for line in lines
    ]
