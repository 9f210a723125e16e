"""The Trends page, Home and the Executive summary (AppTest) showing a spike confined to one surface
in one region, on the watched series' warehouse (tests/warehouses/watched_spikes.py; its one alert,
'Impersonation · Image gen · APAC', 105 cases against 30 expected, is worked out in
tests/unit/test_watched_spikes.py).
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from tests.app.conftest import app_for, errors, shown, signed_in_user
from tests.warehouses.watched_spikes import RANGE, WITHOUT_APAC
from watchfloor import auth
from watchfloor.config import load_settings
from watchfloor.filters import Filters


def run_page(page: str, role: str, filters: Filters | None = None):
    at = app_for(page, role=role)
    if filters is not None:
        at.session_state["filters"] = filters
    return at.run()


def spike_table(at) -> pl.DataFrame:
    return next(df.value for df in at.dataframe if "Spike in" in df.value.columns)


def test_trends_page_shows_the_narrow_spike(watched_env):
    at = run_page("app_pages/trends.py", "analyst", RANGE)
    assert not at.exception, [e.value for e in at.exception]
    assert not errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Spikes in period"] == "1"
    assert metrics["Top spike"] == "3.5×"  # 105 / 30
    table = spike_table(at)
    assert list(table["Spike in"]) == ["Impersonation · Image gen · APAC"]
    assert list(table["Cases"]) == [105]
    assert list(table["Severity"]) == ["High"] and list(table["State"]) == ["Recent"]
    assert "1 spike," in " ".join(c.value for c in at.caption)


def test_trends_page_without_the_region(watched_env):
    at = run_page("app_pages/trends.py", "analyst", WITHOUT_APAC)
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric}["Spikes in period"] == "0"
    assert "No spike in this period" in " ".join(i.value for i in at.info)


def test_trends_page_by_region_lists_both_kinds(watched_env):
    """By region, the region series' own spike (APAC: 45 against 20, found with the defaults, see
    test_watched_spikes) is listed beside the watched alert; both carry 3 x 25 = 75 excess cases.
    APAC's: 135 cases over its three hours; the alert's: 105."""
    at = app_for("app_pages/trends.py", role="analyst")
    at.session_state["filters"] = RANGE
    at.session_state["trends_dimension"] = "region"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = spike_table(at)
    assert sorted(zip(table["Spike in"], table["Cases"])) == [
        ("Impersonation · Image gen · APAC", 105), ("Region: APAC", 135)]
    assert {m.label: m.value for m in at.metric}["Spikes in period"] == "2"


def test_home_shows_the_narrow_spike_with_its_scope(watched_env):
    at = run_page("app_pages/home.py", "ops_lead")
    assert not at.exception, [e.value for e in at.exception]
    # Two lines a spike (a table scrolled sideways at 800 px), with the spike record's figures
    # written as every page writes them (tests/unit/test_spike_record.py).
    rising = [shown(m.value) for m in at.markdown if "Impersonation" in m.value]
    assert rising == ["**Impersonation · Image gen · APAC** · High · **3.5×** expected · **75** extra cases  \n"
                      ":gray[11-18 06:00 – 11-18 09:00 (UTC) · last 24 h 315 vs 240]"]
    assert not [df for df in at.dataframe if "Spike in" in df.value.columns]
    at = app_for("app_pages/home.py", role="ops_lead")
    at.session_state["filter_regions"] = ["AMER", "EMEA"]
    at.run()
    assert not at.exception
    assert "No category spiked in the last 24 hours" in " ".join(i.value for i in at.info)


def zoned(username: str, role: str, zone: str):
    """An AppTest user whose display time zone is `zone` (kept in the users file)."""
    signed_in_user(username, role)
    auth.set_time_zone(load_settings().users_file, username, zone)


def test_executive_lists_its_top_spike_in_two_readable_lines(watched_env):
    """The Executive summary's Top spikes: each spike in two lines (its narrow column cut a table's
    "From – to" at 1440 px), the record's figures as every page writes them, times in the reader's
    zone with the zone named. Berlin is UTC+1 on 18 November: 06:00-09:00 UTC reads 07:00-10:00."""
    at = app_for("app_pages/executive.py", role="executive").run()
    assert not at.exception, [e.value for e in at.exception]
    lines = [m.value for m in at.markdown if "Impersonation" in m.value]
    assert len(lines) == 1
    first, second = lines[0].split("  \n")
    assert first == "**Impersonation · Image gen · APAC** · High · **3.5×** expected · **75** extra cases"
    assert second == ":gray[11-18 06:00 – 11-18 09:00 (UTC) · peak 11-18 06:00 (35 vs 10)]"
    assert not [df for df in at.dataframe if "From – to (UTC)" in df.value.columns]  # no table to cut
    zoned("exec_berlin", "executive", "Europe/Berlin")
    at = app_for("app_pages/executive.py", role="executive", username="exec_berlin").run()
    assert not at.exception, [e.value for e in at.exception]
    line = next(m.value for m in at.markdown if "Impersonation" in m.value)
    assert line.split("  \n")[0] == first  # the same figures
    assert shown(line.split("  \n")[1]) == ":gray[11-18 07:00 – 11-18 10:00 (Europe/Berlin) · peak 11-18 07:00 (35 vs 10)]"


def test_home_and_trends_show_the_spike_in_the_readers_zone(watched_env):
    """New York is UTC-5 on 18 November: the spike of 06:00-09:00 UTC reads 01:00-04:00 there, the
    figures stay the record's, and the tables and captions name the zone."""
    zoned("ops_ny", "ops_lead", "America/New_York")
    at = app_for("app_pages/home.py", role="ops_lead", username="ops_ny").run()
    assert not at.exception, [e.value for e in at.exception]
    rising = [shown(m.value) for m in at.markdown if "Impersonation" in m.value]
    assert rising == ["**Impersonation · Image gen · APAC** · High · **3.5×** expected · **75** extra cases  \n"
                      ":gray[11-18 01:00 – 11-18 04:00 (America/New_York) · last 24 h 315 vs 240]"]
    assert any(" EST against the same 24 hours" in c.value for c in at.caption)
    at = app_for("app_pages/trends.py", role="ops_lead", username="ops_ny")
    at.session_state["filters"] = RANGE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    table = spike_table(at)
    assert list(table["Onset (America/New_York)"]) == [datetime(2026, 11, 18, 1)]
    assert list(table["Until"]) == [datetime(2026, 11, 18, 4)] and list(table["Cases"]) == [105]
