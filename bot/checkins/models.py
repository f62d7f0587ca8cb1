"""Check-in tables: one plan per conversation and its scheduled check-ins.

The city and the trusted contact are encrypted with the data key set; the code word is kept
only as a salted scrypt hash, so nobody reading the database can learn it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, utcnow


class CheckinPlan(Base):
    """What the person agreed to: where, when, how long to wait for an answer, who else to tell."""

    __tablename__ = "checkin_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), unique=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | paused | finished
    language: Mapped[str] = mapped_column(String(8), default="en")
    departure: Mapped[date] = mapped_column(Date)
    country: Mapped[str] = mapped_column(String(2))  # destination
    origin: Mapped[Optional[str]] = mapped_column(String(2), nullable=True)
    zone: Mapped[str] = mapped_column(String(64))  # the destination's time zone
    city_encrypted: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    window_hours: Mapped[int] = mapped_column(Integer, default=24)
    # Shared with the agency only in a missed-check-in alert, as the person agreed at opt-in.
    recruiter_encrypted: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    contact_encrypted: Mapped[Optional[str]] = mapped_column(Text, nullable=True)  # JSON {kind, value}
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    code_word_hash: Mapped[Optional[str]] = mapped_column(String(160), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # When the last check-in was settled: the plan is deleted a retention period later.
    settled_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)


class Checkin(Base):
    """One scheduled check-in and where it is in its life.

    pending → awaiting (message sent) → reminded → alerted; or ok / help / cancelled.
    `next_at` is when the sweep acts next; `version` guards every move, so of several gateway
    replicas exactly one moves a row (and writes its outbox message in the same transaction).
    """

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("checkin_plans.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(16))  # arrival | day3 | day14 | day30
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    next_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True, index=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    answered_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    handoff_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
