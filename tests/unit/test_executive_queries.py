"""The executive summary's named queries (queries/executive_*.sql) and figures (watchfloor/executive.py)
against a small warehouse built by hand below (also used by the Incidents tests), every figure worked
out in the comments.

AS_OF is Wednesday 2026-11-18 12:00 UTC. Default period, the last 7 days: current = [11-11 12:00,
11-18 12:00), previous = [11-04 12:00, 11-11 12:00). All policies are 24x7 without pauses.
Policies: P0 first action 30 min, resolution 4 h; P1 60 min, 24 h; P2 8 h, 72 h.

Cases (t = day hour:minute in November 2026); TTA = time to action = resolved - created:
  current period
  e1  11-12 10:00 user_report     fraud  P2 FA 11:00 resolved 12:00 violating content_removed      TTA  7200
  e2  11-13 09:00 classifier      fraud  P2 automated, FA = resolved 09:01, account_suspended     TTA    60
  e3  11-14 08:00 trusted_flagger child  P1 FA + escalated 08:30 to L2, resolved 20:00 reported_to_authorities
                                                                                                  TTA 43200
  e4  11-15 10:00 user_report     spam   P2 FA + escalated 20:00, resolved 20:00 non_violating (none): not actioned
                                          FA 10 h of 8 h: breached at 11-15 18:00
  e5  11-16 06:00 proactive       child  P0 (urgent L2 queue) FA + escalated 06:10, resolved 08:00 account_banned
                                                                                                  TTA  7200
  e6  11-17 10:00 user_report     fraud  P2 open (queued): FA running 26 h, breached at 11-17 18:00
  e8  11-17 11:00 law_enforcement child  P1 FA 11:20 resolved 11:40 reported_to_authorities        TTA  2400
  e9  11-11 12:00 user_report     fraud  P2 open, created exactly at the period's start (counts in it):
                                          FA breached at 11-11 20:00; resolution (72 h) breached at 11-14 12:00
  created in the previous period, resolved in the current one
  e7  11-10 20:00 user_report     spam   P2 FA + resolved 11-11 13:00 warning; FA breached at 11-11 04:00
                                          (previous); resolution 17 h of 72 met in the current period  TTA 61200
  previous period
  p5  11-04 12:00 user_report     fraud  P2 exactly at the previous start; FA 12:30 resolved 13:00 non_violating
  p1  11-05 10:00 user_report     fraud  P2 FA 11:00 resolved 12:00 content_removed             TTA  7200
  p2  11-06 10:00 classifier      spam   P2 automated, FA = resolved 10:01, content_removed      TTA    60
  p3  11-07 10:00 user_report     spam   P2 FA + resolved 11:00 non_violating
  p4  11-08 09:00 trusted_flagger child  P1 FA + escalated 10:30 (90 min of 60: breached 10:00),
                                          resolved 11-09 12:00 account_banned (27 h of 24: breached 11-09 09:00)
                                                                                                  TTA 97200
  p0  11-01 10:00 user_report     fraud  P2 resolved 11-01 12:00: before both periods, never counted

Figures, current | previous:
  volume (created)             8 (e1 e2 e3 e4 e5 e6 e8 e9)          | 6 (p5 p1 p2 p3 p4 e7)
  resolved                     7 (e1 e2 e3 e4 e5 e7 e8)             | 5 (p5 p1 p2 p3 p4)
  actioned                     6 (all but e4)                        | 3 (p1 p2 p4)
  actioned share               6/7                                   | 3/5
  proactive (classifier, proactive) of actioned   2/6 (e2, e5)      | 1/3 (p2)
  automated of resolved        1/7 (e2), human 6                     | 1/5 (p2), human 4
  median time to action        60 2400 7200 7200 43200 61200 -> 7200 | 60 7200 97200 -> 7200
  enforcement                  reported_to_authorities 2, content_removed 1, account_suspended 1,
                               account_banned 1, warning 1           | content_removed 2, account_banned 1
  FA attainment                met e1 e2 e3 e5 e8 = 5, breached e4 e6 e9 = 3 -> 5/8
                                                                     | met p5 p1 p2 p3 = 4, breached p4 e7 = 2 -> 4/6
  resolution attainment        met e1 e2 e3 e4 e5 e7 e8 = 7, breached e9 -> 7/8
                                                                     | met p5 p1 p2 p3 = 4, breached p4 -> 4/5
  P0 + P1 escalations          e5 (P0), e3 (P1) = 2; e4 (P2) not counted | p4 (P1) = 1
  appeals filed / decided / overturned
                               a1 a3 a6 = 3 / a1 a2 a6 = 3 / a1 = 1 -> 1/3 | a2 a4 a5 = 3 / a4 a5 = 2 / a4 = 1 -> 1/2
  SEV0 + SEV1 incidents        INC-1 (SEV0), INC-2 (SEV1) = 2       | INC-4 (SEV1) = 1 (INC-3 is SEV2)
  notices by category (created; user reports and trusted flaggers):
      fraud 3 (e1 e6 e9) | 2 (p5 p1);  child 1, trusted flagger 1 (e3), orders 1 (e8) | 1 (p4);  spam 1 (e4) | 2 (p3 e7)
  notices actioned (resolved in the period): fraud 1 (e1, 7200), child 1 (e3, 43200), spam 1 (e7, 61200)
  rising (created): child 3 vs 1 -> 2/sqrt(2) = 1.414; fraud 4 vs 2 -> 2/sqrt(3) = 1.155; spam 1 vs 3 fell
"""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from queries import plans
from tests.warehouses.executive import AS_OF, fetch, t
from watchfloor import executive as ex
from watchfloor import formatting
from watchfloor.filters import default_filters


def figures(data: dict[str, pl.DataFrame]) -> dict[str, ex.Figure]:
    return {f.key: f for f in ex.headline(data["cases"], data["sla"], data["escalations"], data["incidents"], data["appeals"])}


# --------------------------------------------------------------------------- headline figures


def test_the_default_period_is_the_last_7_days(exec_env):
    period = ex.last_7_days(AS_OF)
    assert (period.start, period.end, period.previous_start, period.previous_end) == (t(11, 12), AS_OF, t(4, 12), t(11, 12))


def test_headline_figures(exec_env):
    got = figures(fetch())

    def pair(key):
        return got[key].change.current, got[key].change.previous

    assert pair("volume") == (8, 6)
    assert pair("actioned_share") == pytest.approx((6 / 7, 3 / 5))
    assert pair("proactive_rate") == pytest.approx((2 / 6, 1 / 3))
    assert pair("median_time_to_action") == (7200.0, 7200.0)
    assert pair("sla_attainment") == pytest.approx((5 / 8, 4 / 6))
    assert pair("escalations") == (2, 1)
    assert pair("severe_incidents") == (2, 1)
    assert pair("overturn_rate") == pytest.approx((1 / 3, 1 / 2))
    assert pair("automated_share") == pytest.approx((1 / 7, 1 / 5))
    assert got["sla_attainment"].note == "resolution 87.5%"
    assert got["escalations"].note == "P0 1 · P1 1"
    assert got["severe_incidents"].note == "SEV0 1 · SEV1 1"
    assert got["overturn_rate"].note == "1 of 3 · 3 filed"
    assert got["automated_share"].note == "1 auto · 6 human"
    assert got["actioned_share"].note == "6 of 7 resolved"  # the share is of resolved cases, not of the volume


def test_sla_attainment_per_clock_and_period(exec_env):
    sla = fetch()["sla"]
    got = {(r["period"], r["clock"]): (r["met"], r["breached"]) for r in sla.iter_rows(named=True)}
    assert got == {("current", "first_action"): (5, 3), ("current", "resolution"): (7, 1),
                   ("previous", "first_action"): (4, 2), ("previous", "resolution"): (4, 1)}


def test_deltas_read_as_the_users_expect(exec_env):
    got = figures(fetch())
    assert ex.describe_change(got["volume"]) == "+2 (+33%)"
    assert ex.describe_change(got["actioned_share"]) == f"{(6 / 7 - 3 / 5) * 100:+.1f} pp"  # +25.7 pp
    assert ex.describe_change(got["median_time_to_action"]) == "no change"
    assert formatting.format_value(got["median_time_to_action"].change.current, "duration") == "2.0 h"
    assert ex.describe_change(got["overturn_rate"]) == "-16.7 pp"


def test_enforcement_by_action(exec_env):
    table = ex.enforcement_by_action(fetch()["cases"])
    assert [(r["action"], r["current"], r["previous"]) for r in table.iter_rows(named=True)] == [
        ("reported_to_authorities", 2, 0), ("account_banned", 1, 1), ("account_suspended", 1, 0),
        ("content_removed", 1, 2), ("warning", 1, 0)]


def test_notices_by_category(exec_env):
    table = ex.notices_by_category(fetch()["cases"])
    got = {r["category"]: (r["notices"], r["trusted_flagger_notices"], r["orders"], r["notices_actioned"],
                           r["median_notice_time_to_action_s"], r["previous_notices"]) for r in table.iter_rows(named=True)}
    assert got == {
        "fraud_scams": (3, 0, 0, 1, 7200.0, 2),
        "child_safety": (1, 1, 1, 1, 43200.0, 1),
        "spam": (1, 0, 0, 1, 61200.0, 2),
    }
    assert table["category"].to_list() == ["fraud_scams", "child_safety", "spam"]  # most notices first, then by name


def test_top_rising_categories(exec_env):
    rising = ex.top_rising_categories(fetch()["cases"])
    assert rising["category"].to_list() == ["child_safety", "fraud_scams"]
    assert rising["score"].to_list() == pytest.approx([2 / 2 ** 0.5, 2 / 3 ** 0.5])


def test_severe_incidents(exec_env):
    incidents = fetch()["incidents"]
    severe = ex.severe_incidents(incidents, ex.CURRENT)
    assert severe["incident_id"].to_list() == ["INC-1", "INC-2"]
    assert severe["linked_cases"].to_list() == [2, 1]
    assert ex.severe_incidents(incidents, ex.PREVIOUS)["incident_id"].to_list() == ["INC-4"]


def test_filters_apply_to_cases_sla_escalations_and_appeals(exec_env):
    got = figures(fetch(regions=["EMEA"]))
    # EMEA: e3 e5 e8 | p4. Created 3 | 1; resolved e3 e5 e8 | p4, all actioned.
    assert (got["volume"].change.current, got["volume"].change.previous) == (3, 1)
    assert got["actioned_share"].change.current == 1.0
    # FA: e3 e5 e8 met | p4 breached.
    assert (got["sla_attainment"].change.current, got["sla_attainment"].change.previous) == (1.0, 0.0)
    assert (got["escalations"].change.current, got["escalations"].change.previous) == (2, 1)
    # appeals of EMEA cases: a3 (e5, pending), a6 (e3, upheld) | a5 (p4, upheld)
    assert (got["overturn_rate"].change.current, got["overturn_rate"].change.previous) == (0.0, 0.0)
    # incidents are not narrowed by filters
    assert got["severe_incidents"].change.current == 2


def test_a_period_without_earlier_data_has_no_changes(exec_env):
    period = ex.custom_period(date(2026, 11, 1), date(2026, 11, 10), AS_OF)
    # previous = 10 days before 11-01: no cases there
    data = fetch(period)
    got = figures(data)
    assert not ex.comparable(data["cases"])
    assert got["volume"].change.previous is None and ex.describe_change(got["volume"]) is None
    # current [11-01, 11-11): created p0 p5 p1 p2 p3 p4 e7 = 7
    assert got["volume"].change.current == 7
    # no figure shows a change, not even those that are not about cases (escalations: p4 against none)
    assert got["escalations"].change.current == 1
    assert all(f.change.previous is None for f in got.values())
    assert ex.comparable(fetch()["cases"])


def test_month_to_date_is_compared_with_as_long_a_stretch_before(exec_env):
    period = ex.period_for(ex.MONTH, AS_OF, day=date(2026, 11, 1))
    assert (period.start, period.end, period.previous_start, period.previous_end) == (
        t(1, 0), AS_OF, datetime(2026, 10, 1), datetime(2026, 10, 18, 12))
    got = figures(fetch(period))
    assert got["volume"].change.current == 15  # every case


# --------------------------------------------------------------------------- period arithmetic (no warehouse)


def test_calendar_periods():
    week = ex.calendar_period(ex.WEEK, date(2026, 11, 11), AS_OF)  # a Wednesday -> the week of Monday 11-09
    assert (week.start, week.end, week.previous_start, week.previous_end, week.to_date) == (
        t(9, 0), t(16, 0), t(2, 0), t(9, 0), False)
    assert week.label == "week of 2026-11-09 (2026-11-09 – 2026-11-15)"
    this_week = ex.calendar_period(ex.WEEK, AS_OF.date(), AS_OF)  # Monday 11-16 00:00 to AS_OF: 2.5 days
    assert (this_week.start, this_week.end, this_week.previous_start, this_week.previous_end, this_week.to_date) == (
        t(16, 0), AS_OF, t(9, 0), t(11, 12), True)
    october = ex.calendar_period(ex.MONTH, date(2026, 10, 31), AS_OF)
    assert (october.start, october.end, october.previous_start) == (datetime(2026, 10, 1), t(1, 0), datetime(2026, 9, 1))
    q3 = ex.calendar_period(ex.QUARTER, date(2026, 8, 15), AS_OF)
    assert (q3.start, q3.end, q3.previous_start, q3.previous_end) == (
        datetime(2026, 7, 1), datetime(2026, 10, 1), datetime(2026, 4, 1), datetime(2026, 7, 1))
    q1 = ex.calendar_period(ex.QUARTER, date(2026, 2, 1), AS_OF)
    assert q1.previous_start == datetime(2025, 10, 1) and q1.label.startswith("Q1 2026")
    january = ex.calendar_period(ex.MONTH, date(2026, 1, 20), AS_OF)
    assert january.previous_start == datetime(2025, 12, 1)


def test_custom_periods_and_bad_input():
    three = ex.custom_period(date(2026, 11, 10), date(2026, 11, 12), AS_OF)
    assert (three.start, three.end, three.previous_start, three.previous_end) == (t(10, 0), t(13, 0), t(7, 0), t(10, 0))
    # running into now: cut at AS_OF, compared with as long a stretch before
    running = ex.custom_period(date(2026, 11, 17), date(2026, 11, 20), AS_OF)
    assert (running.end, running.previous_start, running.previous_end, running.to_date) == (AS_OF, t(13, 0), t(14, 12), True)
    with pytest.raises(ex.PeriodError, match="after the last day"):
        ex.custom_period(date(2026, 11, 12), date(2026, 11, 10), AS_OF)
    with pytest.raises(ex.PeriodError, match="after now"):
        ex.custom_period(date(2026, 11, 19), date(2026, 11, 20), AS_OF)
    with pytest.raises(ex.PeriodError, match="at most"):
        ex.custom_period(date(2024, 1, 1), date(2026, 11, 1), AS_OF)
    with pytest.raises(ex.PeriodError, match="not started"):
        ex.calendar_period(ex.MONTH, date(2026, 12, 5), AS_OF)
    with pytest.raises(ex.PeriodError, match="pick the first"):
        ex.period_for(ex.CUSTOM, AS_OF)


def test_recent_periods_newest_first():
    assert ex.recent_periods(ex.WEEK, AS_OF, 3) == [date(2026, 11, 16), date(2026, 11, 9), date(2026, 11, 2)]
    assert ex.recent_periods(ex.MONTH, AS_OF, 3) == [date(2026, 11, 1), date(2026, 10, 1), date(2026, 9, 1)]
    assert ex.recent_periods(ex.QUARTER, AS_OF, 3) == [date(2026, 10, 1), date(2026, 7, 1), date(2026, 4, 1)]


def test_the_plan_defaults_to_the_last_7_days():
    calls = {c.key: c for c in plans.executive(AS_OF, default_filters(AS_OF.date()))}
    assert {c.params["period_start"] for k, c in calls.items() if k != "watched"} == {t(11, 12)}
    # the spike record's series: its fixed window before now, whatever the period
    assert calls["watched"] == plans.watched(AS_OF, default_filters(AS_OF.date()))
    quarter = {c.key: c for c in plans.executive(AS_OF, default_filters(AS_OF.date()), ex.period_for(ex.QUARTER, AS_OF))}
    assert quarter["watched"] == calls["watched"]
    assert "executive" in plans.PAGE_PLANS


# --------------------------------------------------------------------------- top spikes


def _flat_series(category: str, start: datetime, hours: int, level: int, bursts: dict[datetime, int]) -> pl.DataFrame:
    """Watched cells of one category, all on chat in AMER (so its narrower series are itself)."""
    from datetime import timedelta

    stamps = [start + timedelta(hours=h) for h in range(hours)]
    return pl.DataFrame({"bucket": stamps, "category": [category] * hours, "surface": ["chat"] * hours,
                         "region": ["AMER"] * hours, "cases": [bursts.get(s, level) for s in stamps]})


def _record(cells: pl.DataFrame):
    from watchfloor import spike_record

    return spike_record.build(cells, spike_record.hour_of(AS_OF))


def test_top_spikes_by_the_detector():
    """Two categories at a steady 10 cases an hour from 10-14 12:00 to AS_OF. fraud_scams has 60
    cases in the hour 11-15 10:00 and spam 35 in 11-16 03:00; elsewhere the counts equal the
    seasonal baseline, so the detector expects 10 (trimmed mean of the same hour in earlier weeks,
    level factor 1). Extra cases: 60 - 10 = 50 (6x: critical) and 35 - 10 = 25 (3.5x: high). A
    burst of 80 in history (10-20) is in the record but before the period and not listed."""
    period = ex.last_7_days(AS_OF)
    start = datetime(2026, 10, 14, 12)
    hours = int((AS_OF - start).total_seconds() // 3600)
    series = pl.concat([
        _flat_series("fraud_scams", start, hours, 10, {t(15, 10): 60, datetime(2026, 10, 20, 5): 80}),
        _flat_series("spam", start, hours, 10, {t(16, 3): 35}),
    ])
    record = _record(series)
    found = ex.top_spikes(record, period)
    got = [(r["category"], r["onset"], r["severity"], r["observed"], round(r["expected"], 6), round(r["excess"], 6),
            r["multiplier_text"], r["excess_text"]) for r in found.iter_rows(named=True)]
    assert got == [("fraud_scams", t(15, 10), "critical", 60.0, 10.0, 50.0, "6.0×", "50"),
                   ("spam", t(16, 3), "high", 35.0, 10.0, 25.0, "3.5×", "25")]
    assert ex.top_spikes(record, period, top_n=1)["category"].to_list() == ["fraud_scams"]
    assert datetime(2026, 10, 20, 5) in record.spikes["onset"].to_list()
    # a quarter lists the history's burst too, with the same figures for the other two
    quarter = ex.top_spikes(record, ex.period_for(ex.QUARTER, AS_OF), top_n=5)
    assert quarter.filter(pl.col("onset") == t(15, 10)).select("observed", "excess").rows() == [(60.0, 50.0)]
    assert quarter.height == 3


def test_no_spike_in_the_hand_warehouse(exec_env):
    # a handful of cases never passes the detector's minimum of 5 extra cases
    data = fetch()
    assert data["watched"]["cases"].sum() == 15  # every case: all were created in the record's nine weeks
    assert ex.top_spikes(plans.spike_record(data["watched"], AS_OF), ex.last_7_days(AS_OF)).height == 0


def test_top_spikes_ignore_the_start_of_the_data():
    """A warehouse whose data begins inside the detector's four weeks of history: the hours before it
    are unknown, not zero, so the jump from nothing to the usual 10 cases an hour is no spike."""
    from datetime import timedelta

    period = ex.last_7_days(AS_OF)
    begins = t(1, 0)
    hours = int((AS_OF - begins).total_seconds() // 3600)
    series = _flat_series("spam", begins, hours, 10, {})
    assert ex.top_spikes(_record(series), period).height == 0
    # with a burst in the period it is still found
    burst = _flat_series("spam", begins, hours, 10, {t(17, 4): 60})
    assert ex.top_spikes(_record(burst), period)["onset"].to_list() == [t(17, 4)]
    assert ex.top_spikes(_record(series.clear()), period).height == 0
    assert timedelta(0) < AS_OF - begins


def test_scope_label():
    from watchfloor.filters import Filters

    assert ex.scope_label(Filters(start=date(2026, 11, 1), end=date(2026, 11, 2))) == ""
    assert ex.scope_label(Filters(start=date(2026, 11, 1), end=date(2026, 11, 2), regions=("EMEA", "APAC"),
                                  priorities=("P0",))) == "region EMEA / APAC, priority P0"


def test_a_period_before_the_record_says_so():
    """Data from 10-28: a month from 11-01 is covered; a quarter from 10-01 starts before the record's
    first hour, and the tile says from when spikes are judged."""
    record = _record(_flat_series("spam", datetime(2026, 10, 28), 21 * 24, 1, {}))
    assert ex.spikes_note(record, ex.period_for(ex.MONTH, AS_OF, day=date(2026, 11, 1))) is None
    note = ex.spikes_note(record, ex.period_for(ex.QUARTER, AS_OF))
    assert note is not None and "2026-10-28 00:00" in note
