"""Capacity: reviewers needed per queue group and hour, against the roster, and what follows.

A *queue group* is a staffing pool: the queues of one team (`queues.team`; a queue without a
team is a group of its own). Reviewers on a shift for any queue of a team work all of that
team's queues, so the group is where arrivals pool and where the roster can be compared.

From the named queries (queries/capacity_*.sql) and the demand forecast (watchfloor.forecast):

- `groups`: each group's label, region, tier, first-action target and measured AHT;
- `roster_matrix`: reviewer-hours on the roster per group and hour, the published roster
  repeated week by week beyond its last shift;
- `staffing_plan`: per group and hour, arrivals, offered load, reviewers needed on the floor
  by Erlang C (watchfloor.erlang), head count to schedule after shrinkage, the roster, the gap
  and the service level the roster gives; the what-if `Scenario` changes arrivals, AHT,
  targets, service level, occupancy cap and shrinkage before the numbers are worked out;
- `backlog_projection`: backlog and expected first-action breaches for the next 48 hours;
- `vendor_hours`: reviewer-hours needed per vendor and week against the contract, and the
  cost of the difference.

docs/metrics.md ("Capacity") defines every figure. No Streamlit here; all vectorised numpy.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import cast

import numpy as np
import polars as pl

from watchfloor import erlang
from watchfloor import forecast as fc
from watchfloor.config import ConfigError

HORIZON_HOURS = 14 * 24         # the staffing plan, from the current hour
FORECAST_HOURS = 15 * 24        # the forecast, from 00:00 UTC today: covers the plan all day
BACKLOG_HOURS = 48              # the backlog projection
FIT_DAYS = 42                   # history the forecast is fitted on
BACKTEST_DAYS = 28              # the backtest's test period: the last 4 weeks
BACKTEST_ORIGINS_DAYS = (28, 21, 14)   # origins, days before now; each forecasts HORIZON_HOURS
# The interval is calibrated on the forecast of the 14 days before the origin, fitted on the
# FIT_DAYS before those (watchfloor.forecast.forecast_calibrated): the plan's own horizon.
CALIBRATION_DAYS = 14
FORECAST_HISTORY_DAYS = CALIBRATION_DAYS + FIT_DAYS      # what one forecast reads
HISTORY_DAYS = FORECAST_HISTORY_DAYS + BACKTEST_DAYS     # what the arrivals query reads
AHT_DAYS = 7                    # handle time measured over this many days
ROSTER_LOOKBACK_DAYS = 28       # the vendor mix of each group, and room to repeat the roster
SEASONS = [24, 168]             # daily and weekly, in hours
WEEK = 168


@dataclass(frozen=True)
class Defaults:
    """Planning defaults (docs/configuration.md); each can be changed on the page."""

    service_level: float = 0.80
    max_occupancy: float = 0.85
    shrinkage: float = 0.25


def defaults() -> Defaults:
    """Defaults from WATCHFLOOR_CAPACITY_SERVICE_LEVEL, _MAX_OCCUPANCY and _SHRINKAGE (fractions)."""
    base = Defaults()
    values = {}
    for name, low, high, low_open, high_open in (("service_level", 0.0, 1.0, True, True),
                                                 ("max_occupancy", 0.0, 1.0, True, False),
                                                 ("shrinkage", 0.0, 1.0, False, True)):
        env = f"WATCHFLOOR_CAPACITY_{name.upper()}"
        raw = os.environ.get(env, "").strip()
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{env} must be a number, got {raw!r}") from None
        if not (math.isfinite(value) and (value > low if low_open else value >= low)
                and (value < high if high_open else value <= high)):
            raise ConfigError(f"{env} must be a fraction {'above' if low_open else 'from'} {low:g} "
                              f"{'and below' if high_open else 'up to'} {high:g}, got {raw!r}")
        values[name] = value
    return replace(base, **values)


@dataclass(frozen=True)
class Spike:
    """A spike scenario: arrivals times `multiplier` for `hours` hours from `start_hour` (hours
    from now), for one group or (group None) for every group."""

    multiplier: float
    start_hour: int = 0
    hours: int = 6
    group: str | None = None


@dataclass(frozen=True)
class Scenario:
    """What-if changes; the plain Scenario() is the plan itself."""

    service_level: float = Defaults.service_level
    max_occupancy: float = Defaults.max_occupancy
    shrinkage: float = Defaults.shrinkage
    arrivals_change: float = 0.0       # +0.1: 10 % more arrivals everywhere
    aht_change: float = 0.0            # +0.1: handling takes 10 % longer
    target_minutes: float | None = None  # one first-action target for every group (None: the policies')
    spike: Spike | None = None

    @classmethod
    def from_defaults(cls, base: Defaults, **changes) -> Scenario:
        return cls(service_level=base.service_level, max_occupancy=base.max_occupancy,
                   shrinkage=base.shrinkage, **changes)


def floor_hour(value: datetime) -> datetime:
    return value.replace(minute=0, second=0, microsecond=0)


def hour_grid(start: datetime, hours: int) -> pl.Series:
    return pl.datetime_range(start, start + timedelta(hours=hours - 1), "1h", eager=True, time_unit="us").alias("hour")


def hourly_matrix(frame: pl.DataFrame, keys: list[str], key: str, value: str, start: datetime,
                  hours: int) -> np.ndarray:
    """A (keys x hours) matrix of `value` from a long frame (key, hour, value); missing cells 0."""
    if not keys:
        return np.zeros((0, hours))
    grid = pl.DataFrame({key: keys}).join(pl.DataFrame(hour_grid(start, hours)), how="cross")
    cells = frame.select(pl.col(key), pl.col("hour").cast(pl.Datetime("us")), pl.col(value).cast(pl.Float64))
    cells = cells.group_by(key, "hour").agg(pl.col(value).sum())
    dense = grid.join(cells, on=[key, "hour"], how="left").with_columns(pl.col(value).fill_null(0.0))
    # The grid is built key-major in `keys` order; the left join keeps it.
    return dense[value].to_numpy().reshape(len(keys), hours).copy()


# --- groups ------------------------------------------------------------------------------------


def groups(queues: pl.DataFrame) -> pl.DataFrame:
    """One row per queue group (team): label, region, tier, verticals, queues, the strictest
    first-action target of its queues (seconds) and its AHT (handle seconds ÷ sessions; groups
    without a session in the window take the AHT of all groups together)."""
    if queues.height == 0:
        return pl.DataFrame(schema={"team": pl.String, "label": pl.String, "region": pl.String, "tier": pl.String,
                                    "verticals": pl.String, "queues": pl.Int64, "target_seconds": pl.Float64,
                                    "sessions": pl.Int64, "aht_seconds": pl.Float64})
    total_sessions = cast(int, queues["sessions"].sum())
    overall = cast(float, queues["handle_seconds"].sum()) / total_sessions if total_sessions else 300.0
    out = queues.group_by("team").agg(
        pl.col("region").mode().sort().first().alias("region"),
        pl.col("tier").mode().sort().first().alias("tier"),
        pl.col("vertical").unique().sort().str.join(", ").alias("verticals"),
        pl.len().alias("queues"),
        (pl.col("first_action_target_min").min() * 60.0).cast(pl.Float64).alias("target_seconds"),
        pl.col("sessions").sum().alias("sessions"),
        pl.col("handle_seconds").sum().alias("handle_seconds"),
        pl.col("queue_name").first().alias("only_queue"),
    ).with_columns(
        pl.when(pl.col("sessions") > 0).then(pl.col("handle_seconds") / pl.col("sessions"))
        .otherwise(pl.lit(overall)).alias("aht_seconds"),
        # A team is named by its team; a queue on its own by its name.
        pl.when(pl.col("queues") == 1).then(pl.col("only_queue")).otherwise(pl.col("team")).alias("label"),
    )
    return out.select("team", "label", "region", "tier", "verticals", "queues", "target_seconds", "sessions",
                      "aht_seconds").sort("region", "tier", "label")


def in_scope(groups_frame: pl.DataFrame, queues: pl.DataFrame, regions: list[str], verticals: list[str]) -> list[str]:
    """Groups with at least one queue in the chosen regions and verticals (empty lists: all)."""
    chosen = queues
    if regions:
        chosen = chosen.filter(pl.col("region").is_in(regions))
    if verticals:
        chosen = chosen.filter(pl.col("vertical").is_in(verticals))
    teams = set(chosen["team"].to_list())
    return [t for t in groups_frame["team"].to_list() if t in teams]


# --- roster ------------------------------------------------------------------------------------


def roster_matrix(roster: pl.DataFrame, teams: list[str], start: datetime, hours: int) -> np.ndarray:
    """Reviewer-hours on the roster per group (rows, `teams` order) and hour from `start`.

    Hours after the last shift start in the warehouse (`published_until`) are not fully rostered
    yet: only shifts already under way reach into them. Each such hour takes the larger of what
    is rostered and the same hour of the last published week (the week before that start,
    repeated as often as needed), within the matrix.
    """
    matrix = hourly_matrix(roster, teams, "team", "reviewer_hours", start, hours)
    published = roster["published_until"].drop_nulls()
    if published.len() == 0:
        return matrix
    first_unpublished = int((floor_hour(cast(datetime, published.max())) - start).total_seconds() // 3600) + 1
    for i in range(max(first_unpublished, 0), hours):
        back = i - WEEK * math.ceil((i - first_unpublished + 1) / WEEK)
        if back >= 0:
            matrix[:, i] = np.maximum(matrix[:, i], matrix[:, back])
    return matrix


def vendor_mix(roster: pl.DataFrame, teams: list[str], since: datetime, until: datetime) -> pl.DataFrame:
    """Each group's vendors and their share of its roster hours in [since, until)."""
    past = roster.filter((pl.col("hour") >= since) & (pl.col("hour") < until) & pl.col("team").is_in(teams))
    hours = past.group_by("team", "vendor_id").agg(pl.col("reviewer_hours").sum())
    return hours.with_columns(
        (pl.col("reviewer_hours") / pl.col("reviewer_hours").sum().over("team")).alias("share")
    ).select("team", "vendor_id", "share").sort("team", "vendor_id")


# --- the staffing plan -------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Arrays (groups x hours) of the staffing plan, from `start` on, for `teams`."""

    teams: list[str]
    start: datetime
    arrivals: np.ndarray
    aht_seconds: np.ndarray       # per group (broadcast over hours)
    target_seconds: np.ndarray    # per group
    load: np.ndarray
    needed: np.ndarray            # reviewers on the floor (Erlang C, occupancy cap)
    needed_scheduled: np.ndarray  # head count to schedule: ⌈needed / (1 − shrinkage)⌉
    rostered: np.ndarray          # reviewer-hours on the roster
    on_floor: np.ndarray          # rostered × (1 − shrinkage)
    roster_service_level: np.ndarray  # SL(target) with ⌊on_floor⌋ reviewers
    scenario: Scenario = field(default_factory=Scenario)

    @property
    def gap(self) -> np.ndarray:
        """Rostered − needed scheduled: negative is under-staffed."""
        return self.rostered - self.needed_scheduled

    @property
    def hours(self) -> int:
        return self.arrivals.shape[1]

    def hour_times(self) -> pl.Series:
        return hour_grid(self.start, self.hours)


def scenario_arrivals(forecast: np.ndarray, teams: list[str], scenario: Scenario) -> np.ndarray:
    arrivals = np.maximum(forecast, 0.0) * (1.0 + scenario.arrivals_change)
    spike = scenario.spike
    if spike is not None and spike.multiplier != 1.0:
        rows = slice(None) if spike.group is None else [i for i, t in enumerate(teams) if t == spike.group]
        hours = slice(max(spike.start_hour, 0), max(spike.start_hour + spike.hours, 0))
        arrivals = arrivals.copy()
        arrivals[rows, hours] *= spike.multiplier
    return arrivals


def staffing_plan(forecast: np.ndarray, teams: list[str], start: datetime, groups_frame: pl.DataFrame,
                  rostered: np.ndarray, scenario: Scenario = Scenario()) -> Plan:
    """The plan for forecast arrivals (groups x hours, rows in `teams` order) and the roster."""
    info = pl.DataFrame({"team": teams}).join(groups_frame, on="team", how="left")
    aht = info["aht_seconds"].fill_null(300.0).to_numpy() * (1.0 + scenario.aht_change)
    if scenario.target_minutes is not None:
        target = np.full(len(teams), scenario.target_minutes * 60.0)
    else:
        target = info["target_seconds"].fill_null(3600.0).to_numpy()
    arrivals = scenario_arrivals(forecast, teams, scenario)
    load = arrivals * aht[:, None] / 3600.0
    staff = erlang.required(load, aht[:, None], target[:, None], scenario.service_level, scenario.max_occupancy)
    needed = staff.reviewers
    scheduled = erlang.scheduled_head_count(needed, scenario.shrinkage)
    on_floor = rostered * (1.0 - scenario.shrinkage)
    achieved = erlang.evaluate(np.floor(on_floor + 1e-9), load, aht[:, None], target[:, None]).service_level
    return Plan(teams, start, arrivals, aht, target, load, needed, scheduled, rostered, on_floor, achieved, scenario)


def plan_frame(plan: Plan, groups_frame: pl.DataFrame) -> pl.DataFrame:
    """The plan as one row per group and hour (the CSV export and the tables)."""
    g, h = len(plan.teams), plan.hours
    frame = pl.DataFrame({
        "team": np.repeat(np.array(plan.teams, dtype=object), h).tolist() if g else [],
        "hour": pl.concat([plan.hour_times()] * g) if g else pl.Series("hour", [], dtype=pl.Datetime("us")),
        "arrivals": plan.arrivals.ravel(),
        "aht_seconds": np.repeat(plan.aht_seconds, h),
        "target_seconds": np.repeat(plan.target_seconds, h),
        "offered_load": plan.load.ravel(),
        "needed_on_floor": plan.needed.ravel(),
        "needed_scheduled": plan.needed_scheduled.ravel(),
        "rostered": plan.rostered.ravel(),
        "gap": plan.gap.ravel(),
        "roster_service_level": plan.roster_service_level.ravel(),
    }, schema_overrides={"team": pl.String})
    labels = groups_frame.select("team", "label", "region", "tier")
    return frame.join(labels, on="team", how="left").select(
        "hour", "team", "label", "region", "tier", *[c for c in frame.columns if c not in ("team", "hour")])


def worst_hours(frame: pl.DataFrame, limit: int = 20) -> pl.DataFrame:
    """The most under-staffed group-hours first (gap most negative; then the lower service level)."""
    return frame.filter(pl.col("gap") < 0).sort(["gap", "roster_service_level", "hour"]).head(limit)


def gap_by(frame: pl.DataFrame, by: str) -> pl.DataFrame:
    """Gap summed per hour and `by` ('label' for groups, 'region'); the heatmap's cells."""
    return frame.group_by(by, "hour").agg(
        pl.col("gap").sum(), pl.col("needed_scheduled").sum(), pl.col("rostered").sum(),
    ).sort(by, "hour")


# --- backlog projection ------------------------------------------------------------------------


@dataclass(frozen=True)
class Projection:
    """Per group (rows) and hour (columns, BACKLOG_HOURS + 1 points: now and the end of each hour)."""

    teams: list[str]
    start: datetime
    backlog: np.ndarray            # projected waiting cases
    capacity: np.ndarray           # cases the on-floor reviewers can finish per hour
    breaches: np.ndarray           # expected first-action breaches per hour
    backlog_now: np.ndarray
    breached_now: np.ndarray       # waiting cases already past their first-action target
    clears_in_hours: np.ndarray    # hours until the backlog is gone (inf: not within the plan)


def capacity_per_hour(on_floor, aht_seconds) -> np.ndarray:
    """Cases on-floor reviewers finish in an hour when there is work: on floor × 3600 ÷ AHT."""
    return np.asarray(on_floor, dtype=float) * 3600.0 / np.asarray(aht_seconds, dtype=float)[:, None]


def hours_to_clear(backlog_now, arrivals, capacity) -> np.ndarray:
    """Hours until a backlog is worked off, per group: the first moment the spare capacity
    (capacity − arrivals, hour by hour, spread evenly within each hour) has added up to the
    backlog. 0 without a backlog; inf when it does not happen within the hours given."""
    b0 = np.asarray(backlog_now, dtype=float)
    spare = np.asarray(capacity, dtype=float) - np.asarray(arrivals, dtype=float)
    # The backlog is worked off while the queue never empties: B(t) = B0 + Σ(arrivals − capacity).
    level = b0[:, None] - np.cumsum(spare, axis=1)
    out = np.full(b0.shape, np.inf)
    out[b0 <= 0] = 0.0
    for i in np.flatnonzero(b0 > 0):
        hit = np.flatnonzero(level[i] <= 0)
        if hit.size:
            h = int(hit[0])
            before = b0[i] if h == 0 else level[i, h - 1]
            out[i] = h + before / spare[i, h]
    return out


def backlog_projection(plan: Plan, backlog_cases: pl.DataFrame, queue_team: dict[str, str], now: datetime,
                       hours: int = BACKLOG_HOURS) -> Projection:
    """Backlog and expected first-action breaches for the next `hours` hours per group.

    The backlog evolves as B(h+1) = max(0, B(h) + arrivals(h) − capacity(h)) from the cases
    waiting now. Expected breaches: (1) waiting cases whose first-action clock runs are taken
    in order of their breach time at the projected capacity; one breaches when its turn comes
    after its breach time; (2) an hour's arrivals while a backlog remains all breach if the wait
    (backlog ÷ capacity) exceeds the group's target; with no backlog left, the Erlang C share
    waiting longer than the target breaches.
    """
    teams = plan.teams
    hours = min(hours, plan.hours)
    arrivals = plan.arrivals[:, :hours]
    capacity = capacity_per_hour(plan.on_floor[:, :hours], plan.aht_seconds)
    index = {t: i for i, t in enumerate(teams)}
    cases = backlog_cases.with_columns(pl.col("queue_id").replace_strict(queue_team, default=None).alias("team"))
    cases = cases.filter(pl.col("team").is_in(teams))
    backlog_now = np.zeros(len(teams))
    breached_now = np.zeros(len(teams))
    breaches = np.zeros((len(teams), hours))
    now_s = now.timestamp()
    counts = cases.group_by("team").agg(
        pl.len().alias("n"), (pl.col("first_action_due_at") <= now).sum().alias("late"))
    for team, n, late in counts.iter_rows():
        backlog_now[index[team]] = n
        breached_now[index[team]] = late
    # (1) the waiting cases, in order of their breach time, served at the cumulative capacity
    running = cases.filter(pl.col("first_action_due_at") > now).sort("team", "first_action_due_at")
    for team, due in running.group_by("team", maintain_order=True).agg(pl.col("first_action_due_at")).iter_rows():
        i = index[team]
        due_h = (np.array([d.timestamp() for d in due]) - now_s) / 3600.0
        cum = np.concatenate([[0.0], np.cumsum(capacity[i])])
        # Case k (1-based, in breach order, after the cases already breached) is served when
        # the cumulative capacity reaches its position; linear within an hour.
        position = np.arange(1, due_h.size + 1) + breached_now[i]
        served = np.interp(position, cum, np.arange(hours + 1), right=np.inf) if cum[-1] > 0 else np.full(due_h.size, np.inf)
        late = served > due_h
        hour_of = np.minimum(np.floor(np.where(late, due_h, 0)).astype(int), hours - 1)
        np.add.at(breaches[i], hour_of[late], 1.0)
    # (2) the fluid backlog, and the arrivals of each hour
    backlog = np.zeros((len(teams), hours + 1))
    backlog[:, 0] = backlog_now
    target_h = plan.target_seconds / 3600.0
    erlang_late = 1.0 - erlang.evaluate(np.floor(plan.on_floor[:, :hours] + 1e-9), plan.load[:, :hours],
                                        plan.aht_seconds[:, None], plan.target_seconds[:, None]).service_level
    for h in range(hours):
        queued = backlog[:, h]
        wait_h = np.where(capacity[:, h] > 0, queued / np.maximum(capacity[:, h], 1e-12), np.inf)
        wait_h = np.where(queued > 0, wait_h, 0.0)
        late_share = np.where(queued > 0.5, (wait_h > target_h).astype(float), erlang_late[:, h])
        breaches[:, h] += arrivals[:, h] * late_share
        backlog[:, h + 1] = np.maximum(0.0, queued + arrivals[:, h] - capacity[:, h])
    clears = hours_to_clear(backlog_now, plan.arrivals, capacity_per_hour(plan.on_floor, plan.aht_seconds))
    return Projection(teams, now, backlog, capacity, breaches, backlog_now, breached_now, clears)


def projection_summary(projection: Projection, groups_frame: pl.DataFrame) -> pl.DataFrame:
    """Per group: backlog now, in 48 h, the peak, breached now, expected breaches, clears in."""
    frame = pl.DataFrame({
        "team": projection.teams,
        "backlog_now": projection.backlog_now,
        "breached_now": projection.breached_now,
        "backlog_end": projection.backlog[:, -1],
        "backlog_peak": projection.backlog.max(axis=1) if projection.teams else np.zeros(0),
        "expected_breaches": projection.breaches.sum(axis=1) if projection.teams else np.zeros(0),
        "clears_in_hours": np.where(np.isfinite(projection.clears_in_hours), projection.clears_in_hours, np.nan),
    }, schema_overrides={"team": pl.String}).with_columns(pl.col("clears_in_hours").fill_nan(None))
    return frame.join(groups_frame.select("team", "label", "region", "tier"), on="team", how="left").sort(
        ["expected_breaches", "backlog_peak", "label"], descending=[True, True, False])


def projection_frame(projection: Projection) -> pl.DataFrame:
    """Per group and hour: projected backlog at the end of the hour and expected breaches in it."""
    g, h = len(projection.teams), projection.breaches.shape[1]
    hours = hour_grid(projection.start + timedelta(hours=1), h) if h else pl.Series("hour", [], dtype=pl.Datetime("us"))
    return pl.DataFrame({
        "team": np.repeat(np.array(projection.teams, dtype=object), h).tolist() if g else [],
        "hour": pl.concat([hours] * g) if g else hours.clear(),
        "backlog": projection.backlog[:, 1:].ravel(),
        "expected_breaches": projection.breaches.ravel(),
    }, schema_overrides={"team": pl.String})


# --- vendors -----------------------------------------------------------------------------------


def vendor_hours(plan: Plan, mix: pl.DataFrame, roster_by_vendor: pl.DataFrame, vendors: pl.DataFrame) -> pl.DataFrame:
    """Per vendor and plan week (week 1: the next 7 days, week 2: the 7 after): reviewer-hours
    needed (each group's scheduled need split by its vendor mix), rostered, contracted, the gap
    needed − contracted and its cost at the vendor's hourly rate."""
    g, h = len(plan.teams), plan.hours
    week = np.minimum(np.arange(h) // WEEK, 1) + 1
    per_team_week = pl.DataFrame({
        "team": np.repeat(np.array(plan.teams, dtype=object), h).tolist() if g else [],
        "week": np.tile(week, g) if g else np.zeros(0, dtype=np.int64),
        "needed": plan.needed_scheduled.ravel().astype(float),
    }, schema_overrides={"team": pl.String, "week": pl.Int64}).group_by("team", "week").agg(pl.col("needed").sum())
    needed = per_team_week.join(mix, on="team", how="inner").group_by("vendor_id", "week").agg(
        (pl.col("needed") * pl.col("share")).sum().alias("needed_hours"))
    contract_col = "contracted_hours_per_week"
    if contract_col not in vendors.columns:
        vendors = vendors.with_columns(pl.lit(None, dtype=pl.Float64).alias(contract_col))
    weeks = pl.DataFrame({"week": [1, 2]}, schema={"week": pl.Int64})
    base = vendors.select("vendor_id", "name", "kind", "cost_per_hour_usd", pl.col(contract_col).cast(pl.Float64)).join(
        weeks, how="cross")
    out = (base.join(needed, on=["vendor_id", "week"], how="left")
           .join(roster_by_vendor, on=["vendor_id", "week"], how="left")
           .with_columns(pl.col("needed_hours").fill_null(0.0), pl.col("rostered_hours").fill_null(0.0)))
    return out.with_columns(
        (pl.col("needed_hours") - pl.col(contract_col)).alias("gap_hours"),
    ).with_columns(
        (pl.col("gap_hours") * pl.col("cost_per_hour_usd")).alias("gap_cost_usd"),
    ).sort("week", "name")


def roster_by_vendor(roster: pl.DataFrame, teams: list[str], start: datetime, hours: int) -> pl.DataFrame:
    """Reviewer-hours on the roster per vendor and plan week (the repeated roster included)."""
    pairs = roster.filter(pl.col("team").is_in(teams)).select("team", "vendor_id").unique().sort("team", "vendor_id")
    if pairs.height == 0:
        return pl.DataFrame(schema={"vendor_id": pl.String, "week": pl.Int64, "rostered_hours": pl.Float64})
    keys = [f"{t}\x1f{v}" for t, v in pairs.iter_rows()]
    keyed = roster.with_columns(pl.concat_str("team", pl.lit("\x1f"), "vendor_id").alias("team"))
    matrix = roster_ahead(keyed, keys, start, hours)
    week = np.minimum(np.arange(hours) // WEEK, 1) + 1
    frame = pl.DataFrame({
        "vendor_id": np.repeat(pairs["vendor_id"].to_numpy(), hours).tolist(),
        "week": np.tile(week, len(keys)),
        "rostered_hours": matrix.ravel(),
    }, schema_overrides={"vendor_id": pl.String, "week": pl.Int64})
    return frame.group_by("vendor_id", "week").agg(pl.col("rostered_hours").sum())


# --- the forecast behind the plan --------------------------------------------------------------


def arrivals_matrix(arrivals: pl.DataFrame, teams: list[str], until: datetime, days: int) -> tuple[datetime, np.ndarray]:
    """Hourly arrivals per group for the `days` days before `until` (an hour boundary)."""
    start = until - timedelta(days=days)
    return start, hourly_matrix(arrivals, teams, "team", "arrivals", start, days * 24)


def forecast_origin(now: datetime) -> datetime:
    """The forecast is fitted once a day: on the complete days before 00:00 UTC of `now`."""
    return floor_hour(now).replace(hour=0)


def demand_forecast(arrivals: pl.DataFrame, teams: list[str], origin: datetime) -> pl.DataFrame:
    """Forecast arrivals per group for FORECAST_HOURS from `origin` (an hour boundary), fitted on
    the FIT_DAYS before it, the interval calibrated on the CALIBRATION_DAYS before it (pooled over
    `teams`): columns team, hour, forecast, lower, upper (80 % interval)."""
    _, history = arrivals_matrix(arrivals, teams, origin, FORECAST_HISTORY_DAYS)
    fitted = fc.forecast_calibrated(history, FORECAST_HOURS, SEASONS, FIT_DAYS * 24, CALIBRATION_DAYS * 24) \
        if teams else None
    hours = hour_grid(origin, FORECAST_HOURS)
    if fitted is None:
        return pl.DataFrame(schema={"team": pl.String, "hour": pl.Datetime("us"), "forecast": pl.Float64,
                                    "lower": pl.Float64, "upper": pl.Float64})
    return pl.DataFrame({
        "team": np.repeat(np.array(teams, dtype=object), FORECAST_HOURS).tolist(),
        "hour": pl.concat([hours] * len(teams)),
        "forecast": fitted.mean.ravel(),
        "lower": fitted.lower.ravel(),
        "upper": fitted.upper.ravel(),
    }, schema_overrides={"team": pl.String})


def forecast_matrix(forecast: pl.DataFrame, teams: list[str], start: datetime, hours: int = HORIZON_HOURS) -> np.ndarray:
    """The forecast arrivals (groups x hours) from `start` (within the forecast's hours)."""
    return hourly_matrix(forecast.rename({"forecast": "value"}), teams, "team", "value", start, hours)


def roster_ahead(roster: pl.DataFrame, teams: list[str], start: datetime, hours: int = HORIZON_HOURS) -> np.ndarray:
    """Reviewer-hours on the roster (groups x hours) from `start`, with the roster's own weeks
    before it (ROSTER_LOOKBACK_DAYS, as the capacity_roster query reads them) to repeat from."""
    lookback = ROSTER_LOOKBACK_DAYS * 24
    full = roster_matrix(roster, teams, start - timedelta(hours=lookback), lookback + hours)
    return full[:, lookback:]


def backtest_origins() -> list[int]:
    """Origins of the rolling backtest as indices into HISTORY_DAYS of hourly history."""
    total = HISTORY_DAYS * 24
    return [total - days * 24 for days in BACKTEST_ORIGINS_DAYS]


def forecast_backtest(arrivals: pl.DataFrame, teams: list[str], origin: datetime) -> pl.DataFrame:
    """Rolling-origin backtest of the BACKTEST_DAYS before `origin`: at 28, 21 and 14 days before
    it, each group's forecast of the next 14 days, made exactly as the live one (fitted on the
    FIT_DAYS before that origin, the interval calibrated on the CALIBRATION_DAYS before it) and
    the seasonal-naive forecast (last week repeated), scored with MASE. One row per group."""
    _, history = arrivals_matrix(arrivals, teams, origin, HISTORY_DAYS)
    schema = {"team": pl.String, "model_mase": pl.Float64, "naive_mase": pl.Float64, "coverage": pl.Float64}
    if not teams:
        return pl.DataFrame(schema=schema)
    bt = fc.backtest(history, backtest_origins(), HORIZON_HOURS, SEASONS, WEEK, fit_points=FIT_DAYS * 24,
                     holdout=CALIBRATION_DAYS * 24)
    model, naive, cover = bt.model_mase, bt.naive_mase, bt.coverage
    with warnings.catch_warnings():  # a group never scored gives an empty mean: null
        warnings.simplefilter("ignore", RuntimeWarning)
        return pl.DataFrame({
            "team": teams,
            "model_mase": np.nanmean(np.where(np.isfinite(model), model, np.nan), axis=1),
            "naive_mase": np.nanmean(np.where(np.isfinite(naive), naive, np.nan), axis=1),
            "coverage": np.nanmean(np.where(np.isfinite(cover), cover, np.nan), axis=1),
        }, schema=schema).with_columns(pl.col(pl.Float64).fill_nan(None))


def backtest_summary(per_group: pl.DataFrame) -> dict[str, float | None]:
    """Mean MASE of the model and of seasonal naive over the groups that could be scored, the
    ratio (below 1: the model's error is lower) and the 80 % interval's coverage."""
    scored = per_group.drop_nulls(["model_mase", "naive_mase"])
    if scored.height == 0:
        return {"model_mase": None, "naive_mase": None, "ratio": None, "coverage": None, "groups": 0}
    model, naive = float(cast(float, scored["model_mase"].mean())), float(cast(float, scored["naive_mase"].mean()))
    return {"model_mase": model, "naive_mase": naive, "ratio": model / naive if naive > 0 else None,
            "coverage": float(cast(float, scored["coverage"].mean())), "groups": scored.height}


# --- export ------------------------------------------------------------------------------------

FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula (leading = + - @, tab or CR) get a
    leading apostrophe; numbers are left as numbers."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(_neutral(c) for c in text)


def _neutral(column: str) -> pl.Expr:
    col = pl.col(column)
    risky = pl.any_horizontal([col.str.starts_with(lead) for lead in FORMULA_LEADS])
    return pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(column)


def plan_csv(frame: pl.DataFrame) -> bytes:
    """The staffing plan as CSV, one row per group and hour (UTC), formula-leading text neutralised."""
    out = frame.with_columns(pl.col("hour").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    return neutralise(out).write_csv().encode("utf-8")


# --- everything the page shows -----------------------------------------------------------------


@dataclass(frozen=True)
class Outlook:
    """The staffing plan, backlog projection and vendor hours for the groups in scope."""

    now: datetime
    plan: Plan
    frame: pl.DataFrame            # plan_frame: one row per group and hour
    projection: Projection
    backlog_summary: pl.DataFrame
    vendor_hours: pl.DataFrame
    now_row: dict                  # needed_scheduled and rostered summed over the groups, this hour
    short_hours_week: int          # group-hours under-staffed in the next 7 days
    expected_breaches: float       # over the next BACKLOG_HOURS


def outlook(data: dict[str, pl.DataFrame], groups_frame: pl.DataFrame, forecast: pl.DataFrame, now: datetime,
            teams: list[str], scenario: Scenario = Scenario()) -> Outlook:
    """From the capacity plan's frames (queries.plans.capacity) and the groups' forecast."""
    hour = floor_hour(now)
    arrivals = forecast_matrix(forecast, teams, hour)
    rostered = roster_ahead(data["roster"], teams, hour)
    plan = staffing_plan(arrivals, teams, hour, groups_frame, rostered, scenario)
    frame = plan_frame(plan, groups_frame)
    queue_team = dict(zip(data["queues"]["queue_id"].to_list(), data["queues"]["team"].to_list()))
    projection = backlog_projection(plan, data["backlog"], queue_team, now)
    mix = vendor_mix(data["roster"], teams, hour - timedelta(days=ROSTER_LOOKBACK_DAYS), hour)
    vendors = vendor_hours(plan, mix, roster_by_vendor(data["roster"], teams, hour, HORIZON_HOURS), data["vendors"])
    week = min(WEEK, plan.hours)
    return Outlook(
        now=now, plan=plan, frame=frame, projection=projection,
        backlog_summary=projection_summary(projection, groups_frame), vendor_hours=vendors,
        now_row={"needed_scheduled": float(plan.needed_scheduled[:, 0].sum()) if teams else 0.0,
                 "rostered": float(plan.rostered[:, 0].sum()) if teams else 0.0},
        short_hours_week=int((plan.gap[:, :week] < 0).sum()),
        expected_breaches=float(projection.breaches.sum()),
    )


def outlook_of(roster: pl.DataFrame, queues: pl.DataFrame, backlog: pl.DataFrame, vendors: pl.DataFrame,
               groups_frame: pl.DataFrame, forecast: pl.DataFrame, now: datetime, teams: tuple[str, ...],
               scenario: Scenario = Scenario()) -> Outlook:
    """outlook() with its frames one by one (so that a page can keep it per result: queries.memo)."""
    data = {"roster": roster, "queues": queues, "backlog": backlog, "vendors": vendors}
    return outlook(data, groups_frame, forecast, now, list(teams), scenario)


def next_days(frame: pl.DataFrame, now: datetime, days: int) -> pl.DataFrame:
    """The rows of a per-hour frame in the `days` days from the hour of `now`."""
    start = floor_hour(now)
    return frame.filter((pl.col("hour") >= start) & (pl.col("hour") < start + timedelta(days=days)))


def group_projection(projection: Projection, team: str) -> pl.DataFrame:
    """One group's projected backlog and expected breaches per hour."""
    return projection_frame(projection).filter(pl.col("team") == team)


def group_history(arrivals: pl.DataFrame, team: str) -> pl.DataFrame:
    """One group's arrivals per hour (hours without arrivals as 0), from the capacity_arrivals frame."""
    rows = arrivals.filter(pl.col("team") == team).select("hour", pl.col("arrivals").cast(pl.Float64))
    if rows.height == 0:
        return rows
    grid = pl.DataFrame(pl.datetime_range(cast(datetime, arrivals["hour"].min()), cast(datetime, arrivals["hour"].max()), "1h", eager=True,
                                          time_unit="us").alias("hour"))
    return grid.join(rows, on="hour", how="left").with_columns(pl.col("arrivals").fill_null(0.0))


def queue_sets(queues: pl.DataFrame) -> dict[str, dict[str, tuple[str, ...]]]:
    """The other ways to look at demand: per region x vertical x tier, and per queue; each maps a
    label to its queue ids."""
    rvt = queues.group_by("region", "vertical", "tier").agg(pl.col("queue_id").sort()).sort("region", "vertical", "tier")
    return {
        "rvt": {f"{r} · {v} · {t}": tuple(ids) for r, v, t, ids in rvt.iter_rows()},
        "queue": {name: (qid,) for qid, name in queues.select("queue_id", "queue_name").sort("queue_name").iter_rows()},
    }
