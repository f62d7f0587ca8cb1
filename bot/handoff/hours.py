"""Agency opening hours from the directory: is someone on duty now, and if not, from when.

The directory writes hours as "24/7", "Mon-Fri 09:00-17:00", or groups separated by commas or
semicolons ("Mon-Fri 08:00-17:00; Sat 09:00-13:00"), in the agency's time zone. Anything else is
"unknown": the assistant then says nothing about hours rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import List, Optional
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_GROUP = re.compile(
    r"^(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+(?P<open>\d{1,2}:\d{2})\s*-\s*(?P<close>\d{1,2}:\d{2})$"
)


@dataclass(frozen=True)
class Window:
    days: frozenset[int]  # 0 = Monday
    opens: time
    closes: time  # 24:00 is written as 23:59


@dataclass(frozen=True)
class Hours:
    always: bool
    windows: tuple[Window, ...]
    zone: ZoneInfo | timezone

    def on_duty(self, now: datetime) -> bool:
        if self.always:
            return True
        local = now.astimezone(self.zone)
        return any(
            local.weekday() in w.days and w.opens <= local.time().replace(tzinfo=None) < w.closes
            for w in self.windows
        )

    def next_opening(self, now: datetime) -> Optional[datetime]:
        """The next time someone is on duty (now when on duty), in the agency's time zone."""
        local = now.astimezone(self.zone)
        if self.on_duty(now):
            return local
        candidates: List[datetime] = []
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            for w in self.windows:
                if day.weekday() in w.days:
                    start = datetime.combine(day, w.opens, tzinfo=self.zone)
                    if start > local:
                        candidates.append(start)
        return min(candidates) if candidates else None


def _clock(value: str) -> time:
    hour, minute = (int(part) for part in value.split(":"))
    if hour == 24 and minute == 0:
        return time(23, 59, 59)
    return time(hour, minute)


def parse_hours(text: str, zone_name: str = "UTC") -> Optional[Hours]:
    """Hours from the directory's text; None when they cannot be read."""
    try:
        zone: ZoneInfo | timezone = ZoneInfo(zone_name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return None
    cleaned = (text or "").strip().lower()
    if cleaned in ("24/7", "24h", "24 hours", "always"):
        return Hours(always=True, windows=(), zone=zone)
    windows: List[Window] = []
    for group in re.split(r"[;,]", cleaned):
        group = group.strip()
        if not group:
            continue
        match = _GROUP.match(group)
        if not match or match["first"] not in DAYS or (match["last"] and match["last"] not in DAYS):
            return None
        first = DAYS.index(match["first"])
        last = DAYS.index(match["last"]) if match["last"] else first
        wrapped = [*range(first, 7), *range(0, last + 1)]  # "Sat-Mon"
        days = frozenset(range(first, last + 1)) if first <= last else frozenset(wrapped)
        try:
            opens, closes = _clock(match["open"]), _clock(match["close"])
        except ValueError:
            return None
        if closes <= opens:
            return None
        windows.append(Window(days=days, opens=opens, closes=closes))
    if not windows:
        return None
    return Hours(always=False, windows=tuple(windows), zone=zone)


def describe(moment: datetime) -> str:
    """"Monday 09:00 (Africa/Nairobi time)" for a user; the zone name keeps it honest."""
    zone = moment.tzinfo
    name = getattr(zone, "key", None) or "UTC"
    return f"{moment.strftime('%A %H:%M')} ({name} time)"
