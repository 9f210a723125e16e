"""The Incidents page's named queries (queries/incident_*.sql) and figures (watchfloor/incidents.py), on the
hand-built warehouse of tests/unit/test_executive_queries.py (incidents INC-1..INC-5 are described there).

Default date range 2026-11-12..11-18 = [11-12 00:00, 11-19 00:00), as of AS_OF 11-18 12:00. Listed (open at
some time in the range): INC-2 (started 11-17 09:00), INC-1 (11-16 05:00), INC-3 (11-13 00:00), newest first;
INC-4 was resolved 11-09 and INC-5 11-03, before the range.

Response times (s):           detect          acknowledge      mitigate         resolve
  INC-1 05:00 -> 05:30 05:40 08:00 14:00   1800            600              10800            32400
  INC-2 09:00 -> 09:20 10:00 (mitigated 11-18 14:00 is after AS_OF: not known yet)
                                          1200            2400             –                –
  INC-3 00:00 -> 01:00 01:10 03:00 06:00   3600            600              10800            21600
  medians over those that reached it:      1800            600              10800            (32400+21600)/2 = 27000
Linked cases: INC-1 e3 e5 = 2, INC-2 e6 = 1, INC-3 none.
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from queries import plans
from tests.warehouses import executive as hand
from tests.warehouses.executive import AS_OF, t
from watchfloor import formatting
from watchfloor import incidents as inc
from watchfloor.filters import Filters

WEEK = Filters(start=date(2026, 11, 12), end=date(2026, 11, 18))


def fetch(filters: Filters = WEEK) -> dict[str, pl.DataFrame]:
    return plans.fetch(plans.incidents(AS_OF, filters))


def test_the_list_holds_the_incidents_open_in_the_range(exec_env):
    listed = fetch()["incidents"]
    got = {r["incident_id"]: (r["status"], r["linked_cases"], r["time_to_detect_s"], r["time_to_acknowledge_s"],
                              r["time_to_mitigate_s"], r["time_to_resolve_s"]) for r in listed.iter_rows(named=True)}
    assert listed["incident_id"].to_list() == ["INC-2", "INC-1", "INC-3"]
    assert got == {
        "INC-1": ("resolved", 2, 1800.0, 600.0, 10800.0, 32400.0),
        "INC-2": ("acknowledged", 1, 1200.0, 2400.0, None, None),
        "INC-3": ("resolved", 0, 3600.0, 600.0, 10800.0, 21600.0),
    }
    assert listed.filter(pl.col("incident_id") == "INC-2")["mitigated_at"][0] is None
    # a wider range reaches INC-4 and INC-5; a range between incidents has none
    assert set(fetch(Filters(start=date(2026, 11, 1), end=date(2026, 11, 18)))["incidents"]["incident_id"]) == {
        "INC-1", "INC-2", "INC-3", "INC-4", "INC-5"}
    assert fetch(Filters(start=date(2026, 11, 10), end=date(2026, 11, 12)))["incidents"].height == 0


def test_response_summary_medians(exec_env):
    summary = inc.response_summary(fetch()["incidents"])
    rows = {r["severity"]: r for r in summary.iter_rows(named=True)}
    assert summary["severity"].to_list() == ["SEV0", "SEV1", "SEV2", "All"]
    overall = rows["All"]
    # Medians over the resolved incidents only (INC-1 and INC-3), every one over the same two.
    assert (overall["incidents"], overall["resolved"], overall["time_to_detect_s"], overall["time_to_acknowledge_s"],
            overall["time_to_mitigate_s"], overall["time_to_resolve_s"]) == (3, 2, 2700.0, 600.0, 10800.0, 27000.0)
    # SEV1: INC-2 is still open, none resolved: each median over the incidents that reached it.
    assert rows["SEV1"]["resolved"] == 0 and rows["SEV1"]["time_to_detect_s"] == 1200.0
    assert rows["SEV1"]["time_to_mitigate_s"] is None and rows["SEV1"]["time_to_resolve_s"] is None
    for r in rows.values():  # the order of the milestones holds for every severity
        if r["time_to_resolve_s"] is not None:
            assert r["time_to_mitigate_s"] <= r["time_to_resolve_s"]


def test_severity_and_status_filters(exec_env):
    listed = fetch()["incidents"]
    assert inc.filter_list(listed, ["SEV0", "SEV1"])["incident_id"].to_list() == ["INC-2", "INC-1"]
    assert inc.filter_list(listed, statuses=["resolved"])["incident_id"].to_list() == ["INC-1", "INC-3"]
    assert inc.filter_list(listed, ["SEV2"], ["acknowledged"]).height == 0


def test_the_story_is_in_time_order_and_stops_at_now(exec_env):
    data = fetch()
    incident = data["incidents"].filter(pl.col("incident_id") == "INC-1").row(0, named=True)
    rows = inc.story(data["events"], incident)
    assert rows["kind"].to_list() == ["started", "detected", "acknowledged", "update", "mitigated", "resolved"]
    assert rows["since_start_s"].to_list() == [0.0, 1800.0, 2400.0, 7200.0, 10800.0, 32400.0]
    inc2 = data["incidents"].filter(pl.col("incident_id") == "INC-2").row(0, named=True)
    assert inc.story(data["events"], inc2)["kind"].to_list() == ["started", "detected", "acknowledged"]
    assert [label for label, _ in inc.milestones(inc2)] == ["Started", "Detected", "Acknowledged"]


def test_hourly_linked_and_category_cases(exec_env):
    hourly = fetch()["hourly"]
    one = inc.hourly_for(hourly, "INC-1")
    # 24 h before the start's hour (11-15 05:00) to 6 h after the resolution's hour (11-16 20:00): 40 hours
    assert one.height == 40 and one["hour"][0] == t(15, 5) and one["hour"][-1] == t(16, 20)
    nonzero = {r["hour"]: (r["linked_cases"], r["category_cases"], r["category_cases_week_before"])
               for r in one.iter_rows(named=True) if r["linked_cases"] or r["category_cases"] or r["category_cases_week_before"]}
    # e5 (child safety, linked) at 11-16 06:00; p4 (child safety) at 11-08 09:00 is the baseline of 11-15 09:00
    assert nonzero == {t(16, 6): (1, 1, 0), t(15, 9): (0, 0, 1)}
    two = inc.hourly_for(hourly, "INC-2")
    # still open: up to the hour of now, 11-16 09:00 .. 11-18 12:00 = 52 hours
    assert two.height == 52 and two["hour"][-1] == t(18, 12)
    assert two.filter(pl.col("hour") == t(17, 10)).select("linked_cases", "category_cases").row(0) == (1, 1)
    # e9 (fraud, 11-11 12:00) is the week-earlier baseline of 11-18 12:00
    assert two.filter(pl.col("hour") == t(18, 12))["category_cases_week_before"][0] == 1


def test_spike_on_the_warehouse(exec_env):
    data = fetch()
    incident = data["incidents"].filter(pl.col("incident_id") == "INC-1").row(0, named=True)
    found = inc.spike(data["hourly"], incident, AS_OF)
    # peak 11-16 06:00 with 1 case, none a week earlier (ratio against at least 1); while it ran
    # (hours 05:00, 06:00, 07:00, before mitigation at 08:00): 1 against 0
    assert (found.peak_hour, found.peak_cases, found.peak_baseline, found.peak_ratio) == (t(16, 6), 1, 0, 1.0)
    assert (found.during_cases, found.during_baseline, found.excess_cases, found.during_ratio) == (1, 0, 1, None)
    assert found.linked_cases == 1


def test_spike_worked_by_hand():
    """Four hours, the incident from 01:30 to its mitigation at 03:15:
       hour       00  01  02  03
       category    2   3  10   6
       week before 2   2   2   2
    peak 02:00 with 10 against 2 = 5x; while it ran (01, 02, 03: hours starting before 03:15): 19 against 6."""
    hours = [datetime(2026, 11, 1, h) for h in range(4)]
    hourly = pl.DataFrame({"incident_id": ["X"] * 4, "hour": hours, "linked_cases": [0, 1, 4, 2],
                           "category_cases": [2, 3, 10, 6], "category_cases_week_before": [2, 2, 2, 2]})
    incident = {"incident_id": "X", "started_at": datetime(2026, 11, 1, 1, 30),
                "mitigated_at": datetime(2026, 11, 1, 3, 15), "resolved_at": None}
    found = inc.spike(hourly, incident, datetime(2026, 11, 1, 4))
    assert (found.peak_hour, found.peak_cases, found.peak_baseline, found.peak_ratio) == (hours[2], 10, 2, 5.0)
    assert (found.during_cases, found.during_baseline, found.excess_cases) == (19, 6, 13)
    assert found.during_ratio == pytest.approx(19 / 6)
    assert found.linked_cases == 7
    assert inc.spike(hourly, {**incident, "incident_id": "Y"}, datetime(2026, 11, 1, 4)).peak_hour is None


def test_timeline_bars_run_to_now_while_open(exec_env):
    bars = inc.timeline(fetch()["incidents"], AS_OF)
    got = {r["incident_id"]: (r["started_at"], r["ends_at"], r["still_open"]) for r in bars.iter_rows(named=True)}
    assert got == {"INC-3": (t(13, 0), t(13, 6), False), "INC-1": (t(16, 5), t(16, 14), False),
                   "INC-2": (t(17, 9), AS_OF, True)}
    assert bars["incident_id"].to_list() == ["INC-3", "INC-1", "INC-2"]


def test_durations_read_well():
    assert [formatting.coarse_duration(s) for s in (None, -5, 600, 3600, 5399, 5400, 27000, 47.9 * 3600, 3 * 86400)] == [
        "–", "–", "10 min", "60 min", "90 min", "1.5 h", "7.5 h", "47.9 h", "3.0 d"]


def test_ground_truth_note_only_for_simulated_incidents(exec_env):
    incident = fetch()["incidents"].row(0, named=True)
    assert inc.ground_truth_note(incident) is None
    simulated = {**incident, "sim_spike_multiplier": 4.25, "sim_spike_surface": "api", "sim_spike_region": None,
                 "sim_spike_starts_at": t(17, 9)}
    assert inc.ground_truth_note(simulated).startswith("Simulated data: the simulator injected 4.2× arrivals on api from 11-17 09:00")


def test_plan_is_registered():
    assert "incidents" in plans.PAGE_PLANS
    assert [c.name for c in plans.incidents(AS_OF, WEEK)] == ["incident_list", "incident_events", "incident_hourly",
                                                          "watched_series"]
    # the spike record over every case: an incident spans the sidebar's scope
    assert plans.incidents(AS_OF, WEEK)[-1] == plans.watched(AS_OF)
    assert hand.AS_OF == AS_OF


def test_the_spike_record_holds_what_set_it_off():
    """The category at a steady 10 cases an hour for four weeks (all on chat in AMER); the incident
    starts 11-10 09:30 and is detected 11-10 12:00; arrivals are 40 in the hours 10:00 and 11:00. The
    detector expects 10 (the same hour in earlier weeks), so the spike runs 10:00-11:00: 80 cases
    against 20 expected, peak 40 against 10; 10:00 is hot on its own and is flagged when it closes, at
    11:00, an hour before the incident was detected. A spike a week earlier (11-03) does not touch the
    incident and is left out."""
    from datetime import timedelta

    from components.incident_charts import detector_note
    from watchfloor import spike_record

    started, as_of = datetime(2026, 11, 10, 9, 30), datetime(2026, 11, 10, 18, 0)
    first = datetime(2026, 11, 10, 9) - timedelta(days=28)
    hours = [first + timedelta(hours=h) for h in range(int((as_of - first).total_seconds() // 3600))]
    bursts = {datetime(2026, 11, 10, 10): 40, datetime(2026, 11, 10, 11): 40, datetime(2026, 11, 3, 2): 70}
    cells = pl.DataFrame({"category": ["spam"] * len(hours), "surface": ["chat"] * len(hours),
                          "region": ["AMER"] * len(hours), "bucket": hours, "cases": [bursts.get(h, 10) for h in hours]})
    record = spike_record.build(cells, spike_record.hour_of(as_of))
    incident = {"incident_id": "X", "category": "spam", "started_at": started,
                "detected_at": datetime(2026, 11, 10, 12), "mitigated_at": datetime(2026, 11, 10, 15), "resolved_at": None}
    spike = inc.detected_spike(record, incident, as_of)
    assert (spike["onset"], spike["end"], spike["detected_at"]) == (datetime(2026, 11, 10, 10), datetime(2026, 11, 10, 11),
                                                                    datetime(2026, 11, 10, 10))
    assert (spike["observed"], round(spike["expected"], 6), spike["peak_observed"], round(spike["peak_expected"], 6)) == (
        80.0, 20.0, 40.0, 10.0)
    assert datetime(2026, 11, 3, 2) in record.spikes["onset"].to_list()  # in the record, not the incident's
    note = detector_note(spike, incident)
    assert "flagged at 11-10 11:00 UTC, 60 min before the incident was detected" in note
    shown = note.replace("\\", "")  # as rendered: the markdown escapes drop
    assert "11-10 10:00 – 11-10 12:00 UTC" in shown and "4.0× expected, 60 extra cases" in shown
    # data that begins only 9 days before the incident: the hours before are unknown, not zero, so
    # the start of the data is no spike and the incident's spike is still the one found
    late = spike_record.build(cells.filter(pl.col("bucket") >= datetime(2026, 11, 1)), spike_record.hour_of(as_of))
    assert inc.detected_spike(late, incident, as_of)["onset"] == datetime(2026, 11, 10, 10)
    # nothing stands out: no spike
    flat = spike_record.build(cells.with_columns(pl.lit(10).alias("cases")), spike_record.hour_of(as_of))
    assert inc.detected_spike(flat, incident, as_of) is None
    assert "found no spike" in detector_note(None, incident)


def test_the_record_on_the_warehouse(exec_env):
    data = fetch()
    record = plans.spike_record(data["watched"], AS_OF)
    incident = data["incidents"].filter(pl.col("incident_id") == "INC-1").row(0, named=True)
    assert inc.detected_spike(record, incident, AS_OF) is None  # single cases never pass the minimum of extra cases
    assert data["watched"]["cases"].sum() > 0


def test_linked_cases_of_an_incident_newest_first(exec_env):
    import queries

    def linked(incident_id: str, as_of=AS_OF, row_limit: int = plans.INCIDENT_CASE_LIMIT) -> tuple[list[str], list[int]]:
        cases = queries.run("incident_cases", as_of=as_of, incident_id=incident_id, row_limit=row_limit)
        return cases["case_id"].to_list(), cases["total"].to_list()

    # INC-1: e5 (created 11-16 06:00) and e3 (11-14 08:00); INC-2: e6; INC-3: none.
    assert linked("INC-1") == (["e5", "e3"], [2, 2])
    assert linked("INC-2") == (["e6"], [1])
    assert linked("INC-3") == ([], [])
    # at most row_limit rows, the total still counts both; as of 11-15 only e3 existed
    assert linked("INC-1", row_limit=1) == (["e5"], [2])
    assert linked("INC-1", as_of=t(15, 0)) == (["e3"], [1])
    # an unknown or hostile id is simply not linked to anything
    assert linked("INC-1' OR '1'='1") == ([], [])
    assert plans.fetch(plans.incident_cases(AS_OF, "INC-1"))["cases"]["case_id"].to_list() == ["e5", "e3"]
