"""Tables owned by the gateway. Every schema change goes through an Alembic migration."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Dict, Optional

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    """A conversation, known only by its pseudonym; no message text is kept here."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    owner: Mapped[str] = mapped_column(String(16), default="bot")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Where replies go on the platform (Telegram chat id, WhatsApp number, web chat session).
    # Needed to answer; never logged, never sent to Rasa. Encrypted at rest by the privacy issue.
    address: Mapped[Optional[str]] = mapped_column(String(128), nullable=True)
    language_hint: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)
    # The language the bot answers in (bot/language.py) and how it was set: hint | detected | chosen.
    language: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)
    language_source: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)
    # The last message from the user (WhatsApp's 24-hour customer-service window runs from it).
    last_inbound_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    # Photos, voice notes and files are not downloaded: only their arrival is counted.
    media_count: Mapped[int] = mapped_column(Integer, default=0)
    # Choices offered as numbered text (channels without buttons): "2" means the second payload.
    numbered_choices: Mapped[Optional[list[str]]] = mapped_column(JSON, nullable=True)
    # `owner` is bot | queued | human (bot/handoff/service.py). True while Rasa's tracker holds a
    # pause event the gateway has not yet undone: the next bot turn resumes it first.
    rasa_paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # The user confirmed "erase my data": bot/erasure.py erases it once the last reply is out.
    erase_requested_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    # The user stopped check-ins: the check-in answers in Rasa's tracker are removed after this turn
    # (bot/checkins/forget.py); cleared once done.
    checkins_forget_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    # An admin blocked this sender (`python -m bot block-sender`): a neutral reply, nothing else.
    blocked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)


class UrgentRequest(Base):
    """Someone said they are in danger: kept for the counselor queue to pick up."""

    __tablename__ = "urgent_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(32))
    country: Mapped[Optional[str]] = mapped_column(String(2), nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class LicensedRecruiter(Base):
    """One entry of a licensed-recruiter registry, imported from CSV with its source."""

    __tablename__ = "licensed_recruiters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registry_name: Mapped[str] = mapped_column("registry", String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    licence_number: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2), index=True)
    status: Mapped[str] = mapped_column(String(32))
    valid_until: Mapped[Optional[date]] = mapped_column(Date, nullable=True)
    source: Mapped[str] = mapped_column(String(300))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)


class InboxMessage(Base):
    """One inbound message, written before the platform gets its 2xx; the key drops duplicates.

    `text` is what the turn sends to Rasa; it is cleared once the turn has run. `external_id` is a
    keyed hash of the platform's message id (bot/pseudonym.py: WhatsApp's ids spell out the
    sender's number); `platform_ref` is that id itself, encrypted, for WhatsApp's read receipts.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_inbox_channel_external_id"),
        Index("ix_inbox_conversation_status", "conversation_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    platform_ref: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    meta: Mapped[Dict[str, Any]] = mapped_column(JSON, default=dict)
    # pending → done; `holding_sent` marks that the user was told we are slow for this message.
    status: Mapped[str] = mapped_column(String(16), default="pending")
    holding_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    processed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)


class OutboxMessage(Base):
    """One outbound message: persisted first, then sent with retries; its status is the truth.

    pending → sent → delivered → read, or failed (dead letter, with `error`). `platform_id` is a
    keyed hash of the id the platform gave the message: a status callback finds the row by it.
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_conversation_status", "conversation_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    inbox_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True, index=True)
    body: Mapped[Dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    platform_id: Mapped[Optional[str]] = mapped_column(String(128), nullable=True, index=True)
    error: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
# ---- Reports, cases and the agency directory (issue 4) -------------------------------------
# Free text that could identify or hurt someone (narratives, contact details, notes, webhook
# secrets) is stored only as Fernet tokens from bot/crypto.py: columns named `*_encrypted`.


class Agency(Base):
    """A partner agency or service in the directory; cases are routed and referred to agencies."""

    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # Which consent question covers it: child_protection, police or ngo.
    kind: Mapped[str] = mapped_column(String(32))
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    opening_hours: Mapped[str] = mapped_column(String(200), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    contact: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    emergency_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(300))
    notify_url: Mapped[Optional[str]] = mapped_column(String(500), nullable=True)
    notify_secret_encrypted: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AgencyToken(Base):
    """An agency's API token: only its SHA-256 is kept; revoked tokens stay for the record."""

    __tablename__ = "agency_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)


class Case(Base):
    """A report or missing-child intake; details and contact are encrypted."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # report | missing_child
    category: Mapped[str] = mapped_column(String(32))
    country: Mapped[Optional[str]] = mapped_column(String(2), nullable=True)
    language: Mapped[str] = mapped_column(String(8), default="en")
    status: Mapped[str] = mapped_column(String(16), default="received")
    danger_now: Mapped[bool] = mapped_column(Boolean, default=False)
    child_at_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_child_protection: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_police: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_ngo: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_method: Mapped[str] = mapped_column(String(16), default="anonymous")  # anonymous | chat | phone
    details_encrypted: Mapped[str] = mapped_column(Text)
    contact_encrypted: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    public_note_encrypted: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseAccess(Base):
    """Which agency may see a case, how much (`full` or `safety`), and its notification's state."""

    __tablename__ = "case_access"
    __table_args__ = (UniqueConstraint("case_id", "agency_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    via: Mapped[str] = mapped_column(String(16))  # routed | referral
    level: Mapped[str] = mapped_column(String(16))  # full | safety
    referred_by: Mapped[Optional[str]] = mapped_column(ForeignKey("agencies.id"), nullable=True)
    referral_reason_encrypted: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    # pending → delivered; not_configured when the agency has no system to notify.
    notify_state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    notify_attempts: Mapped[int] = mapped_column(Integer, default=0)
    notify_next_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    notify_last_status: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CaseNote(Base):
    """A private note: only the agency that wrote it ever sees it."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    body_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StatusCheck(Base):
    """One report-status look-up by a conversation, kept to rate-limit guessing."""

    __tablename__ = "status_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)


# ---- Human handoff (issue 5) -------------------------------------------------------------------


class Handoff(Base):
    """One request for a human: queued → active (one counselor) → closed, or cancelled.

    A conversation has at most one open (queued or active) handoff; `Conversation.owner` mirrors
    it. Ordering in a queue: urgent first, then requeued-at-the-front, then longest wait.
    """

    __tablename__ = "handoffs"
    __table_args__ = (Index("ix_handoffs_agency_status", "agency_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued|active|closed|cancelled
    priority: Mapped[int] = mapped_column(Integer, default=1)  # 0 urgent, 1 normal
    front: Mapped[bool] = mapped_column(Boolean, default=False)  # requeued after a lost claim
    reason: Mapped[str] = mapped_column(String(32))  # request_human | emergency | job_check | report
    topic: Mapped[str] = mapped_column(String(64), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    country: Mapped[Optional[str]] = mapped_column(String(2), nullable=True)
    channel: Mapped[str] = mapped_column(String(16), default="")
    # What the bot collected (job-check result, report reference): encrypted JSON.
    context_encrypted: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    counselor_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True, index=True)
    lease_expires_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    escalated_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    # An inter-agency referral: who sent it, their note (encrypted), and whether the user agreed
    # that the earlier conversation travels with it.
    referred_by: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    referral_note_encrypted: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    history_from: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    last_notice_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)


class HandoffMessage(Base):
    """One line of a human conversation: the user's, a counselor's, a system notice or a private note.

    `body_encrypted` is a Fernet token. Notes (`sender == "note"`) are seen only by `agency_id`.
    """

    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    sender: Mapped[str] = mapped_column(String(16))  # user | counselor | system | note
    agency_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    counselor_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    kind: Mapped[str] = mapped_column(String(16), default="text")
    body_encrypted: Mapped[str] = mapped_column(Text)
    # A user message's inbox row: unique, so a message can never be recorded twice.
    inbox_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True, unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
# ---- The counselor console (issue 5) --------------------------------------------------------


class ConsoleUser(Base):
    """A counselor, supervisor or admin of one agency; the password is kept only as an argon2id hash."""

    __tablename__ = "console_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Stored lower-cased, so names are unique whatever the case typed at login.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # counselor | supervisor | admin
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsoleSession(Base):
    """A signed-in browser: only the SHA-256 of its cookie's token is kept, so logout can end it."""

    __tablename__ = "console_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("console_users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Who did what in the console, and when. Never message text, phone numbers or passwords.

    `conversation_id` has no foreign key: the record outlives an erased conversation.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("console_users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    agency_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True, index=True)
    action: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[Dict[str, Any]] = mapped_column(JSON, default=dict)
    # The hash chain (bot/console/audit.py): the previous row's hash and this row's.
    prev_hash: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    row_hash: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)


class Identifier(Base):
    """A phone number, e-mail address or passport/ID number a user typed (bot/identifiers.py).

    Rasa saw only its placeholder; the original is kept here, encrypted, to fill a report's contact
    field. Erased with the conversation.
    """

    __tablename__ = "identifiers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    placeholder: Mapped[str] = mapped_column(String(16))
    value_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
