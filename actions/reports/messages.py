"""What the user reads after filing a report or checking its status.

English texts are here; translations are the `reports` section of locales/<lang>/messages.yml.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from actions.helpline_directory import country_in_sentence, numbers_for
from locales.catalogue import localize

STATUS_WORDS = {
    "received": "Received: it is saved and waiting for an agency to read it.",
    "in_review": "In review: an agency is looking at it.",
    "referred": "Referred: it was passed to another agency that can help.",
    "closed": "Closed: the agency has finished its work on it.",
}
STATUS_UNKNOWN = "Status unknown."
STATUS_HEADER = "Report {reference}"
AGENCY_NOTE = "Note from the agency: {note}"
AGENCY_LINE = "• {name} (source: {source}{checked})"
NOT_CHECKED = ", not yet checked by a partner"
SOURCE_UNKNOWN = "unknown"
PHONE_SHARED = "• You gave a phone number. Only the agencies you agreed to share with can see it."
PHONE_NOT_SHARED = "• You gave a phone number, but no agency will see it."
CONTACT_CHAT = (
    "• You chose to be contacted in this chat. An agency can't start a chat with you here, "
    "but you can talk to a counselor now (the button below) and check the status with your code."
)
CONTACT_NONE = "• You chose to stay anonymous, so nobody will contact you about it."
MISSING_HOTLINE = "Missing-children hotline in {country}:"
MISSING_HOTLINE_LINE = "• {name}: {number} (source: {source})"
NO_MISSING_HOTLINE = "I don't have a missing-children hotline for {country}. The police are the first people to tell."
MISSING_HOTLINE_EUROPE = (
    "In Europe, 116 000 is the free hotline for missing children (source: Missing Children Europe)."
)
TALK_TO_COUNSELOR = "Talk to a counselor now"
WHAT_REPORT = "report"
WHAT_MISSING = "missing-child report"
FILED = "✅ Your {what} is saved. Your reference code is {reference}"
KEEP_CODE = "Keep the code somewhere safe. Send it here at any time to see the status; it never shows what you wrote."
NEXT = "What happens next:"
GOES_TO = "• It goes to:"
SOMEONE_READS = "• Someone there will read it. I can't promise when."
NOBODY_READS = (
    "• You said no to sharing, so no agency will see it. It is kept, but nobody will act on it. "
    "If you change your mind, make a new report and say yes, or call a helpline."
)
TELL_POLICE = "• If you haven't yet, please tell the local police now. The first hours matter."
NOT_AN_EMERGENCY_CALL = (
    'A report is not an emergency call. If someone is in danger, call the emergency number now, or type "help now".'
)
NOT_SAVED = (
    "I'm sorry. I couldn't save your {what} just now because of a problem on our side. It is not your fault.\n"
    "What you told me is not lost: I'll keep trying to save it.\n"
    'Send "status" in a few minutes and I\'ll give you your reference code once it is saved.\n'
    'If a child is in danger, please don\'t wait: type "helpline" for numbers, or call the emergency number.'
)


def say(text_name: str, language: Optional[str] = None, **values: Any) -> Any:
    return localize("reports", text_name, globals()[text_name], language, **values)


def _agency_line(agency: Dict[str, Any], language: Optional[str]) -> str:
    checked = "" if agency.get("verified") else say("NOT_CHECKED", language)
    source = agency.get("source") or say("SOURCE_UNKNOWN", language)
    return str(say("AGENCY_LINE", language, name=agency["name"], source=source, checked=checked))


def _contact_line(contact: Dict[str, Any], shared: bool, language: Optional[str]) -> str:
    method = contact.get("method")
    if method == "phone":
        return str(say("PHONE_SHARED" if shared else "PHONE_NOT_SHARED", language))
    if method == "chat":
        return str(say("CONTACT_CHAT", language))
    return str(say("CONTACT_NONE", language))


def missing_hotline_lines(country: Optional[str], language: Optional[str] = None) -> List[str]:
    """The missing-children hotline for the country (116 000 in Europe), with its source."""
    numbers = numbers_for(country)
    lines = [line for line in (numbers.lines if numbers else []) if line.kind == "missing_children"]
    name = country_in_sentence(country, language)
    if lines:
        rendered = [
            str(say("MISSING_HOTLINE_LINE", language, name=line.name, number=line.number, source=line.source))
            for line in lines
        ]
        return [str(say("MISSING_HOTLINE", language, country=name)), *rendered]
    if country:
        return [str(say("NO_MISSING_HOTLINE", language, country=name))]
    return [str(say("MISSING_HOTLINE_EUROPE", language))]


def filed_text(payload: Dict[str, Any], stored: Dict[str, Any], language: Optional[str] = None) -> str:
    reference = stored["reference"]
    agencies = stored.get("agencies") or []
    missing = payload["kind"] == "missing_child"
    what = say("WHAT_MISSING" if missing else "WHAT_REPORT", language)
    lines = [say("FILED", language, what=what, reference=reference), say("KEEP_CODE", language), ""]
    lines.append(say("NEXT", language))
    if agencies:
        lines.append(say("GOES_TO", language))
        lines += [_agency_line(agency, language) for agency in agencies]
        lines.append(say("SOMEONE_READS", language))
    else:
        lines.append(say("NOBODY_READS", language))
    lines.append(_contact_line(payload.get("contact") or {}, bool(agencies), language))
    if missing:
        lines += [say("TELL_POLICE", language), ""]
        lines += missing_hotline_lines(payload.get("country"), language)
    if payload.get("danger_now"):
        lines.append(say("NOT_AN_EMERGENCY_CALL", language))
    return "\n".join(str(line) for line in lines)


def counselor_button(language: Optional[str] = None) -> Dict[str, str]:
    return {"title": str(say("TALK_TO_COUNSELOR", language)), "payload": "/request_human"}


def not_saved_text(kind: str, language: Optional[str] = None) -> str:
    what = say("WHAT_MISSING" if kind == "missing_child" else "WHAT_REPORT", language)
    return str(say("NOT_SAVED", language, what=what))


def status_text(body: Dict[str, Any], language: Optional[str] = None) -> str:
    words = say("STATUS_WORDS", language)
    lines = [
        str(say("STATUS_HEADER", language, reference=body["reference"])),
        str(words.get(body.get("status", ""), say("STATUS_UNKNOWN", language))),
    ]
    if body.get("public_note"):
        lines.append(str(say("AGENCY_NOTE", language, note=body["public_note"])))
    return "\n".join(lines)
