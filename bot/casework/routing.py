"""Who gets a case: the routing table (country × category × language → agencies) and consent.

Both are pure functions of their inputs so they can be tested table by table; the table itself is
reference data (`reference/routing.yml`, or ROUTING_FILE).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List, Optional, Sequence

import yaml

CATEGORIES = ("trafficking", "labour_exploitation", "sexual_exploitation", "missing_child", "online_abuse")
# Each agency kind is covered by one consent question in the report form.
AGENCY_KINDS = ("child_protection", "police", "ngo")
# The one exception the user is told before giving details: a child at risk or someone in
# immediate danger means the report goes to the authorities, with or without consent.
AUTHORITIES = ("child_protection", "police")
WILDCARD = "*"


@dataclass(frozen=True)
class Rule:
    country: str
    category: str
    language: str
    agencies: tuple[str, ...]

    def matches(self, country: Optional[str], category: str, language: str) -> bool:
        return (
            self.country in (WILDCARD, (country or "").upper())
            and self.category in (WILDCARD, category)
            and self.language in (WILDCARD, language)
        )

    @property
    def specificity(self) -> tuple[int, int, int]:
        # Country matters most, then category, then language.
        return (self.country != WILDCARD, self.category != WILDCARD, self.language != WILDCARD)


@dataclass(frozen=True)
class RoutingTable:
    default_agencies: tuple[str, ...]
    rules: tuple[Rule, ...] = field(default_factory=tuple)
    # Who answers a request for a counselor in the chat (the `handoff:` section; one agency each).
    handoff_default: Optional[str] = None
    handoff_rules: tuple[Rule, ...] = field(default_factory=tuple)
    handoff_fallback: Optional[str] = None

    def handoff_agency(self, country: Optional[str], language: str = "en") -> str:
        """The agency whose counselors get a chat from this country and language."""
        matching = [rule for rule in self.handoff_rules if rule.matches(country, WILDCARD, language)]
        if matching:
            return max(matching, key=lambda rule: rule.specificity).agencies[0]
        return self.handoff_default or self.default_agencies[0]

    def route(self, country: Optional[str], category: str, language: str = "en") -> tuple[str, ...]:
        """The agencies of the most specific matching rule, else the default agencies."""
        matching = [rule for rule in self.rules if rule.matches(country, category, language)]
        if not matching:
            return self.default_agencies
        return max(matching, key=lambda rule: rule.specificity).agencies


def parse_routing(data: Any) -> RoutingTable:
    """Build a table from parsed YAML; raise ValueError naming the first bad rule."""
    if not isinstance(data, dict) or not data.get("default"):
        raise ValueError("the routing table needs a `default` agency (or list of agencies)")
    rules: List[Rule] = []
    for index, raw in enumerate(data.get("rules") or [], start=1):
        category = str(raw.get("category", WILDCARD))
        if category != WILDCARD and category not in CATEGORIES:
            raise ValueError(f"rule {index}: unknown category {category!r}")
        agencies = _as_tuple(raw.get("agencies") or raw.get("agency"))
        if not agencies:
            raise ValueError(f"rule {index}: no agency")
        rules.append(
            Rule(
                country=str(raw.get("country", WILDCARD)).upper(),
                category=category,
                language=str(raw.get("language", WILDCARD)).lower(),
                agencies=agencies,
            )
        )
    handoff = data.get("handoff") or {}
    if not isinstance(handoff, dict):
        raise ValueError("`handoff` must be a mapping with `default`, `fallback` and `rules`")
    handoff_rules: List[Rule] = []
    for index, raw in enumerate(handoff.get("rules") or [], start=1):
        agencies = _as_tuple(raw.get("agency") or raw.get("agencies"))
        if len(agencies) != 1:
            raise ValueError(f"handoff rule {index}: exactly one agency")
        handoff_rules.append(
            Rule(
                country=str(raw.get("country", WILDCARD)).upper(),
                category=WILDCARD,
                language=str(raw.get("language", WILDCARD)).lower(),
                agencies=agencies,
            )
        )
    return RoutingTable(
        default_agencies=_as_tuple(data["default"]),
        rules=tuple(rules),
        handoff_default=str(handoff["default"]) if handoff.get("default") else None,
        handoff_rules=tuple(handoff_rules),
        handoff_fallback=str(handoff["fallback"]) if handoff.get("fallback") else None,
    )


def load_routing(path: str | Path) -> RoutingTable:
    return parse_routing(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class Consent:
    """What the reporter agreed to, and whether the exception applies."""

    child_protection: bool = False
    police: bool = False
    ngo: bool = False
    child_at_risk: bool = False
    danger_now: bool = False

    def allows(self, kind: str) -> bool:
        return bool(getattr(self, kind, False)) if kind in AGENCY_KINDS else False

    @property
    def exception_applies(self) -> bool:
        return self.child_at_risk or self.danger_now


def access_level(consent: Consent, agency_kind: str) -> Optional[str]:
    """How much of a case an agency of this kind may see.

    `full`: the reporter agreed to share with this kind of agency (details, and contact when the
    reporter left one). `safety`: no consent, but a child is at risk or someone is in danger and
    the agency is an authority: it sees what it needs to protect them, never the reporter's
    contact. None: the agency may not receive the case.
    """
    if consent.allows(agency_kind):
        return "full"
    if consent.exception_applies and agency_kind in AUTHORITIES:
        return "safety"
    return None


def allowed_recipients(
    routed: Sequence[str], kinds: dict[str, str], consent: Consent
) -> list[tuple[str, str]]:
    """(agency id, level) for each routed agency that exists and that consent or the exception allows."""
    recipients = []
    for agency_id in routed:
        kind = kinds.get(agency_id)
        level = access_level(consent, kind) if kind else None
        if level:
            recipients.append((agency_id, level))
    return recipients
