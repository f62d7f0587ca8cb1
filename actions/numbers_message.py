"""Chat text for emergency and helpline numbers, built from the helpline directory.

English texts are here; translations are the `numbers` section of locales/<lang>/messages.yml.
The names and notes of helplines come from reference/helplines.yml as they are.
"""

from __future__ import annotations

from typing import Any, List, Optional

from actions.helpline_directory import Line, country_in_sentence, fallback_lines, numbers_for
from locales.catalogue import localize

UNVERIFIED = "(From public lists, not yet checked by a local partner. If a number does not work, try another.)"
CALL_NOW = "🚨 Call {calls} now. That is the emergency number in {country}."
CALL_LOCAL = "🚨 Call your local emergency number now:"
OR = " or "
NUMBERS_FOR = "Numbers for {country}:"
EMERGENCY_LINE = "• Emergency: {numbers}"
NO_NUMBERS_FOR = "I don't have numbers for {country} yet. These work in many countries:"
NUMBERS_ANYWHERE = "These numbers work in many countries:"
TEXT_SMS = "text"
URGENT_KINDS = ("trafficking_hotline", "child_helpline")


def say(name: str, language: Optional[str], **values: Any) -> str:
    return str(localize("numbers", name, globals()[name], language, **values))


def render(line: Line, language: Optional[str]) -> str:
    sms = f" ({say('TEXT_SMS', language)} {line.text})" if line.text else ""
    return f"• {line.name}: {line.number}{sms}"


def _with_caveat(lines: List[str], sources: List[Line], language: Optional[str]) -> str:
    if any(not line.verified for line in sources):
        lines.append(say("UNVERIFIED", language))
    return "\n".join(lines)


def emergency_text(country: Optional[str], language: Optional[str] = None) -> str:
    """The first thing a person in danger reads: who to call, right now."""
    numbers = numbers_for(country)
    if numbers and numbers.emergency:
        name = country_in_sentence(country, language)
        calls = say("OR", language).join(numbers.emergency)
        urgent = [line for line in numbers.lines if line.kind in URGENT_KINDS][:2]
        lines = [say("CALL_NOW", language, calls=calls, country=name)]
        lines += [render(line, language) for line in urgent]
        return _with_caveat(lines, urgent, language)
    emergency = [line for line in fallback_lines() if line.kind == "emergency"]
    lines = [say("CALL_LOCAL", language)]
    lines += [f"• {line.number}: {line.note}" if line.note else f"• {line.number}" for line in emergency]
    return _with_caveat(lines, emergency, language)


def helpline_text(country: Optional[str], language: Optional[str] = None) -> str:
    """Helplines for a country, or the international fallbacks when the table has none."""
    numbers = numbers_for(country)
    name = country_in_sentence(country, language)
    if numbers and (numbers.lines or numbers.emergency):
        lines = [say("NUMBERS_FOR", language, country=name)]
        lines += [render(line, language) for line in numbers.lines]
        if numbers.emergency:
            lines.append(say("EMERGENCY_LINE", language, numbers=say("OR", language).join(numbers.emergency)))
        return _with_caveat(lines, numbers.lines, language)
    fallback = fallback_lines()
    intro = say("NO_NUMBERS_FOR", language, country=name) if country else say("NUMBERS_ANYWHERE", language)
    lines = [intro] + [render(line, language) + (f" ({line.note})" if line.note else "") for line in fallback]
    return _with_caveat(lines, fallback, language)
