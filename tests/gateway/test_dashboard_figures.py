"""The dashboard's pure parts: suppression, wait percentiles, safe CSV, the range, the tracker URL, charts."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from bot.console.dashboard import date_range
from bot.console.dashboard_charts import bar_chart, line_chart
from bot.console.dashboard_figures import (
    counts_table,
    day_table,
    percentile,
    safe_cell,
    shown,
    summarise_waits,
    table_csv,
    to_csv,
)
from bot.console.dashboard_tracker import FAQ_KEY, json_field, read_only_url


@pytest.mark.parametrize("count, text", [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (123, "123")])
def test_counts_from_one_to_four_show_as_under_five(count: int, text: str) -> None:
    assert shown(count) == text


def test_a_suppressed_row_is_not_charted_and_not_in_the_total() -> None:
    counts = {"resolved": 6, "user_left": 2, "other": 0, "x": 5, "no_response": 1}
    table = counts_table("outcomes", "Outcomes", "Outcome", counts)
    assert [(row.key, row.display) for row in table.rows] == [
        ("resolved", "6"), ("x", "5"), ("user_left", "<5"), ("no_response", "<5")]
    assert [row.key for row in table.charted] == ["resolved", "x"]
    assert table.total_shown == 11
    svg = bar_chart(table)
    assert svg.count('class="bar"') == 2 and 'data-key="user_left"' not in svg and ">6</text>" in svg
    exported = list(csv.reader(io.StringIO(table_csv(table))))
    assert exported == [["Outcome", "count"], ["resolved", "6"], ["x", "5"], ["user_left", "<5"],
                        ["no_response", "<5"], ["Total shown (counts under 5 and hidden ones left out)", "11"]]
    assert not {"1", "2", "14"} & {cell for row in exported for cell in row}


def test_one_small_count_alone_also_hides_the_smallest_other_one() -> None:
    # Otherwise a table of the same people with nothing to suppress (12 + 5 = 17 people) would
    # give the 3 away: 17 - 14.
    table = counts_table("per_x", "X", "X", {"a": 8, "b": 6, "c": 3})
    assert [(row.key, row.display) for row in table.rows] == [("a", "8"), ("b", "hidden"), ("c", "<5")]
    assert [row.key for row in table.charted] == ["a"] and table.total_shown == 8
    assert "6" not in table_csv(table)
    flags = counts_table("flags", "Flags", "Flag", {"a": 8, "b": 6, "c": 3}, total=False)
    assert [row.display for row in flags.rows] == ["8", "6", "<5"]  # overlapping counts: not a partition


def test_a_per_day_series_has_every_day_and_gaps_for_suppressed_days() -> None:
    days = ["2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05"]
    table = day_table("per_day", "Per day", days, {"2026-10-01": 7, "2026-10-02": 3, "2026-10-04": 9, "2026-10-05": 2})
    assert [row.display for row in table.rows] == ["7", "<5", "0", "9", "<5"]
    svg = line_chart(table)
    assert [c for c in ("7", "9", "0") if f'data-count="{c}"' in svg] == ["7", "9", "0"]
    assert 'data-count="3"' not in svg and svg.count("<polyline") == 1  # the gap splits the line


def test_waits_give_median_and_90th_percentile_only_from_five_or_more() -> None:
    assert summarise_waits([60, 120, 180, 240]).median_minutes is None
    summary = summarise_waits([60.0 * minutes for minutes in range(1, 15)])
    assert (summary.claimed, summary.median_minutes, summary.p90_minutes) == (14, 7.5, 12.7)
    assert percentile([5, 1, 3], 0.5) == 3


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_cells_that_a_spreadsheet_would_run_get_a_leading_quote(cell: str) -> None:
    assert safe_cell(cell) == "'" + cell
    (row,) = list(csv.reader(io.StringIO(to_csv([[cell, 'say "hi", then go']]))))
    assert row == ["'" + cell, 'say "hi", then go']


def test_plain_cells_and_under_five_are_left_alone() -> None:
    assert safe_cell("<5") == "<5" and safe_cell("Kenya") == "Kenya" and safe_cell("") == ""
    assert to_csv([["a", "b,c"]]) == '"a","b,c"\r\n'


def test_a_label_that_looks_like_a_formula_is_defused_in_the_export() -> None:
    table = counts_table("x", "X", "Intent", {"=cmd|' /C calc'!A0": 9})
    assert "\"'=cmd|' /C calc'!A0\"" in table_csv(table)


def test_the_range_defaults_to_the_last_30_days_and_is_checked() -> None:
    today = date(2026, 11, 30)
    assert date_range({}, today) == (date(2026, 11, 1), today)
    assert date_range({"from": "2026-10-01", "to": "2026-10-30"}, today) == (date(2026, 10, 1), date(2026, 10, 30))
    for bad in ({"from": "2026-13-01"}, {"from": "yesterday"}, {"from": "2026-11-20", "to": "2026-11-01"},
                {"from": "2024-01-01", "to": "2026-01-01"}, {"to": "2026-02-30"}):
        with pytest.raises(web.HTTPBadRequest):
            date_range(bad, today)


def test_the_tracker_url_becomes_read_only() -> None:
    assert read_only_url("sqlite:////var/rasa/tracker.db") == (
        "sqlite+aiosqlite:///file:/var/rasa/tracker.db?mode=ro&uri=true", {})
    assert read_only_url("sqlite://") is None
    url, args = read_only_url("postgresql://rasa:pw@db:5432/rasa") or ("", {})
    assert url == "postgresql+asyncpg://rasa:pw@db:5432/rasa"
    assert args == {"server_settings": {"default_transaction_read_only": "on"}}
    assert read_only_url("mysql://x@y/z") is None and read_only_url("not a url") is None


def test_json_fields_are_picked_out_by_the_database_on_both_dialects() -> None:
    def sql(dialect: Any) -> str:
        return str(select(json_field(dialect.name, FAQ_KEY)).compile(
            dialect=dialect, compile_kwargs={"literal_binds": True}))

    assert "json_extract(events.data, '$.parse_data.response_selector.faq.response.intent_response_key')" in sql(
        sqlite.dialect())
    assert ("jsonb_extract_path_text(CAST(events.data AS JSONB), 'parse_data', 'response_selector', 'faq', "
            "'response', 'intent_response_key')") in sql(postgresql.dialect())
