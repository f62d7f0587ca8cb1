"""The console's panel for a check-in alert: what the person agreed to share, nothing more."""

from __future__ import annotations

from typing import Any, Dict

from bot.console.pages import h

SIGNALS = {
    "missed": "Two check-in messages went unanswered (a message and a reminder).",
    "help": 'The person tapped "I need help" on a check-in.',
    "code word": "The person sent their code word: they may not be able to speak freely. Write carefully.",
    "emergency": "An emergency from someone who left with check-ins planned.",
}


def checkin_html(context: Dict[str, Any]) -> str:
    rows = [
        ("Destination", context.get("destination")),
        ("City", context.get("city")),
        ("Departure", context.get("departure")),
        ("Check-in", f'{context.get("checkin")} (due {context.get("due")})' if context.get("checkin") else None),
        ("Time zone", context.get("zone")),
        ("Recruiter they checked", context.get("recruiter")),
    ]
    contact = context.get("trusted_contact")
    if isinstance(contact, dict):
        rows.append(("Trusted contact (they agreed)", f'{contact.get("kind")}: {contact.get("value")}'))
    items = "".join(f"<li>{h(label)}: {h(str(value))}</li>" for label, value in rows if value)
    signal = SIGNALS.get(str(context.get("signal")), "")
    return f"<h3>Safe-journey check-in</h3><p><strong>{h(signal)}</strong></p><ul>{items}</ul>"
