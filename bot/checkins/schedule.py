"""When check-ins go out: destination local time, daytime only. Pure functions.

A country's time zone comes from the tz database's zone.tab (shipped by `tzdata`, else the
system's). Countries with several zones use the zone of their largest city (PRINCIPAL); the
daytime window is wide enough that an hour or two off does not wake anyone.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta, timezone
from importlib import resources
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple
from zoneinfo import ZoneInfo

from bot.checkins import texts

# Check-in offsets from the departure day, and the local hour each goes out.
DEFAULT_SCHEDULE: Tuple[Tuple[str, int, int], ...] = (
    ("arrival", 0, 18),  # the evening of the travel day
    ("day3", 3, 10),
    ("day14", 14, 10),
    ("day30", 30, 10),
)
FEWER_SCHEDULE = ("arrival", "day14")
DAY_STARTS, DAY_ENDS = time(8, 0), time(21, 0)  # no message to a person outside these local hours
PRINCIPAL = {
    "US": "America/New_York", "RU": "Europe/Moscow", "BR": "America/Sao_Paulo", "AU": "Australia/Sydney",
    "CA": "America/Toronto", "MX": "America/Mexico_City", "ID": "Asia/Jakarta", "KZ": "Asia/Almaty",
    "CN": "Asia/Shanghai", "AR": "America/Argentina/Buenos_Aires", "CD": "Africa/Kinshasa",
    "ES": "Europe/Madrid", "PT": "Europe/Lisbon", "MY": "Asia/Kuala_Lumpur", "UA": "Europe/Kyiv",
    "DE": "Europe/Berlin", "NZ": "Pacific/Auckland", "CL": "America/Santiago", "EC": "America/Guayaquil",
}


def _zone_tab() -> str:
    try:
        return (resources.files("tzdata") / "zoneinfo" / "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        return Path("/usr/share/zoneinfo/zone.tab").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _zones() -> Dict[str, str]:
    """Country code → its first zone in zone.tab (then PRINCIPAL overrides)."""
    found: Dict[str, str] = {}
    for line in _zone_tab().splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= 3:
            found.setdefault(parts[0].upper(), parts[2])
    found.update(PRINCIPAL)
    return found


def zone_for(country: Optional[str]) -> str:
    """The time zone name for a country code; UTC when unknown."""
    return _zones().get((country or "").upper(), "UTC")


def daytime(moment: datetime, zone: str) -> datetime:
    """`moment`, or the next local morning when it falls in the night (as UTC)."""
    local = moment.astimezone(ZoneInfo(zone))
    if local.time() < DAY_STARTS:
        local = local.replace(hour=DAY_STARTS.hour, minute=0, second=0, microsecond=0)
    elif local.time() >= DAY_ENDS:
        local = (local + timedelta(days=1)).replace(hour=DAY_STARTS.hour, minute=0, second=0, microsecond=0)
    return local.astimezone(timezone.utc)


def plan_times(
    departure: date, zone: str, labels: Sequence[str], now: datetime
) -> List[Tuple[str, datetime]]:
    """(label, due time in UTC) for the chosen check-ins; ones already past are left out."""
    tz = ZoneInfo(zone)
    result = []
    for label, days, hour in DEFAULT_SCHEDULE:
        if label not in labels:
            continue
        local = datetime.combine(departure + timedelta(days=days), time(hour, 0), tzinfo=tz)
        due = local.astimezone(timezone.utc)
        if due > now:
            result.append((label, due))
    return result


def local_text(moment: datetime, zone: str, language: Optional[str] = None) -> str:
    """"Friday 5 December, 18:00" in the destination's time, in `language`."""
    local = moment.astimezone(ZoneInfo(zone))
    return texts.say("DATE_TIME", language, weekday=texts.named("WEEKDAYS", local.weekday(), language),
                     day=local.day, month=texts.named("MONTHS", local.month, language), time=f"{local:%H:%M}")
