"""Prometheus metrics of the gateway, served at `GET /metrics` (bot/metrics_endpoint.py).

Labels are channels, outcomes and agency ids only: never a conversation id, a user or text.
Counters and histograms are updated where the work happens; the depths and waits that live in the
database are read when the page is scraped.
"""

from __future__ import annotations

from datetime import datetime, timezone

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_IN = Counter("safepassage_messages_in_total", "Inbound messages recorded (duplicates excluded)", ["channel"])
DUPLICATES_IN = Counter("safepassage_messages_duplicate_total", "Inbound webhook deliveries dropped as duplicates",
                        ["channel"])
MESSAGES_OUT = Counter("safepassage_messages_out_total", "Outbound messages put in the outbox", ["channel"])
OUTBOX_FAILURES = Counter("safepassage_outbox_send_failures_total",
                          "Send attempts that failed (final: dead letter, retry: tried again)", ["channel", "final"])
TURN_SECONDS = Histogram(
    "safepassage_turn_seconds", "From a message's receipt to its replies in the outbox", ["channel"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 12, 20, 30, 60, 120),
)
RASA_ERRORS = Counter("safepassage_rasa_errors_total", "Requests to Rasa that failed (down, error, timeout)",
                      ["call"])
HOLDING_SENT = Counter("safepassage_holding_messages_total", "Holding messages sent (Rasa slow or down)", ["channel"])
OUTBOX_DEPTH = Gauge("safepassage_outbox_pending", "Outbox messages not yet sent", ["channel"])
INBOX_DEPTH = Gauge("safepassage_inbox_pending", "Inbound messages acknowledged but not yet answered", ["channel"])
QUEUE_LENGTH = Gauge("safepassage_handoff_queue_length", "Handoffs waiting for a counselor", ["agency"])
QUEUE_WAIT = Gauge("safepassage_handoff_oldest_wait_seconds", "How long the oldest queued handoff has waited",
                   ["agency"])


def observe_turn(channel: str, received_at: datetime) -> None:
    """A turn is over: how long since its message arrived (SQLite gives naive UTC datetimes)."""
    received = received_at if received_at.tzinfo else received_at.replace(tzinfo=timezone.utc)
    TURN_SECONDS.labels(channel).observe((datetime.now(timezone.utc) - received).total_seconds())
