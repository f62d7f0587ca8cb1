"""The dashboard's figures as tables: small counts suppressed, waits summarised, CSV made safe.

Pure functions, no I/O: the queries (dashboard_queries, dashboard_tracker) hand over plain
counts, and everything a person sees or downloads passes through `Table`.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from typing import Iterable, List, Mapping, Optional, Sequence, Tuple

# Counts from 1 to SMALLEST - 1 are shown as "<5", left out of charts and of every total.
SMALLEST = 5
SUPPRESSED = "<5"
# A count of 5 or more hidden so that the one count under 5 beside it cannot be worked out.
HIDDEN = "hidden"
# A spreadsheet runs a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_suppressed(count: int) -> bool:
    return 0 < count < SMALLEST


def shown(count: int) -> str:
    """A count as a person may see it: "<5" for 1 to 4."""
    return SUPPRESSED if is_suppressed(count) else str(count)


@dataclass(frozen=True)
class Row:
    key: str  # the value grouped by (an outcome, a country code, a day), as stored
    label: str  # how the page names it
    count: int
    hidden: bool = False  # complementary suppression (see `protect`)

    @property
    def suppressed(self) -> bool:
        return self.hidden or is_suppressed(self.count)

    @property
    def display(self) -> str:
        return HIDDEN if self.hidden else shown(self.count)


def protect(rows: List[Row]) -> List[Row]:
    """Complementary suppression: a partition with exactly one count under 5 also hides its smallest
    count of 5 or more. Otherwise another table of the same people that has nothing to suppress
    (so its rows add up to everyone) would give the one small count away by subtraction."""
    small = [row for row in rows if is_suppressed(row.count)]
    large = [row for row in rows if row.count >= SMALLEST]
    if len(small) != 1 or not large:
        return rows
    partner = min(large, key=lambda row: (row.count, row.label))
    return [Row(row.key, row.label, row.count, hidden=True) if row is partner else row for row in rows]


@dataclass
class Table:
    """One figure of the dashboard: rows of counts, shown as a chart, a table and a CSV file."""

    name: str  # the CSV file's name and the section's id: "outcomes"
    title: str
    column: str  # what a row is: "Outcome"
    rows: List[Row] = field(default_factory=list)
    note: str = ""
    chart: str = "bars"  # bars | line (a per-day series)
    total: bool = True  # whether a "total shown" makes sense (flags of one check overlap: no)

    @property
    def charted(self) -> List[Row]:
        """The rows a chart may draw: never a suppressed one."""
        return [row for row in self.rows if not row.suppressed]

    @property
    def total_shown(self) -> int:
        """The sum of the counts shown: suppressed rows are left out, so they cannot be worked out."""
        return sum(row.count for row in self.charted)

    @property
    def any_suppressed(self) -> bool:
        return any(row.suppressed for row in self.rows)

    def csv_rows(self) -> List[List[str]]:
        rows = [[self.column, "count"]]
        rows += [[row.label, row.display] for row in self.rows]
        if self.total and self.rows:
            rows.append(["Total shown (counts under 5 and hidden ones left out)", str(self.total_shown)])
        return rows


def counts_table(
    name: str, title: str, column: str, counts: Mapping[str, int],
    labels: Optional[Mapping[str, str]] = None, *, note: str = "", total: bool = True, limit: Optional[int] = None,
) -> Table:
    """A table from {key: count}, largest first (then by label); zero counts are dropped."""
    labels = labels or {}
    rows = [Row(key, labels.get(key, key), count) for key, count in counts.items() if count > 0]
    rows.sort(key=lambda row: (-row.count, row.label))
    if limit is not None:
        rows = rows[:limit]
    return Table(name, title, column, protect(rows) if total else rows, note=note, total=total)


def day_table(name: str, title: str, days: Sequence[str], counts: Mapping[str, int], *, note: str = "") -> Table:
    """A per-day series: every day of the range, in order, days without any as 0."""
    rows = [Row(day, day, int(counts.get(day, 0))) for day in days]
    return Table(name, title, "Day", protect(rows), note=note, chart="line")


@dataclass(frozen=True)
class WaitSummary:
    claimed: int  # how many waits the figures come from
    median_minutes: Optional[float]  # None when fewer than SMALLEST waits
    p90_minutes: Optional[float]


def percentile(values: Sequence[float], fraction: float) -> float:
    """The `fraction` percentile by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise_waits(seconds: Iterable[float]) -> WaitSummary:
    """Median and 90th percentile in minutes; none of them from fewer than five waits."""
    values = [max(0.0, s) for s in seconds]
    if len(values) < SMALLEST:
        return WaitSummary(len(values), None, None)
    return WaitSummary(len(values), round(percentile(values, 0.5) / 60, 1), round(percentile(values, 0.9) / 60, 1))


def safe_cell(value: str) -> str:
    """A cell a spreadsheet shows as text: one starting like a formula gets a leading quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def to_csv(rows: Iterable[Sequence[str]]) -> str:
    """CSV with every field quoted and formula-like cells defused."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(str(cell)) for cell in row])
    return out.getvalue()


def table_csv(table: Table, heading: Tuple[str, ...] = ()) -> str:
    """A table's CSV, after optional heading lines (what the figures cover)."""
    lines: List[Sequence[str]] = [[line] for line in heading]
    return to_csv([*lines, *table.csv_rows()])
