"""Deltas on tiles, the freshness levels, and the URL form of the filters."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from watchfloor.compare import (
    NO_CHANGE,
    Change,
    describe_count_change,
    describe_relative_change,
    describe_share_change,
)
from watchfloor.filters import Filters, parse_query_params
from watchfloor.formatting import format_lag
from watchfloor.freshness import assess


def test_count_changes():
    assert describe_count_change(Change(120, 100)) == "+20 (+20%)"
    assert describe_count_change(Change(80, 100)) == "-20 (-20%)"
    assert describe_count_change(Change(5, 0)) == "+5"  # no percentage against zero
    assert describe_count_change(Change(7, 7)) == NO_CHANGE
    assert describe_count_change(Change(None, 7)) is None


def test_share_changes_are_in_percentage_points():
    assert describe_share_change(Change(0.95, 0.90)) == "+5.0 pp"
    assert describe_share_change(Change(0.9001, 0.9)) == NO_CHANGE
    assert describe_share_change(Change(None, 0.9)) is None


def test_relative_changes():
    assert describe_relative_change(Change(271, 230)) == "+18%"
    assert describe_relative_change(Change(1, 0)) == "new"
    assert describe_relative_change(Change(0, 0)) == "–"


@pytest.mark.parametrize(
    "lag_minutes,level", [(0, "green"), (14.9, "green"), (15, "amber"), (59, "amber"), (60, "red"), (600, "red")]
)
def test_freshness_levels(lag_minutes, level):
    now = datetime(2026, 11, 18, 12, 0)
    newest = datetime.fromtimestamp(now.timestamp() - lag_minutes * 60)
    assert assess(newest, now, 15, 60).level == level


def test_no_events_is_red():
    assert assess(None, datetime(2026, 1, 1), 15, 60).level == "red"


def test_lag_wording():
    assert format_lag(0.5) == "less than a minute"
    assert format_lag(50) == "50 min"
    assert format_lag(180) == "3.0 h"
    assert format_lag(60 * 24 * 3) == "3.0 days"


KNOWN = {"region": ["AMER", "EMEA", "APAC"], "vertical": ["Child safety"], "priority": ["P0", "P1"], "vendor": ["v1"]}
TODAY = date(2026, 11, 22)


def test_filters_round_trip_through_the_url():
    filters = Filters(date(2026, 11, 1), date(2026, 11, 7), regions=("EMEA", "APAC"), priorities=("P0",))
    params = filters.to_query_params()
    assert params == {"from": ["2026-11-01"], "to": ["2026-11-07"], "region": ["EMEA", "APAC"], "priority": ["P0"]}
    parsed = parse_query_params(params, KNOWN, TODAY)
    assert parsed.filters == filters and parsed.dropped == []


def test_unknown_and_malformed_values_are_dropped_and_named():
    parsed = parse_query_params(
        {"region": ["EMEA", "MARS", "EMEA"], "from": ["yesterday"], "priority": ["'; DROP TABLE cases; --"]}, KNOWN, TODAY
    )
    assert parsed.filters.regions == ("EMEA",)
    assert parsed.filters.priorities == ()
    assert parsed.filters.start == date(2026, 11, 16)  # the default week
    assert parsed.dropped == ["from=yesterday", "region=MARS", "priority='; DROP TABLE cases; --"]


def test_reversed_range_falls_back_to_the_default():
    parsed = parse_query_params({"from": ["2026-11-10"], "to": ["2026-11-01"]}, KNOWN, TODAY)
    assert (parsed.filters.start, parsed.filters.end) == (date(2026, 11, 16), TODAY)
    assert len(parsed.dropped) == 1


def test_period_params_are_half_open():
    filters = Filters(date(2026, 11, 1), date(2026, 11, 7))
    assert filters.period_params() == {"period_start": datetime(2026, 11, 1), "period_end": datetime(2026, 11, 8)}
