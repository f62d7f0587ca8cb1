"""Chat text for emergency and helpline numbers, built from the helpline directory."""

from __future__ import annotations

from typing import List, Optional

from actions.helpline_directory import Line, country_in_sentence, fallback_lines, numbers_for

UNVERIFIED = "(From public lists, not yet checked by a local partner. If a number does not work, try another.)"
URGENT_KINDS = ("trafficking_hotline", "child_helpline")


def _with_caveat(lines: List[str], sources: List[Line]) -> str:
    if any(not line.verified for line in sources):
        lines.append(UNVERIFIED)
    return "\n".join(lines)


def emergency_text(country: Optional[str]) -> str:
    """The first thing a person in danger reads: who to call, right now."""
    numbers = numbers_for(country)
    if numbers and numbers.emergency:
        name = country_in_sentence(country)
        calls = " or ".join(numbers.emergency)
        urgent = [line for line in numbers.lines if line.kind in URGENT_KINDS][:2]
        lines = [f"🚨 Call {calls} now. That is the emergency number in {name}."]
        lines += [line.render() for line in urgent]
        return _with_caveat(lines, urgent)
    emergency = [line for line in fallback_lines() if line.kind == "emergency"]
    lines = ["🚨 Call your local emergency number now:"]
    lines += [f"• {line.number}: {line.note}" if line.note else f"• {line.number}" for line in emergency]
    return _with_caveat(lines, emergency)


def helpline_text(country: Optional[str]) -> str:
    """Helplines for a country, or the international fallbacks when the table has none."""
    numbers = numbers_for(country)
    name = country_in_sentence(country)
    if numbers and (numbers.lines or numbers.emergency):
        lines = [f"Numbers for {name}:"]
        lines += [line.render() for line in numbers.lines]
        if numbers.emergency:
            lines.append(f"• Emergency: {' or '.join(numbers.emergency)}")
        return _with_caveat(lines, numbers.lines)
    fallback = fallback_lines()
    intro = (
        f"I don't have numbers for {name} yet. These work in many countries:"
        if country
        else "These numbers work in many countries:"
    )
    lines = [intro] + [line.render() + (f" ({line.note})" if line.note else "") for line in fallback]
    return _with_caveat(lines, fallback)
