"""The Trends page's named queries (queries/trends_*.sql) and figures (watchfloor/trends.py) against
a small warehouse built by hand below; every expected figure is worked out in the comments.

AS_OF is Wednesday 2026-11-18 12:00 UTC. The page's range is 2026-11-16..2026-11-18, i.e. the
period [11-16 00:00, 11-19 00:00); the period before it, of the same length, is [11-13, 11-16).

Cases (day hour:minute in November 2026; queue q_fraud is AMER 'fraud_spam', q_hate EMEA 'hate_harassment'):
  in the period (6):
    t1 16 10:15 fraud_scams phishing  api  AMER en classifier org_a clf-a 0.55 human  violating
    t2 16 10:40 fraud_scams phishing  api  AMER en classifier org_a clf-a 0.95 automated violating
    t3 17 09:00 fraud_scams phishing  chat AMER es user_report  -     -              non_violating
    t4 17 09:30 spam        seo_spam  chat AMER en classifier org_b clf-a 0.58 human  non_violating
    t7 17 11:00 spam        seo_spam  chat AMER en classifier org_b clf-b 1.00 human  violating
    t5 18 08:00 hate        slurs     chat EMEA de user_report  -     -              open
  in the period before (3):
    p3 13 23:59 hate        slurs     chat EMEA fr user_report
    p1 14 10:00 fraud_scams phishing  chat AMER en user_report                       violating
    p2 15 10:00 hate        slurs     chat EMEA de user_report
  history only (2):
    h1 10 10:00 spam        seo_spam  chat AMER en user_report
    h2 12 23:59 fraud_scams phishing  chat AMER en user_report
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import polars as pl
import pytest

import queries
from queries import plans
from tests.warehouses.trends import AS_OF, END, RANGE, START, t
from watchfloor import trends as tr
from watchfloor.filters import Filters

NO_SCOPE: dict[str, Any] = {"regions": [], "verticals": [], "priorities": [], "vendors": []}


def series(dimension: str = "category", hourly: bool = True, **scope) -> pl.DataFrame:
    return queries.run("trends_series", history_start=tr.history_start(START, END), period_end=END, hourly=hourly,
                       dimension=dimension, **{**NO_SCOPE, **scope})


def as_set(frame: pl.DataFrame) -> set[tuple]:
    return {tuple(row) for row in frame.select("key", "bucket", "cases").iter_rows()}


# --------------------------------------------------------------------------- trends_series


def test_series_by_category_hourly(trends_env):
    # history starts 29 days before 11-16 (the detector's weeks), so every case is in
    assert tr.history_start(START, END) == datetime(2026, 10, 18)
    assert as_set(series()) == {
        ("fraud_scams", t(16, 10), 2), ("fraud_scams", t(17, 9), 1), ("fraud_scams", t(14, 10), 1),
        ("fraud_scams", t(12, 23), 1),
        ("spam", t(17, 9), 1), ("spam", t(17, 11), 1), ("spam", t(10, 10), 1),
        ("hate", t(18, 8), 1), ("hate", t(15, 10), 1), ("hate", t(13, 23), 1),
    }


def test_series_daily_by_surface_and_filtered(trends_env):
    # api: t1, t2 on the 16th; chat: everything else, per day
    assert as_set(series("surface", hourly=False)) == {
        ("api", t(16, 0), 2),
        ("chat", t(17, 0), 3), ("chat", t(18, 0), 1), ("chat", t(13, 0), 1), ("chat", t(14, 0), 1),
        ("chat", t(15, 0), 1), ("chat", t(10, 0), 1), ("chat", t(12, 0), 1),
    }
    # EMEA: the three hate cases; the 'hate_harassment' vertical is the same three
    emea = {("hate", t(18, 8), 1), ("hate", t(15, 10), 1), ("hate", t(13, 23), 1)}
    assert as_set(series(regions=["EMEA"])) == emea
    assert as_set(series(verticals=["hate_harassment"])) == emea
    # t3 is the only Spanish case; languages come as their codes
    assert ("es", t(17, 9), 1) in as_set(series("language"))
    assert {r[0] for r in as_set(series("source"))} == {"classifier", "user_report"}


# --------------------------------------------------------------------------- movers


def test_movers_by_hand(trends_env):
    """Now is 11-18 12:00, so the period is cut to [11-16, 11-18 12:00) = 2.5 days, against
    [11-13 12:00, 11-16). Current: fraud t1 t2 t3 = 3, spam t4 t7 = 2, hate t5 = 1.
    Before: fraud p1 = 1, hate p3 (11-13 23:59) + p2 = 2, spam 0. Changes: fraud +2 (+200 %),
    spam +2 (no percent: none before), hate -1 (-50 %)."""
    moved = tr.movers(series(), "category", START, END, AS_OF)
    rows = {r["key"]: (r["current"], r["previous"], r["change"], r["change_share"]) for r in moved.iter_rows(named=True)}
    assert rows == {"fraud_scams": (3, 1, 2, 2.0), "spam": (2, 0, 2, None), "hate": (1, 2, -1, -0.5)}
    assert moved["key"].to_list() == ["fraud_scams", "spam", "hate"]  # by size of change, then name
    assert moved["label"].to_list() == ["Fraud & scams", "Spam", "Hate"]
    assert tr.top_riser(moved)["key"] == "fraud_scams"
    assert tr.movers_period_label(START, END, AS_OF) == (
        "2026-11-16 00:00 to 2026-11-18 12:00 against 2026-11-13 12:00 to 2026-11-16 00:00 (UTC)")


def test_top_riser_is_none_when_nothing_rose():
    frame = pl.DataFrame({"key": ["a"], "label": ["A"], "current": [1], "previous": [3], "change": [-2],
                          "change_share": [-2 / 3]})
    assert tr.top_riser(frame) is None


# --------------------------------------------------------------------------- emerging patterns


def shares(**scope) -> pl.DataFrame:
    return queries.run("trends_shares", previous_start=datetime(2026, 11, 13), period_start=START, period_end=END,
                       min_org_cases=2, **{**NO_SCOPE, **scope})


def test_shares_query_by_hand(trends_env):
    frame = shares()
    rows = {(r["dimension"], r["value"]): (r["current_cases"], r["previous_cases"]) for r in frame.iter_rows(named=True)}
    assert rows[("all", None)] == (6, 3)
    assert rows[("subcategory", "phishing")] == (3, 1)
    assert rows[("subcategory", "seo_spam")] == (2, 0)
    assert rows[("subcategory", "slurs")] == (1, 2)
    assert rows[("language", "en")] == (4, 1)
    assert rows[("language", "fr")] == (0, 1)
    assert rows[("surface", "api")] == (2, 0)
    assert rows[("surface", "chat")] == (4, 3)
    # organisations need 2 cases in the period: org_a (t1, t2) and org_b (t4, t7); no null organisation row
    assert {k[1] for k in rows if k[0] == "organisation"} == {"org_a", "org_b"}


def test_emerging_by_hand(trends_env):
    """Shares of 6 cases now and 3 before:
    subcategory: seo_spam 2/6 - 0 = +1/3; phishing 3/6 - 1/3 = +1/6; slurs 1/6 - 2/3 falls.
    language: en 4/6 - 1/3 = +1/3; es 1/6 - 0 = +1/6; de 1/6 - 1/3 falls; fr falls.
    surface: api 2/6 - 0 = +1/3; chat 4/6 - 3/3 falls.
    organisation: org_a 2/6 and org_b 2/6, both from 0: +1/3 each (ties by name)."""
    rising = tr.emerging(shares())
    got = {(r["dimension"], r["value"]): r["share_change"] for r in rising.iter_rows(named=True)}
    assert got == pytest.approx({
        ("subcategory", "seo_spam"): 1 / 3, ("subcategory", "phishing"): 1 / 6,
        ("language", "en"): 1 / 3, ("language", "es"): 1 / 6,
        ("surface", "api"): 1 / 3,
        ("organisation", "org_a"): 1 / 3, ("organisation", "org_b"): 1 / 3,
    })
    subcategories = rising.filter(pl.col("dimension") == "subcategory")
    assert subcategories["value"].to_list() == ["seo_spam", "phishing"]
    assert subcategories["share_now"].to_list() == pytest.approx([2 / 6, 3 / 6])
    assert tr.emerging(shares(), top_n=1).filter(pl.col("dimension") == "language")["value"].to_list() == ["en"]


def test_emerging_with_nothing_before(trends_env):
    # Only EMEA: now t5 (1 case), before p2, p3 (2): slurs 1/1 vs 2/2 does not rise; de 1/1 vs 1/2 rises +1/2
    rising = tr.emerging(shares(regions=["EMEA"]))
    assert {(r["dimension"], r["value"]): r["share_change"] for r in rising.iter_rows(named=True)} == pytest.approx(
        {("language", "de"): 0.5})


# --------------------------------------------------------------------------- classifier signal


def test_classifier_by_hand(trends_env):
    """clf-a band 0.5: t1 (human violating) and t4 (human non-violating): precision 1/2.
    clf-a band 0.9: t2, automated: no human decision. clf-b: t7 scored exactly 1.0, which falls
    in the 0.9 band: 1 of 1 violating."""
    frame = queries.run("trends_classifier", period_start=START, period_end=END, **NO_SCOPE)
    table = tr.classifier_table(frame)
    rows = {(r["classifier"], r["band"]): r for r in table.iter_rows(named=True)}
    assert set(rows) == {("clf-a", "0.5–0.6"), ("clf-a", "0.9–1.0"), ("clf-b", "0.9–1.0")}
    a5 = rows[("clf-a", "0.5–0.6")]
    assert (a5["cases"], a5["automated"], a5["decided"], a5["precision"]) == (2, 0, 2, 0.5)
    # Wilson 95 % for 1 of 2: centre (0.5 + 1.96²/4) / (1 + 1.96²/2) = 0.5,
    # half 1.96 sqrt(0.25/2 + 1.96²/16) / (1 + 1.96²/2) = 0.40548 -> 0.0945 .. 0.9055
    assert (a5["low"], a5["high"]) == pytest.approx((0.0945, 0.9055), abs=5e-4)
    a9 = rows[("clf-a", "0.9–1.0")]
    assert (a9["cases"], a9["automated"], a9["decided"], a9["precision"]) == (1, 1, 0, None)
    b9 = rows[("clf-b", "0.9–1.0")]
    assert (b9["decided"], b9["precision"]) == (1, 1.0)
    overall = tr.classifier_overall(frame)
    assert overall.select("classifier", "cases", "decided", "precision").rows() == [
        ("clf-a", 3, 2, 0.5), ("clf-b", 1, 1, 1.0)]


def test_classifier_volume_by_hand(trends_env):
    frame = queries.run("trends_classifier_volume", period_start=START, period_end=END, hourly=True, **NO_SCOPE)
    assert set(frame.select("classifier", "bucket", "cases", "human_violating", "human_decided").rows()) == {
        ("clf-a", t(16, 10), 2, 1, 1),  # t1 human violating, t2 automated
        ("clf-a", t(17, 9), 1, 0, 1),  # t4 human non-violating
        ("clf-b", t(17, 11), 1, 1, 1),  # t7
    }


def test_wilson_interval_edges():
    assert tr.wilson_interval(0, 0) == (None, None)
    low, high = tr.wilson_interval(10, 10)
    # all successes: the upper end is 1, the lower 10 / (10 + 1.96²) = 0.7225
    assert high == pytest.approx(1.0) and low == pytest.approx(10 / (10 + 1.96**2), abs=1e-4)


# --------------------------------------------------------------------------- cases behind a spike


def spike_cases(dimension: str, key: str, start: datetime, end: datetime, limit: int = 200, **scope) -> pl.DataFrame:
    return queries.run("trends_spike_cases", spike_start=start, spike_end=end, dimension=dimension, key=key,
                       surface=None, region=None, row_limit=limit, **{**NO_SCOPE, **scope})


def test_spike_cases_by_hand(trends_env):
    rows = spike_cases("category", "fraud_scams", t(16, 10), t(16, 11))
    assert rows["case_id"].to_list() == ["t2", "t1"]  # newest first
    assert rows["total"].to_list() == [2, 2]
    limited = spike_cases("category", "fraud_scams", t(16, 10), t(16, 11), limit=1)
    assert limited["case_id"].to_list() == ["t2"] and limited["total"][0] == 2
    assert spike_cases("surface", "api", START, END)["case_id"].to_list() == ["t2", "t1"]
    assert spike_cases("language", "de", START, END, regions=["AMER"]).height == 0
    # a value is only ever compared, never part of the SQL
    assert spike_cases("category", "x' OR '1'='1", START, END).height == 0


def test_spike_case_plan_and_window():
    episode = {"onset": t(16, 10), "end": t(16, 12)}
    assert tr.spike_case_window(episode, timedelta(hours=1)) == (t(16, 10), t(16, 13))
    plan = plans.trends_spike_cases(RANGE, "category", "spam", t(16, 10), t(16, 13))
    assert [c.name for c in plan] == ["trends_spike_cases"]


# --------------------------------------------------------------------------- the plan


def test_plan_buckets_and_history():
    plan = {c.key: c for c in plans.trends(AS_OF, RANGE)}
    assert set(plan) == {"series", "watched", "shares", "classifier", "classifier_volume"}
    assert plan["series"].params["hourly"] is True  # 3 days: hourly
    assert plan["series"].params["history_start"] == datetime(2026, 10, 18)
    assert plan["shares"].params["previous_start"] == datetime(2026, 11, 13)
    month = Filters(start=date(2026, 9, 1), end=date(2026, 11, 18))
    long = {c.key: c for c in plans.trends(AS_OF, month)}
    assert long["series"].params["hourly"] is False  # 79 days: daily
    # the previous period (79 days) reaches further back than the detector's 29 days
    assert long["series"].params["history_start"] == datetime(2026, 9, 1) - timedelta(days=79)
    assert "trends" in plans.PAGE_PLANS


def test_the_page_plan_runs(trends_env):
    data = plans.fetch(plans.trends(AS_OF, RANGE))
    assert data["series"]["cases"].sum() == 11  # every case is within the history


# --------------------------------------------------------------------------- spikes on the page


def synthetic_series(spike_at: datetime | None, days: int = 36, base: int = 20) -> pl.DataFrame:
    """Hourly counts of two categories, constant, ending 11-18 23:00; 'spam' gets 100 an hour for
    three hours from `spike_at`."""
    end = datetime(2026, 11, 19)
    rows = []
    for i in range(days * 24):
        bucket = end - timedelta(hours=days * 24 - i)
        rows.append({"bucket": bucket, "key": "fraud_scams", "cases": base})
        hot = spike_at is not None and spike_at <= bucket < spike_at + timedelta(hours=3)
        rows.append({"bucket": bucket, "key": "spam", "cases": 100 if hot else base})
    return pl.DataFrame(rows)


def test_spike_view_finds_and_ranks_the_spike_in_the_period():
    frame = synthetic_series(t(17, 4))
    view = tr.spike_view(frame, "category", START, END, AS_OF, hourly=True)
    assert view.episodes.height == 1
    episode = view.episodes.row(0, named=True)
    assert (episode["key"], episode["label"], episode["onset"], episode["end"]) == ("spam", "Spam", t(17, 4), t(17, 6))
    # 3 hours of 100 against a flat 20: 300 observed, 60 expected, 5x: critical; ended 11-17 07:00,
    # more than 24 h before the last complete hour (11-18 11:00): 'earlier'
    assert episode["observed"] == 300 and episode["expected"] == pytest.approx(60.0)
    assert episode["severity"] == "critical" and episode["state"] == "earlier"
    # points: only the period, and only complete hours (now is 12:00: the 12:00 hour is still filling)
    assert view.points["bucket"].min() == START
    assert view.points["bucket"].max() == t(18, 11)
    assert view.points.filter(pl.col("in_episode"))["bucket"].to_list() == [t(17, 4), t(17, 5), t(17, 6)]


def test_spike_view_states():
    ongoing = tr.spike_view(synthetic_series(t(18, 10)), "category", START, END, AS_OF, hourly=True)
    assert ongoing.episodes["state"].to_list() == ["ongoing"]  # 10:00 and 11:00 hot, the last complete hours
    recent = tr.spike_view(synthetic_series(t(18, 2)), "category", START, END, AS_OF, hourly=True)
    assert recent.episodes["state"].to_list() == ["recent"]  # ended 04:00, within 24 h of 12:00
    quiet = tr.spike_view(synthetic_series(None), "category", START, END, AS_OF, hourly=True)
    assert quiet.episodes.height == 0


def test_spike_view_ranks_ongoing_first_then_severity():
    frame = synthetic_series(t(16, 4))
    # fraud_scams: 40 an hour (2x) for the last two complete hours: ongoing, medium
    frame = frame.with_columns(
        pl.when((pl.col("key") == "fraud_scams") & (pl.col("bucket") >= t(18, 10)) & (pl.col("bucket") <= t(18, 11)))
        .then(40).otherwise(pl.col("cases")).alias("cases"))
    view = tr.spike_view(frame, "category", START, END, AS_OF, hourly=True)
    assert view.episodes.select("key", "state", "severity").rows() == [
        ("fraud_scams", "ongoing", "medium"), ("spam", "earlier", "critical")]


def test_spike_view_without_a_complete_bucket():
    # A period that starts now: nothing complete to judge yet, and no error.
    view = tr.spike_view(synthetic_series(None), "category", t(18, 12), END, AS_OF, hourly=True)
    assert view.points.filter(pl.col("bucket") >= t(18, 12)).height == 0
    assert view.episodes.height == 0


def test_judged_end_and_default_buckets():
    assert tr.judged_end(END, AS_OF, hourly=True) == t(18, 12)
    assert tr.judged_end(END, datetime(2026, 11, 18, 12, 59), hourly=True) == t(18, 12)
    assert tr.judged_end(END, AS_OF, hourly=False) == t(18, 0)
    assert tr.judged_end(datetime(2026, 11, 10), AS_OF, hourly=True) == datetime(2026, 11, 10)
    assert tr.default_hourly(START, START + timedelta(days=14)) is True
    assert tr.default_hourly(START, START + timedelta(days=15)) is False


# --------------------------------------------------------------------------- Home's rising categories


def home_hourly(spikes_at: dict[str, tuple[datetime, int, int]]) -> pl.DataFrame:
    """Hourly counts in the 29 days before 11-18 12:00: fraud_scams 20, spam 10, hate 30 an hour,
    except `category: (start, hours, count)` overrides; every case on chat in AMER, so each
    category's narrower watched series are the category series itself."""
    hour = datetime(2026, 11, 18, 12)
    rows = []
    for i in range(29 * 24):
        bucket = hour - timedelta(days=29) + timedelta(hours=i)
        for category, base in (("fraud_scams", 20), ("spam", 10), ("hate", 30)):
            value = base
            if category in spikes_at:
                start, hours, count = spikes_at[category]
                if start <= bucket < start + timedelta(hours=hours):
                    value = count
            rows.append({"category": category, "surface": "chat", "region": "AMER", "bucket": bucket, "cases": value})
    return pl.DataFrame(rows)


def home_rising(hourly: pl.DataFrame, as_of: datetime, top_n: int = 3) -> pl.DataFrame:
    """Home's rising categories: the spike record of the cells at as_of, as Home reads it."""
    from watchfloor import spike_record
    from watchfloor.home_figures import rising_categories

    return rising_categories(spike_record.build(hourly, spike_record.hour_of(as_of)), hourly, as_of, top_n)


def test_home_rising_categories_from_the_detector():
    """spam: 40 an hour (4x) for 11-18 09:00-11:00, the last three complete hours: ongoing, high.
    fraud_scams: 100 an hour (5x) for 11-17 20:00-21:00, ended within the last 24 h: critical.
    hate: 90 an hour for 11-16 10:00-12:00: more than 24 h ago, not rising.
    Ongoing ranks first. Counts over the last 24 h [11-17 12:00, 11-18 12:00):
      spam 21 x 10 + 3 x 40 = 330; a week earlier [11-10 12:00, 11-11 12:00): 24 x 10 = 240.
      fraud 22 x 20 + 2 x 100 = 640; a week earlier 480.
    Episode totals: spam 3 x 40 = 120 against 3 x 10 = 30; fraud 200 against 40.
    Every case is on chat in AMER: the narrower series (also judged with FINE_SCOPE: excess 30 and
    80 an hour >= 20, ratio 4 and 5 >= 2) fire over the same hours with the same excess, so the
    narrowest, chat x AMER, labels each alert."""
    hourly = home_hourly({"spam": (t(18, 9), 3, 40), "fraud_scams": (t(17, 20), 2, 100), "hate": (t(16, 10), 3, 90)})
    rising = home_rising(hourly, datetime(2026, 11, 18, 12, 30))
    assert rising.select("category", "surface", "region", "state", "onset", "severity", "last_24h",
                         "week_before").rows() == [
        ("spam", "chat", "AMER", "ongoing", t(18, 9), "high", 330, 240),
        ("fraud_scams", "chat", "AMER", "ended", t(17, 20), "critical", 640, 480),
    ]
    assert rising["cases"].to_list() == [120, 200]
    assert rising["expected"].to_list() == pytest.approx([30.0, 40.0])
    assert home_rising(hourly, datetime(2026, 11, 18, 12, 30), top_n=1)["category"].to_list() == ["spam"]
    assert home_rising(home_hourly({}), datetime(2026, 11, 18, 12)).height == 0


def test_value_labels():
    assert tr.value_label("category", "fraud_scams") == "Fraud & scams"
    assert tr.value_label("surface", "api") == "API"
    assert tr.value_label("surface", "image_gen") == "Image gen"
    assert tr.value_label("region", "EMEA") == "EMEA"
    assert tr.value_label("language", "pt") == "pt"
    assert tr.value_label("source", "user_report") == "User report"
    assert tr.value_label("subcategory", "seo_spam") == "Seo spam"


def test_data_that_begins_inside_the_history_is_no_spike():
    """A warehouse whose data begins 10 days before the period (inside the detector's 29 days):
    the hours before are unknown, not zero, so the jump from nothing to the usual 20 an hour is
    no spike, on the page or on Home; a burst in the period is still found."""
    young = synthetic_series(None, days=13)  # from 11-06 00:00
    assert young["bucket"].min() == datetime(2026, 11, 6)
    assert tr.spike_view(young, "category", START, END, AS_OF, hourly=True).episodes.height == 0
    burst = synthetic_series(t(17, 4), days=13)
    assert tr.spike_view(burst, "category", START, END, AS_OF, hourly=True).episodes["onset"].to_list() == [t(17, 4)]
    # Home: data from 11-16 00:00 only, flat: nothing rises; then a 3-hour burst the detector sees
    # (it judges from the 25th hour, and knows how noisy the series is once a day of residuals is
    # in: from 11-18 00:00)
    cell = [pl.lit("chat").alias("surface"), pl.lit("AMER").alias("region")]
    hourly = (synthetic_series(None, days=3).rename({"key": "category"}).with_columns(cell)
              .filter(pl.col("bucket") < t(18, 12)))
    assert hourly["bucket"].min() == t(16, 0)
    assert home_rising(hourly, AS_OF).height == 0
    hot = (synthetic_series(t(18, 9), days=3).rename({"key": "category"}).with_columns(cell)
           .filter(pl.col("bucket") < t(18, 12)))
    assert home_rising(hot, AS_OF)["category"].to_list() == ["spam"]


def test_the_detector_asked_as_of_its_last_complete_bucket_says_the_same():
    """The Trends page asks the detector as of the end of the last complete bucket (so its figures are
    kept per bucket, not per refresh interval): every figure is the same as asked at any minute after."""
    frame = synthetic_series(t(18, 10))
    for hourly in (True, False):
        exact = tr.spike_view(frame, "category", START, END, t(18, 12, 47), hourly=hourly)
        floored = tr.spike_view(frame, "category", START, END, tr.judged_end(END, t(18, 12, 47), hourly), hourly=hourly)
        assert exact.points.equals(floored.points) and exact.episodes.equals(floored.episodes)
    assert tr.judged_end(END, t(18, 12, 47), True) == t(18, 12)
