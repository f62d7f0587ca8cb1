"""What the user reads after filing a report or checking its status (English)."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from actions.helpline_directory import country_in_sentence, numbers_for

STATUS_WORDS = {
    "received": "Received: it is saved and waiting for an agency to read it.",
    "in_review": "In review: an agency is looking at it.",
    "referred": "Referred: it was passed to another agency that can help.",
    "closed": "Closed: the agency has finished its work on it.",
}


def _agency_line(agency: Dict[str, Any]) -> str:
    checked = "" if agency.get("verified") else ", not yet checked by a partner"
    return f"• {agency['name']} (source: {agency.get('source') or 'unknown'}{checked})"


def _contact_line(contact: Dict[str, Any], shared: bool) -> str:
    method = contact.get("method")
    if method == "phone":
        return ("• You gave a phone number. Only the agencies you agreed to share with can see it."
                if shared else "• You gave a phone number, but no agency will see it.")
    if method == "chat":
        return ("• You chose to be contacted in this chat. An agency can't start a chat with you here, "
                "but you can talk to a counselor now (the button below) and check the status with your code.")
    return "• You chose to stay anonymous, so nobody will contact you about it."


def missing_hotline_lines(country: Optional[str]) -> List[str]:
    """The missing-children hotline for the country (116 000 in Europe), with its source."""
    numbers = numbers_for(country)
    lines = [line for line in (numbers.lines if numbers else []) if line.kind == "missing_children"]
    if lines:
        rendered = [f"• {line.name}: {line.number} (source: {line.source})" for line in lines]
        return [f"Missing-children hotline in {country_in_sentence(country)}:", *rendered]
    if country:
        return [f"I don't have a missing-children hotline for {country_in_sentence(country)}. "
                "The police are the first people to tell."]
    return ["In Europe, 116 000 is the free hotline for missing children (source: Missing Children Europe)."]


def filed_text(payload: Dict[str, Any], stored: Dict[str, Any]) -> str:
    reference = stored["reference"]
    agencies = stored.get("agencies") or []
    missing = payload["kind"] == "missing_child"
    what = "missing-child report" if missing else "report"
    lines = [
        f"✅ Your {what} is saved. Your reference code is {reference}",
        "Keep the code somewhere safe. Send it here at any time to see the status; it never shows what you wrote.",
        "",
        "What happens next:",
    ]
    if agencies:
        lines.append("• It goes to:")
        lines += [_agency_line(agency) for agency in agencies]
        lines.append("• Someone there will read it. I can't promise when.")
    else:
        lines.append("• You said no to sharing, so no agency will see it. It is kept, but nobody will act on it. "
                     "If you change your mind, make a new report and say yes, or call a helpline.")
    lines.append(_contact_line(payload.get("contact") or {}, shared=bool(agencies)))
    if missing:
        lines += ["• If you haven't yet, please tell the local police now. The first hours matter.", ""]
        lines += missing_hotline_lines(payload.get("country"))
    if payload.get("danger_now"):
        lines.append('A report is not an emergency call. If someone is in danger, call the emergency number now, '
                     'or type "help now".')
    return "\n".join(lines)


def not_saved_text(kind: str) -> str:
    what = "missing-child report" if kind == "missing_child" else "report"
    return (
        f"I'm sorry. I couldn't save your {what} just now because of a problem on our side. It is not your fault.\n"
        "What you told me is not lost: I'll keep trying to save it.\n"
        'Send "status" in a few minutes and I\'ll give you your reference code once it is saved.\n'
        'If a child is in danger, please don\'t wait: type "helpline" for numbers, or call the emergency number.'
    )


def status_text(body: Dict[str, Any]) -> str:
    lines = [f"Report {body['reference']}", STATUS_WORDS.get(body.get("status", ""), "Status unknown.")]
    if body.get("public_note"):
        lines.append(f"Note from the agency: {body['public_note']}")
    return "\n".join(lines)
