"""The executive summary: which period, against which, and the figures from the named queries.

A period is a half-open UTC interval [start, end) cut at the dashboard's now; the comparison
period is the one before it, of the same kind (the week, month or quarter before, or as many days
before for the last 7 days and custom ranges). A period still running ("to date") is compared with
the same length of the period before, so a half month is never set against a whole one.
No Streamlit here: the page and the export both use these functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import cast, overload

import polars as pl

from watchfloor import metrics, spike_record
from watchfloor.compare import Change, describe_count_change, describe_relative_change, describe_share_change
from watchfloor.formatting import format_value
from watchfloor.spike_record import SpikeRecord

LAST_7_DAYS = "last_7_days"
WEEK = "week"
MONTH = "month"
QUARTER = "quarter"
CUSTOM = "custom"
PERIOD_KINDS = {LAST_7_DAYS: "Last 7 days", WEEK: "Week", MONTH: "Month", QUARTER: "Quarter", CUSTOM: "Custom"}
MAX_CUSTOM_DAYS = 400
CURRENT, PREVIOUS = "current", "previous"


class PeriodError(ValueError):
    """A period that cannot be shown; the message says why, in the user's words."""


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, already cut at now
    previous_start: datetime
    previous_end: datetime  # == start
    label: str
    previous_label: str
    to_date: bool = False

    def sql_params(self) -> dict[str, datetime]:
        # The comparison period always ends where the current one starts (see the constructors),
        # except for a to-date period, whose comparison is shortened: its end is passed too.
        return {
            "period_start": self.start,
            "period_end": self.end,
            "previous_start": self.previous_start,
            "previous_end": self.previous_end,
        }

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _fmt(a: datetime, b: datetime) -> str:
    """'2026-11-11 12:00 – 2026-11-18 12:00' or, for whole days, '2026-11-11 – 2026-11-17'."""
    if a.time() == time.min and b.time() == time.min:
        last = b - timedelta(days=1)
        return f"{a:%Y-%m-%d}" if last.date() == a.date() else f"{a:%Y-%m-%d} – {last:%Y-%m-%d}"
    return f"{a:%Y-%m-%d %H:%M} – {b:%Y-%m-%d %H:%M}"


def last_7_days(as_of: datetime) -> Period:
    """The default: the 7 × 24 hours up to now, against the 7 × 24 hours before."""
    start = as_of - timedelta(days=7)
    previous = start - timedelta(days=7)
    return Period(LAST_7_DAYS, start, as_of, previous, start, _fmt(start, as_of), _fmt(previous, start))


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _calendar(kind: str, first_day: date, as_of: datetime) -> Period:
    if kind == WEEK:
        first_day = week_start(first_day)
        nxt, before = first_day + timedelta(days=7), first_day - timedelta(days=7)
        name = f"week of {first_day:%Y-%m-%d}"
    elif kind == MONTH:
        first_day = month_start(first_day)
        nxt, before = _add_months(first_day, 1), _add_months(first_day, -1)
        name = f"{first_day:%B %Y}"
    elif kind == QUARTER:
        first_day = quarter_start(first_day)
        nxt, before = _add_months(first_day, 3), _add_months(first_day, -3)
        name = f"Q{(first_day.month - 1) // 3 + 1} {first_day.year}"
    else:
        raise PeriodError(f"unknown period kind: {kind!r}")
    start, end, prev_start = _midnight(first_day), _midnight(nxt), _midnight(before)
    if start >= as_of:
        raise PeriodError(f"the {name} has not started yet")
    if end <= as_of:
        return Period(kind, start, end, prev_start, start, f"{name} ({_fmt(start, end)})", _fmt(prev_start, start))
    # Still running: cut at now, and compare with as long a stretch of the period before.
    elapsed = as_of - start
    prev_end = prev_start + elapsed
    return Period(kind, start, as_of, prev_start, prev_end, f"{name} to date ({_fmt(start, as_of)})",
                  _fmt(prev_start, prev_end), to_date=True)


def calendar_period(kind: str, day: date, as_of: datetime) -> Period:
    """The week (Monday–Sunday), month or quarter holding `day`, against the one before."""
    return _calendar(kind, day, as_of)


def custom_period(first: date, last: date, as_of: datetime) -> Period:
    """Whole UTC days `first`..`last` (inclusive), against as many days just before."""
    if last < first:
        raise PeriodError("the first day is after the last day")
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise PeriodError(f"a custom period can be at most {MAX_CUSTOM_DAYS} days long")
    start, end = _midnight(first), _midnight(last + timedelta(days=1))
    if start >= as_of:
        raise PeriodError("the period starts after now")
    length = end - start
    prev_start = start - length
    cut = min(end, as_of)
    label = _fmt(start, end) + (" (to date)" if cut < end else "")
    if cut < end:
        return Period(CUSTOM, start, cut, prev_start, prev_start + (cut - start), label,
                      _fmt(prev_start, prev_start + (cut - start)), to_date=True)
    return Period(CUSTOM, start, end, prev_start, start, label, _fmt(prev_start, start))


def recent_periods(kind: str, as_of: datetime, count: int = 8) -> list[date]:
    """First days of the `count` most recent weeks, months or quarters (newest first) to choose from."""
    today = as_of.date()
    if kind == WEEK:
        first = week_start(today)
        return [first - timedelta(days=7 * i) for i in range(count)]
    step = 1 if kind == MONTH else 3
    first = month_start(today) if kind == MONTH else quarter_start(today)
    return [_add_months(first, -step * i) for i in range(count)]


def period_for(kind: str, as_of: datetime, *, day: date | None = None, first: date | None = None,
               last: date | None = None) -> Period:
    """The period the page's controls describe."""
    if kind == LAST_7_DAYS:
        return last_7_days(as_of)
    if kind in (WEEK, MONTH, QUARTER):
        return calendar_period(kind, day or as_of.date(), as_of)
    if kind == CUSTOM:
        if first is None or last is None:
            raise PeriodError("pick the first and the last day of the period")
        return custom_period(first, last, as_of)
    raise PeriodError(f"unknown period kind: {kind!r}")


# --------------------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figure:
    """One number of the summary, this period against the one before."""

    key: str
    label: str
    change: Change
    kind: str  # 'count', 'share' or 'duration'
    page: str  # the page behind it
    help: str
    higher_is_better: bool | None = True
    note: str = ""
    window: str = metrics.PERIOD  # the window it is counted over (watchfloor.metrics): every tile here, the period


def window_label(figure: Figure, period: Period) -> str:
    """The figure's window as its tile says it beside the number: 'selected period: 11-11 – 11-17'
    (the first and last day of the period; the caption above the tiles gives it to the minute), or
    'last 24 h' / 'now' for a figure of another window (watchfloor.metrics)."""
    if figure.window != metrics.PERIOD:
        return figure.window
    last = (period.end - timedelta(microseconds=1)).date()
    days = f"{period.start:%m-%d}" if last == period.start.date() else f"{period.start:%m-%d} – {last:%m-%d}"
    return f"{metrics.PERIOD}: {days}"


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _row(frame: pl.DataFrame, period: str, **match) -> dict | None:
    rows = frame.filter(pl.col("period") == period)
    for key, value in match.items():
        rows = rows.filter(pl.col(key).is_null() if value is None else pl.col(key) == value)
    return rows.row(0, named=True) if rows.height else None


@overload
def _get(row: dict | None, column: str) -> float: ...
@overload
def _get(row: dict | None, column: str, default: float) -> float: ...
@overload
def _get(row: dict | None, column: str, default: float | None) -> float | None: ...
def _get(row: dict | None, column: str, default: float | None = 0) -> float | None:
    if row is None:
        return default
    value = row.get(column)
    return default if value is None else value


def case_totals(cases: pl.DataFrame) -> dict[str, dict[str, float | None]]:
    """executive_cases' whole-period rows, per period: the counts and the medians."""
    out: dict[str, dict[str, float | None]] = {}
    for period in (CURRENT, PREVIOUS):
        row = _row(cases.filter(pl.col("level") == "total"), period)
        # No row for the period before: no case was created or resolved there (e.g. before the
        # warehouse's data begins), so there is nothing to compare with rather than zeros.
        out[period] = {
            column: None if row is None and period == PREVIOUS else _get(row, column, None if column.startswith("median") else 0)
            for column in ("created", "resolved", "actioned", "actioned_proactive", "automated", "human",
                           "notices", "trusted_flagger_notices", "orders", "notices_actioned",
                           "median_time_to_action_s", "median_notice_time_to_action_s")
        }
    return out


def attainment(sla: pl.DataFrame, period: str, clock: str | None = None) -> float | None:
    """met ÷ (met + breached) over one clock, or over both clocks together when `clock` is None."""
    rows = sla.filter(pl.col("period") == period)
    if clock is not None:
        rows = rows.filter(pl.col("clock") == clock)
    return metrics.attainment(cast(int, rows["met"].sum()), cast(int, rows["breached"].sum()))


def escalations(frame: pl.DataFrame, period: str, priorities: tuple[str, ...] = ("P0", "P1")) -> int:
    rows = frame.filter((pl.col("period") == period) & pl.col("priority").is_in(list(priorities)))
    return int(rows["escalated_cases"].sum())


def severe_incidents(incidents: pl.DataFrame, period: str, severities: tuple[str, ...] = ("SEV0", "SEV1")) -> pl.DataFrame:
    """The incidents that started in the period with one of the severities, most severe and earliest first."""
    return (incidents.filter((pl.col("period") == period) & pl.col("severity").is_in(list(severities)))
            .sort("severity", "started_at"))


def appeals(frame: pl.DataFrame, period: str) -> dict[str, float | None]:
    row = _row(frame, period)
    filed, decided, overturned = (int(_get(row, c)) for c in ("filed", "decided", "overturned"))
    return {"filed": filed, "decided": decided, "overturned": overturned, "overturn_rate": _ratio(overturned, decided)}


def headline(cases: pl.DataFrame, sla: pl.DataFrame, escalated: pl.DataFrame, incidents: pl.DataFrame,
             appeal_rows: pl.DataFrame) -> list[Figure]:
    """The tiles of the summary, in order."""
    totals = case_totals(cases)
    cur, prev = totals[CURRENT], totals[PREVIOUS]

    def both(fn) -> Change:
        return Change(fn(CURRENT), fn(PREVIOUS))

    actioned_share = Change(_ratio(cur["actioned"], cur["resolved"]), _ratio(prev["actioned"], prev["resolved"]))
    proactive = Change(_ratio(cur["actioned_proactive"], cur["actioned"]), _ratio(prev["actioned_proactive"], prev["actioned"]))
    automated = Change(_ratio(cur["automated"], cur["resolved"]), _ratio(prev["automated"], prev["resolved"]))
    appeal_now, appeal_before = appeals(appeal_rows, CURRENT), appeals(appeal_rows, PREVIOUS)
    fa, res = both(lambda p: attainment(sla, p, "first_action")), both(lambda p: attainment(sla, p, "resolution"))
    sev = both(lambda p: severe_incidents(incidents, p).height)
    sev_now = severe_incidents(incidents, CURRENT)
    figures = [
        Figure("volume", "Volume", Change(cur["created"], prev["created"]), "count", "trends",
               "Cases created in the period (the actioned share is over the cases resolved in it).", None,
               note="cases created"),
        Figure("actioned_share", "Actioned share", actioned_share, "share", "trends",
               "Cases resolved in the period with an enforcement action (not 'none') ÷ cases resolved in the period.",
               None, note=f"{int(cur['actioned'] or 0):,} of {int(cur['resolved'] or 0):,} resolved"),
        Figure("proactive_rate", "Proactive rate", proactive, "share", "trends",
               "Actioned cases found by a classifier or by proactive investigation ÷ actioned cases (resolved in the period)."),
        Figure("median_time_to_action", "Median time to action", Change(cur["median_time_to_action_s"], prev["median_time_to_action_s"]),
               "duration", "sla", "Median of resolved − created over the cases actioned in the period.", False),
        Figure("sla_attainment", "First-action SLA", fa, "share", "sla",
               "Met ÷ (met + breached) over first-action clocks that stopped or breached in the period (the SLA page's clock).",
               note=f"resolution {format_value(res.current, 'share')}"),
        Figure("escalations", "P0 + P1 escalations", both(lambda p: escalations(escalated, p)), "count", "sla",
               "Cases of priority P0 or P1 escalated to a higher tier in the period (each case once).", None,
               note=" · ".join(f"{p} {escalations(escalated, CURRENT, (p,)):,}" for p in ("P0", "P1"))),
        Figure("severe_incidents", "SEV0 + SEV1 incidents", sev, "count", "incidents",
               "Incidents of severity SEV0 or SEV1 that started in the period.", False,
               note=" · ".join(f"{s} {sev_now.filter(pl.col('severity') == s).height}" for s in ("SEV0", "SEV1"))),
        Figure("overturn_rate", "Appeals overturned", Change(appeal_now["overturn_rate"], appeal_before["overturn_rate"]),
               "share", "quality", "Appeals decided in the period that overturned the decision ÷ appeals decided in the period.",
               False, note=f"{appeal_now['overturned']:,} of {appeal_now['decided']:,} · {appeal_now['filed']:,} filed"),
        Figure("automated_share", "Automated decisions", automated, "share", "trends",
               "Cases resolved in the period by an automated decision ÷ cases resolved in the period.", None,
               note=f"{int(cur['automated'] or 0):,} auto · {int(cur['human'] or 0):,} human"),
    ]
    if not comparable(cases):
        # Nothing to compare with: no change is shown rather than a rise from zero.
        figures = [replace(f, change=Change(f.change.current, None)) for f in figures]
    return figures


def comparable(cases: pl.DataFrame) -> bool:
    """False when no case was created or resolved in the period before (e.g. it lies before the
    warehouse's data begins): then no figure of the summary shows a change."""
    return case_totals(cases)[PREVIOUS]["created"] is not None


def enforcement_by_action(cases: pl.DataFrame) -> pl.DataFrame:
    """Actioned cases per enforcement action, this period and the one before, most first."""
    rows = cases.filter((pl.col("level") == "action") & pl.col("action").is_not_null() & (pl.col("action") != "none"))
    wide = (rows.group_by("action").agg(
        pl.col("actioned").filter(pl.col("period") == CURRENT).sum().alias("current"),
        pl.col("actioned").filter(pl.col("period") == PREVIOUS).sum().alias("previous"),
    ).filter((pl.col("current") > 0) | (pl.col("previous") > 0)))
    return wide.sort(["current", "action"], descending=[True, False])


def notices_by_category(cases: pl.DataFrame) -> pl.DataFrame:
    """The DSA counts per category: notices (user reports and trusted flaggers) received, of them from
    trusted flaggers, orders from authorities, notices actioned and their median time to action."""
    rows = cases.filter(pl.col("level") == "category")
    cur = rows.filter(pl.col("period") == CURRENT).select(
        "category", "notices", "trusted_flagger_notices", "orders", "notices_actioned", "median_notice_time_to_action_s")
    prev = rows.filter(pl.col("period") == PREVIOUS).select("category", pl.col("notices").alias("previous_notices"))
    table = cur.join(prev, on="category", how="full", coalesce=True).with_columns(
        pl.col(c).fill_null(0) for c in ("notices", "trusted_flagger_notices", "orders", "notices_actioned", "previous_notices"))
    table = table.filter((pl.col("notices") > 0) | (pl.col("orders") > 0) | (pl.col("previous_notices") > 0))
    return table.sort(["notices", "category"], descending=[True, False])


def top_rising_categories(cases: pl.DataFrame, top_n: int = 3) -> pl.DataFrame:
    """The categories whose volume rose most against the period before, by the Poisson score
    (c − p) ÷ √(p + 1) (as Home ranks them), among those that rose.
    Both periods have the same length, so the counts compare directly."""
    rows = cases.filter(pl.col("level") == "category")
    wide = rows.group_by("category").agg(
        pl.col("created").filter(pl.col("period") == CURRENT).sum().alias("current"),
        pl.col("created").filter(pl.col("period") == PREVIOUS).sum().alias("previous"),
    )
    wide = wide.with_columns(
        ((pl.col("current") - pl.col("previous")) / (pl.col("previous") + 1).sqrt()).alias("score"),
        pl.when(pl.col("previous") > 0).then(pl.col("current") / pl.col("previous") - 1).alias("change_share"),
    )
    return wide.filter(pl.col("current") > pl.col("previous")).sort(["score", "category"], descending=[True, False]).head(top_n)


# --------------------------------------------------------------------------- top spikes


def top_spikes(record: SpikeRecord, period: Period, top_n: int = 3) -> pl.DataFrame:
    """The spike record's spikes (watchfloor.spike_record: the same record, with the same figures,
    whatever the period) whose hours overlap the period, bursts left out: most severe first, then
    by extra cases (observed − expected), then by category; at most top_n. The record's columns
    and its texts (spike_record.texts)."""
    found = record.overlapping(period.start, period.end).filter(pl.col("kind") == "spike")
    ranked = (found.with_columns(pl.col("severity").replace_strict(spike_record.SEVERITY_RANK,
                                                                   return_dtype=pl.Int64).alias("rank"))
              .sort(["rank", "excess", "category"], descending=[False, True, False]).head(top_n))
    return spike_record.texts(ranked)


def spikes_note(record: SpikeRecord, period: Period,
                stamp: Callable[[datetime], str] = spike_record.utc_hour) -> str | None:
    """What the Top spikes tile says when the record does not reach back to the period's start."""
    return spike_record.coverage_note(record, period.start, stamp)


# --------------------------------------------------------------------------- display


def scope_label(filters) -> str:
    """The sidebar filters in force, in words ('' when none): 'region EMEA / APAC, priority P0'."""
    parts = (("region", filters.regions), ("vertical", filters.verticals), ("priority", filters.priorities),
             ("vendor", filters.vendors))
    return ", ".join(f"{name} {' / '.join(values)}" for name, values in parts if values)


def describe_change(figure: Figure) -> str | None:
    """The delta text of a tile: counts '+12 (+8%)', shares in percentage points, durations relative."""
    change = figure.change
    if figure.kind == "share":
        return describe_share_change(change)
    if figure.kind == "duration":
        if change.current is None or change.previous is None:
            return None
        text = describe_relative_change(change)
        return "no change" if text in ("+0%", "-0%") else text
    return describe_count_change(change)


def figures_table(period: Period, figures: list[Figure], enforcement: pl.DataFrame, notices: pl.DataFrame,
                  incidents: pl.DataFrame, rising: pl.DataFrame, spike_rows: pl.DataFrame | None = None) -> pl.DataFrame:
    """Every figure of the summary as one long table (the CSV export): section, figure, current, previous."""
    rows: list[tuple[str, str, float | None, float | None]] = []
    for f in figures:
        rows.append(("headline", f.label + (" (seconds)" if f.kind == "duration" else ""), f.change.current, f.change.previous))
    for r in enforcement.iter_rows(named=True):
        rows.append(("enforcement by action", r["action"], r["current"], r["previous"]))
    for r in notices.iter_rows(named=True):
        c = r["category"]
        rows.append(("notices by category", f"{c}: notices", r["notices"], r["previous_notices"]))
        rows.append(("notices by category", f"{c}: from trusted flaggers", r["trusted_flagger_notices"], None))
        rows.append(("notices by category", f"{c}: orders from authorities", r["orders"], None))
        rows.append(("notices by category", f"{c}: notices actioned", r["notices_actioned"], None))
        rows.append(("notices by category", f"{c}: median time to action (seconds)", r["median_notice_time_to_action_s"], None))
    for r in rising.iter_rows(named=True):
        rows.append(("top rising categories", r["category"], r["current"], r["previous"]))
    for r in (spike_rows if spike_rows is not None else pl.DataFrame()).iter_rows(named=True):
        # a spike's cases against the detector's expected count (in the 'previous' column)
        rows.append(("top spikes", f"{r['label']} {r['severity']} {r['span_text']} UTC",
                     r["observed"], r["expected"]))
    for r in incidents.iter_rows(named=True):
        rows.append(("SEV0 and SEV1 incidents", f"{r['incident_id']} {r['severity']}: {r['title']}", None, None))
    frame = pl.DataFrame(rows, schema={"section": pl.String, "figure": pl.String, "current": pl.Float64,
                                       "previous": pl.Float64}, orient="row")
    return frame.with_columns(pl.lit(period.label).alias("period"), pl.lit(period.previous_label).alias("compared_with"))
