"""SLA clocks: the reference implementation of the definition in docs/metrics.md ("SLA clocks").

`queries/macros/sla.sql` computes the same clocks in SQL for the dashboard
(`sla_clocks(as_of, since)`); tests/unit/test_sla.py checks that the two agree.

Times are naive UTC `datetime`s, as in the warehouse. All durations are seconds.

Summary of the definition (docs/metrics.md has it in full):

* Two clocks per case, both starting at `created_at`: *first action* stops at the
  first action (or at the first resolution if that came earlier / none is recorded);
  *resolution* stops at `resolved_at` (the final resolution).
* A state machine over the case's events decides when a clock is not counting:
  `pending_info` pauses (if the policy pauses) until `info_received`; `resolved` stops
  until `reopened`. The time between a resolution and its reopening does not count.
* `business` calendars count only Mon-Fri `start_hour`..`end_hour` in the queue's
  local time; the working-time *position* F(t) turns that into plain subtraction.
* Evaluated "as of" T: events after T do not exist, a stop after T means running.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

FIRST_ACTION = "first_action"
RESOLUTION = "resolution"

# State thresholds on used_share for running clocks (service-desk convention).
WARNING_SHARE = 0.5
AT_RISK_SHARE = 0.75

# The events that move a clock; every other event type is ignored.
CLOCK_EVENTS = ("pending_info", "info_received", "resolved", "reopened")

# Positions count from Monday 1970-01-05 00:00 (local wall clock), so weekday 0 is Monday.
_MONDAY = datetime(1970, 1, 5)
_UNIX = datetime(1970, 1, 1)
_DAY = 86400
_WEEK = 7 * _DAY


@dataclass(frozen=True)
class Policy:
    first_action_target_min: float
    resolution_target_min: float
    calendar: str  # '24x7' or 'business'
    pause_on_pending: bool
    business_start_hour: int = 9
    business_end_hour: int = 17

    def __post_init__(self) -> None:
        if self.calendar not in ("24x7", "business"):
            raise ValueError(f"calendar must be '24x7' or 'business', not {self.calendar!r}")
        if self.calendar == "business" and not 0 <= self.business_start_hour < self.business_end_hour <= 24:
            raise ValueError("business hours need 0 <= start < end <= 24")

    def target_seconds(self, kind: str) -> float:
        minutes = self.first_action_target_min if kind == FIRST_ACTION else self.resolution_target_min
        return float(minutes) * 60.0


@dataclass(frozen=True)
class Clock:
    kind: str  # 'first_action' | 'resolution'
    target_seconds: float
    elapsed_seconds: float  # counted time from created_at to the stop (or as_of)
    paused_seconds: float  # not-counted time inside that span, in the same calendar
    stopped_at: datetime | None  # None while running at as_of
    breached: bool  # elapsed_seconds > target_seconds
    breach_at: datetime | None  # the instant the counted time passed the target (breached only)
    # When the counted time passes the target: for a running clock, projected with no further
    # pause (a paused clock as if it resumed at as_of); for a breached clock, breach_at; for a
    # clock that stopped within target, None.
    due_at: datetime | None
    used_share: float  # elapsed / target
    state: str  # running: breached | at_risk | warning | on_track; stopped: met | breached


# --- time zones -----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)


def to_local(ts_utc: datetime, tz: str) -> datetime:
    """The naive local wall-clock time in `tz` of the naive UTC instant `ts_utc`."""
    return ts_utc.replace(tzinfo=UTC).astimezone(_zone(tz)).replace(tzinfo=None)


def to_utc(local: datetime, tz: str) -> datetime:
    """The naive UTC instant of the naive local wall time `local` in `tz`.

    At a DST change a wall time can be ambiguous (fall back) or not exist (spring forward).
    Both ways the *later* candidate instant is taken, which is what DuckDB (ICU) does for
    `local AT TIME ZONE tz`: an ambiguous time is read in the offset after the change
    (01:30 on the US fall-back night is 01:30 EST), a non-existent one in the offset before
    it (02:30 on the US spring-forward night is 07:30 UTC, i.e. 03:30 EDT).
    """
    zone = _zone(tz)
    a = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
    b = local.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return max(a, b).replace(tzinfo=None)


# --- working-time positions -------------------------------------------------------------------


def _hours(start_hour: int, end_hour: int) -> float:
    h = float(end_hour - start_hour) * 3600.0
    if h <= 0:
        raise ValueError("business hours need start_hour < end_hour")
    return h


def business_position(ts_utc: datetime, tz: str, start_hour: int, end_hour: int) -> float:
    """F(local(ts)): working seconds (Mon-Fri, start..end local) from Monday 1970-01-05 to ts.

    With H = (end - start) * 3600 and d days after that Monday (dow = d mod 7, 0 = Monday):
    F = weeks * 5H + min(dow, 5) * H + (clamp(sec_of_day - start * 3600, 0, H) if dow < 5 else 0).
    """
    h = _hours(start_hour, end_hour)
    e = (to_local(ts_utc, tz) - _MONDAY).total_seconds()
    d = math.floor(e / _DAY)
    sod = e - d * _DAY
    weeks = math.floor(d / 7)
    dow = d - 7 * weeks
    inside = min(max(sod - start_hour * 3600.0, 0.0), h) if dow < 5 else 0.0
    return weeks * 5 * h + min(dow, 5) * h + inside


def business_instant(position: float, tz: str, start_hour: int, end_hour: int) -> datetime:
    """F^-1: the UTC instant at working-time `position`.

    Every position between two working days is held from the close of one to the opening of
    the next; this returns the *latest* instant with that position (the next opening), which is
    the instant a clock starts to exceed a target that falls on a close. Local wall time -> UTC
    follows `to_utc` (the rule only matters if a DST change falls inside working hours; in the
    US and the EU they happen on Sunday nights).
    """
    h = _hours(start_hour, end_hour)
    weeks = math.floor(position / (5 * h))
    rem = position - weeks * 5 * h
    day = math.floor(rem / h)
    sec = rem - day * h
    local_seconds = weeks * _WEEK + day * _DAY + start_hour * 3600.0 + sec
    local = _MONDAY + timedelta(microseconds=round(local_seconds * 1e6))
    return to_utc(local, tz)


def business_seconds(start_utc: datetime, end_utc: datetime, tz: str, start_hour: int, end_hour: int) -> float:
    """Working seconds between two UTC instants (negative if end < start); no holidays."""
    return business_position(end_utc, tz, start_hour, end_hour) - business_position(start_utc, tz, start_hour, end_hour)


def position(ts_utc: datetime, policy: Policy, tz: str) -> float:
    """The clock position of an instant in the policy's calendar (24x7: seconds since 1970)."""
    if policy.calendar == "business":
        return business_position(ts_utc, tz, policy.business_start_hour, policy.business_end_hour)
    return (ts_utc - _UNIX).total_seconds()


def instant(pos: float, policy: Policy, tz: str) -> datetime:
    """The inverse of `position` (the latest instant at that position)."""
    if policy.calendar == "business":
        return business_instant(pos, tz, policy.business_start_hour, policy.business_end_hour)
    return _UNIX + timedelta(microseconds=round(pos * 1e6))


# --- clocks ----------------------------------------------------------------------------------


def _segments(created_at: datetime, events: Sequence[tuple[datetime, str]], pause_on_pending: bool, as_of: datetime):
    """Run the event state machine: [(start, end, state)] covering created_at..as_of.

    States: running, paused, stopped. pending_info: running -> paused (only if the policy
    pauses); info_received: paused -> running; resolved: any -> stopped; reopened: -> running.
    pending_info / info_received while stopped are ignored. The caller drops events before
    created_at and after as_of; ties keep the given order.
    """
    state = "running"
    start = created_at
    segments = []
    for t, event_type in events:
        if event_type == "resolved":
            new = "stopped"
        elif event_type == "reopened":
            new = "running"
        elif event_type == "pending_info":
            new = "paused" if state == "running" and pause_on_pending else state
        elif event_type == "info_received":
            new = "running" if state == "paused" else state
        else:
            continue
        if new != state:
            segments.append((start, t, state))
            start, state = t, new
    segments.append((start, as_of, state))
    return segments


def _state(stopped: bool, breached: bool, share: float) -> str:
    if stopped:
        return "breached" if breached else "met"
    if breached:
        return "breached"
    if share >= AT_RISK_SHARE:
        return "at_risk"
    if share >= WARNING_SHARE:
        return "warning"
    return "on_track"


def _clock(kind, created_at, stop, segments, policy, tz, as_of) -> Clock:
    target = policy.target_seconds(kind)
    end = stop if stop is not None else as_of
    p_created = position(created_at, policy, tz)
    p_end = position(end, policy, tz)
    paused = 0.0
    extension = 0.0  # paused time before the breach instant: pushes the deadline out
    for seg_start, seg_end, state in segments:
        if state == "running":
            continue
        s, e = max(seg_start, created_at), min(seg_end, end)
        if e <= s:
            continue
        p_s = position(s, policy, tz)
        length = position(e, policy, tz) - p_s
        counted_before = p_s - p_created - paused
        if counted_before <= target:
            extension += length
        paused += length
    elapsed = p_end - p_created - paused
    breached = elapsed > target
    due_at = instant(p_created + target + extension, policy, tz) if stop is None or breached else None
    share = elapsed / target
    return Clock(
        kind=kind,
        target_seconds=target,
        elapsed_seconds=elapsed,
        paused_seconds=paused,
        stopped_at=stop,
        breached=breached,
        breach_at=due_at if breached else None,
        due_at=due_at,
        used_share=share,
        state=_state(stop is not None, breached, share),
    )


def clocks_for_case(
    created_at: datetime,
    first_action_at: datetime | None,
    resolved_at: datetime | None,
    events: Iterable[tuple[datetime, str]],
    policy: Policy,
    tz: str,
    as_of: datetime,
) -> tuple[Clock, Clock] | None:
    """(first-action clock, resolution clock) of one case as of `as_of`; None if the case
    was created after `as_of` (it does not exist yet).

    `events` are (occurred_at, event_type) in the warehouse's order (occurred_at, event_id);
    only CLOCK_EVENTS matter, and only from created_at to as_of. `tz` is the queue's IANA
    time zone.
    """
    if created_at > as_of:
        return None
    evs = sorted(((t, k) for t, k in events if k in CLOCK_EVENTS and created_at <= t <= as_of), key=lambda e: e[0])
    segments = _segments(created_at, evs, policy.pause_on_pending, as_of)

    # Resolution stops at resolved_at (the final resolution) or, before that, while the
    # event machine says stopped at as_of (resolved, not yet reopened): at the start of that stop.
    if resolved_at is not None and resolved_at <= as_of:
        res_stop = max(resolved_at, created_at)
    elif segments[-1][2] == "stopped":
        res_stop = segments[-1][0]
    else:
        res_stop = None

    # First action stops at the first action, or at the first resolution if that is earlier.
    candidates = [t for t in (first_action_at, resolved_at) if t is not None and t <= as_of]
    candidates += [t for t, k in evs if k == "resolved"][:1]
    fa_stop = max(min(candidates), created_at) if candidates else None

    return (
        _clock(FIRST_ACTION, created_at, fa_stop, segments, policy, tz, as_of),
        _clock(RESOLUTION, created_at, res_stop, segments, policy, tz, as_of),
    )


def attainment(clocks: Iterable[Clock], a: datetime, b: datetime) -> tuple[int, int, float | None]:
    """(met, breached, met / (met + breached)) over the period [a, b).

    A clock counts as met if it stopped in [a, b) within target, and as breached if its
    breach instant lies in [a, b) (stopped or still open). The share is None with no clocks.
    Evaluate the clocks as of b (or later) so every stop and breach in the period is known.
    """
    met = breached = 0
    for clock in clocks:
        if clock.breached:
            if clock.breach_at is not None and a <= clock.breach_at < b:
                breached += 1
        elif clock.stopped_at is not None and a <= clock.stopped_at < b:
            met += 1
    total = met + breached
    return met, breached, (met / total if total else None)
