"""Privacy commands: `python -m bot purge | verify-audit | block-sender | unblock-sender`."""

from __future__ import annotations

import argparse
import asyncio
from typing import Optional

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import retention
from bot.casework.reference_codes import normalise_reference
from bot.console.audit import record, verify_chain
from bot.erasure import ERASED_CONVERSATION
from bot.settings import Settings
from bot.store.database import create_engine, session_factory
from bot.store.models import Case, Conversation, utcnow

PRIVACY_COMMANDS = ("purge", "verify-audit", "block-sender", "unblock-sender")


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sub.add_parser("purge", help="delete what is older than the RETENTION_* limits, Rasa's tracker store included")
    sub.add_parser("verify-audit", help="check the audit log's hash chain; exit 1 at the first broken row")
    for name, verb in (("block-sender", "block"), ("unblock-sender", "unblock")):
        parser = sub.add_parser(name, help=f"{verb} a sender by conversation pseudonym or a case reference (SP-...)")
        parser.add_argument("sender", help="a conversation id (we-..., te-..., wh-...) or a report's reference")
        parser.add_argument("--admin", default="", help="who is doing this, for the audit log")


async def block_sender(session: AsyncSession, sender: str, blocked: bool, admin: str = "") -> Optional[str]:
    """Block or unblock a conversation; returns its id, or None when nothing matches."""
    reference = normalise_reference(sender)
    conversation_id = sender
    if reference is not None:
        conversation_id = await session.scalar(select(Case.conversation_id).where(Case.reference == reference)) or ""
    conversation = await session.get(Conversation, conversation_id) if conversation_id else None
    if conversation is None or conversation.id == ERASED_CONVERSATION:
        return None
    conversation.blocked_at = utcnow() if blocked else None
    await record(
        session, "block_sender" if blocked else "unblock_sender", conversation_id=conversation.id,
        detail={"by": admin[:64]} if admin else {},
    )
    return conversation.id


async def _block(settings: Settings, sender: str, blocked: bool, admin: str) -> int:
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session, session.begin():
            conversation_id = await block_sender(session, sender, blocked, admin)
    finally:
        await engine.dispose()
    if conversation_id is None:
        print(f"no conversation matches {sender!r}")
        return 1
    print(f"{'blocked' if blocked else 'unblocked'} {conversation_id}")
    return 0


async def _verify_audit(settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            checked, broken = await verify_chain(session)
    finally:
        await engine.dispose()
    if broken is not None:
        print(f"audit log BROKEN at row {broken.row_id}: {broken.reason} ({checked} row(s) read)")
        return 1
    print(f"audit log intact: {checked} row(s), every hash matches")
    return 0


async def _purge(settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        purged = await retention.purge(
            session_factory(engine), settings.rasa_tracker_url, retention.Limits.from_settings(settings)
        )
    finally:
        await engine.dispose()
    print(f"purged: {purged.summary()}")
    return 0


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "purge":
        return asyncio.run(_purge(settings))
    if args.command == "verify-audit":
        return asyncio.run(_verify_audit(settings))
    if args.command in ("block-sender", "unblock-sender"):
        return asyncio.run(_block(settings, args.sender, args.command == "block-sender", args.admin))
    raise ValueError(args.command)
