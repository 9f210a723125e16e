"""The spike record (watchfloor.spike_record) on the hand-worked series of test_watched_spikes: one
category, impersonation, six cells of exactly 10 cases an hour for the 29 days before 2026-11-18
12:00, and image_gen x APAC +25 an hour at 06:00, 07:00 and 08:00 on 11-18 (why the expected
counts are exactly 10 an hour and the tails Poisson: that module's docstring).

Worked by hand: one alert, of image_gen x APAC (the category, 85 against 60, and image_gen, APAC
stay below their minimum ratios); onset 06:00, last elevated hour 08:00, so until 09:00 and three
hours; observed 3 x 35 = 105 against 3 x 10 = 30 expected: excess 75, multiplier 3.5; peak 06:00
(the first of three equal scores), 35 against 10; peak ratio 3.5 >= 3: 'high'; it ended at 09:00,
within 24 hours of the last complete hour (11:00): 'recent'.

And every page reads those very figures, whatever period it shows.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from tests.warehouses.watched_spikes import AS_OF, CATEGORY, HOUR, LAST, NARROW, START, at, cells
from watchfloor import executive as ex
from watchfloor import incidents as inc
from watchfloor import spike_record
from watchfloor import trends as tr
from watchfloor.home_figures import rising_categories

HAND = {"category": CATEGORY, "surface": "image_gen", "region": "APAC", "level": "category x surface x region",
        "label": "Impersonation · Image gen · APAC", "onset": at(6), "peak": at(6), "end": at(8), "until": at(9),
        "hours": 3, "observed": 105.0, "excess": 75.0, "multiplier": 3.5, "peak_observed": 35.0,
        "severity": "high", "ongoing": False, "state": "recent", "kind": "spike"}
TEXTS = {"span_text": "11-18 06:00 – 11-18 09:00", "peak_text": "11-18 06:00 (35 vs 10)", "multiplier_text": "3.5×",
         "excess_text": "75"}


@pytest.fixture(scope="module")
def record() -> spike_record.SpikeRecord:
    return spike_record.build(cells(NARROW), spike_record.hour_of(AS_OF))


def test_the_record_of_the_hand_worked_series(record):
    assert (record.first, record.last) == (START, LAST)  # the data begins inside the window
    assert record.spikes.height == 1
    spike = record.spikes.row(0, named=True)
    numbers = {k for k, v in HAND.items() if isinstance(v, float)}
    assert {k: spike[k] for k in HAND if k not in numbers} == {k: v for k, v in HAND.items() if k not in numbers}
    assert [spike[k] for k in sorted(numbers)] == pytest.approx([HAND[k] for k in sorted(numbers)])
    assert spike["expected"] == pytest.approx(30.0) and spike["peak_expected"] == pytest.approx(10.0)
    assert spike["spike_id"] == "impersonation@2026-11-18T06"
    shown = spike_record.texts(record.spikes).row(0, named=True)
    assert {k: shown[k] for k in TEXTS} == TEXTS
    assert spike_record.describe(spike) == ("High spike in Impersonation · Image gen · APAC, 11-18 06:00 – 11-18 09:00 "
                                            "UTC, peak 11-18 06:00 (35 vs 10): 3.5× expected, 75 extra cases")


def test_the_window_is_fixed_before_now_snapped_to_the_hour():
    for moment in (AS_OF, HOUR, HOUR + timedelta(minutes=59, seconds=59)):
        assert spike_record.query_params(moment) == {"history_start": HOUR - spike_record.HISTORY, "until": HOUR}
    # Within the hour the record is the same; hours outside the window are left out.
    later = spike_record.build(cells(NARROW), spike_record.hour_of(HOUR + timedelta(minutes=59)))
    assert later.spikes.equals(spike_record.build(cells(NARROW), HOUR).spikes)
    far = HOUR + spike_record.HISTORY  # the whole series is older than the window
    assert spike_record.build(cells(NARROW), far).first == far - spike_record.HISTORY
    assert spike_record.build(cells(NARROW).clear(), HOUR).spikes.height == 0
    assert spike_record.coverage_note(spike_record.empty(), HOUR) is not None


def test_every_page_shows_the_same_spike_whatever_its_period(record):
    """Trends (a short and a long period), Home, Incidents and the Executive summary (a week and a
    quarter) each list the spike with the record's onset, end, peak, multiplier and excess."""
    frame = cells(NARROW)
    expected = record.spikes.row(0, named=True)
    keys = ("onset", "until", "peak", "multiplier", "excess", "severity", "label")
    shown = []
    for start, end in ((datetime(2026, 11, 18), datetime(2026, 11, 19)), (datetime(2026, 10, 1), datetime(2026, 12, 1))):
        listed = tr.spike_list(tr.spike_view(pl.DataFrame(schema={"key": pl.String, "bucket": pl.Datetime("us"),
                                                                  "cases": pl.Int64}), "category", start, end, AS_OF, True),
                               tr.watched_view(record, [CATEGORY], start, end), "category")
        shown.append(listed.rename({"ratio": "multiplier"}).row(0, named=True))
    shown.append(rising_categories(record, frame, AS_OF).row(0, named=True))
    incident = {"incident_id": "INC-0001", "category": CATEGORY, "started_at": at(7) + timedelta(minutes=12),
                "mitigated_at": at(10), "resolved_at": None}
    shown.append(inc.detected_spike(record, incident, AS_OF))
    for period in (ex.period_for(ex.WEEK, AS_OF), ex.period_for(ex.QUARTER, AS_OF), ex.last_7_days(AS_OF)):
        shown.append(ex.top_spikes(record, period).row(0, named=True))
    for row in shown:
        assert {k: row[k] for k in keys} == {k: expected[k] for k in keys}
    # and written the same: Home's table and the Executive tile show the record's texts
    home = spike_record.texts(rising_categories(record, frame, AS_OF)).row(0, named=True)
    assert {k: home[k] for k in TEXTS} == TEXTS == {k: shown[-1][k] for k in TEXTS}
    # A period the spike does not touch lists nothing; an incident of another category finds nothing.
    assert tr.watched_view(record, [CATEGORY], at(9), at(12)).alerts.height == 0
    assert tr.watched_view(record, [CATEGORY], at(8), at(9)).alerts.height == 1
    assert ex.top_spikes(record, ex.custom_period(date(2026, 11, 1), date(2026, 11, 17), AS_OF)).height == 0
    assert inc.detected_spike(record, {**incident, "category": "spam"}, AS_OF) is None
    # an incident that started more than a day after the spike ended is not its
    assert inc.detected_spike(record, {**incident, "started_at": at(9) + timedelta(hours=24, minutes=1),
                                       "mitigated_at": None}, AS_OF + timedelta(days=2)) is None
