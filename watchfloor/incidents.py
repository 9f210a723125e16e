"""Incidents: response times, the timeline and the story of one incident, from the named queries
(queries/incident_*.sql). No Streamlit here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from watchfloor.formatting import coarse_duration
from watchfloor.labels import texts_of
from watchfloor.spike_record import SpikeRecord

SEVERITIES = ("SEV0", "SEV1", "SEV2", "SEV3")
STATUSES = ("open", "acknowledged", "mitigated", "resolved")
MILESTONES = (("detected_at", "Detected"), ("acknowledged_at", "Acknowledged"), ("mitigated_at", "Mitigated"),
              ("resolved_at", "Resolved"))
DURATIONS = {
    "time_to_detect_s": "Time to detect",
    "time_to_acknowledge_s": "Time to acknowledge",
    "time_to_mitigate_s": "Time to mitigate",
    "time_to_resolve_s": "Time to resolve",
}


def filter_list(incidents: pl.DataFrame, severities: list[str] | tuple[str, ...] = (),
                statuses: list[str] | tuple[str, ...] = ()) -> pl.DataFrame:
    """The listed incidents narrowed to the chosen severities and statuses (none chosen: all)."""
    rows = incidents
    if severities:
        rows = rows.filter(pl.col("severity").is_in(list(severities)))
    if statuses:
        rows = rows.filter(pl.col("status").is_in(list(statuses)))
    return rows


def response_summary(incidents: pl.DataFrame) -> pl.DataFrame:
    """Per severity (and 'All'): incidents, resolved incidents, and the median of each response
    time. Where some incidents are resolved, every median is over those same incidents, so the
    medians keep the milestones' order (an incident mitigates before it resolves, so the median
    time to mitigate is never above the median time to resolve). Where none is resolved yet,
    each median is over the incidents that reached its milestone (time to resolve: none)."""
    def agg(frame: pl.DataFrame) -> pl.DataFrame:
        resolved = int(frame["time_to_resolve_s"].is_not_null().sum())
        over = frame.filter(pl.col("time_to_resolve_s").is_not_null()) if resolved else frame
        return over.select(*[pl.col(c).drop_nulls().median().alias(c) for c in DURATIONS]).with_columns(
            pl.lit(frame.height, dtype=pl.Int64).alias("incidents"), pl.lit(resolved, dtype=pl.Int64).alias("resolved"))

    parts = []
    for sev in SEVERITIES:
        rows = incidents.filter(pl.col("severity") == sev)
        if rows.height:
            parts.append(agg(rows).with_columns(pl.lit(sev).alias("severity")))
    parts.append(agg(incidents).with_columns(pl.lit("All").alias("severity")))
    return pl.concat(parts, how="vertical_relaxed").select("severity", "incidents", "resolved", *DURATIONS)


def timeline(incidents: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    """One bar per incident for the Gantt chart: from start to resolution, or to now while open."""
    return incidents.select(
        "incident_id", "title", "severity", "status", "started_at",
        pl.coalesce(pl.col("resolved_at"), pl.lit(as_of)).alias("ends_at"),
        pl.col("resolved_at").is_null().alias("still_open"),
        *[c for c, _ in MILESTONES],
    ).sort("started_at")


def milestones(incident: dict) -> list[tuple[str, datetime]]:
    """The milestones an incident has reached, starting with its start, in time order."""
    points = [("Started", incident["started_at"])]
    points += [(label, incident[col]) for col, label in MILESTONES if incident.get(col) is not None]
    return sorted(points, key=lambda p: p[1])


def story(events: pl.DataFrame, incident: dict) -> pl.DataFrame:
    """The incident's milestones and notes in time order, with the time since it started."""
    rows = events.filter(pl.col("incident_id") == incident["incident_id"])
    return rows.select(
        "occurred_at",
        ((pl.col("occurred_at") - pl.lit(incident["started_at"])).dt.total_seconds()).cast(pl.Float64).alias("since_start_s"),
        "kind", "note", "actor",
    )


@dataclass(frozen=True)
class Spike:
    """How the incident's category arrivals compared with the same hours a week earlier."""

    peak_hour: datetime | None
    peak_cases: int
    peak_baseline: int
    during_cases: int  # category arrivals from the hour it started to the hour it was mitigated (or now)
    during_baseline: int  # the same hours a week earlier
    linked_cases: int  # linked cases created in the charted hours

    @property
    def peak_ratio(self) -> float | None:
        return None if self.peak_hour is None else self.peak_cases / max(self.peak_baseline, 1)

    @property
    def excess_cases(self) -> int:
        return self.during_cases - self.during_baseline

    @property
    def during_ratio(self) -> float | None:
        return None if not self.during_baseline else self.during_cases / self.during_baseline


def hourly_for(hourly: pl.DataFrame, incident_id: str) -> pl.DataFrame:
    return hourly.filter(pl.col("incident_id") == incident_id).sort("hour")


def spike(hourly: pl.DataFrame, incident: dict, as_of: datetime) -> Spike:
    """The rise behind the incident, from its category's hourly arrivals (incident_hourly):
    the peak hour of the charted window (most arrivals; the earliest on a tie) against the same hour a
    week earlier, and the arrivals in the hours from the start's hour up to the hour holding the
    mitigation (or resolution, or now) against the same hours a week earlier."""
    rows = hourly_for(hourly, incident["incident_id"])
    if rows.height == 0:
        return Spike(None, 0, 0, 0, 0, 0)
    peak = rows.sort(["category_cases", "hour"], descending=[True, False]).row(0, named=True)
    end = incident.get("mitigated_at") or incident.get("resolved_at") or as_of
    first_hour = incident["started_at"].replace(minute=0, second=0, microsecond=0)
    during = rows.filter((pl.col("hour") >= first_hour) & (pl.col("hour") < end))
    return Spike(
        peak_hour=peak["hour"] if peak["category_cases"] > 0 else None,
        peak_cases=int(peak["category_cases"]),
        peak_baseline=int(peak["category_cases_week_before"]),
        during_cases=int(during["category_cases"].sum()),
        during_baseline=int(during["category_cases_week_before"].sum()),
        linked_cases=int(rows["linked_cases"].sum()),
    )


HOUR = timedelta(hours=1)
LEAD = timedelta(hours=24)  # a spike that began up to a day before the incident started can have set it off


def detected_spike(record: SpikeRecord, incident: dict, as_of: datetime) -> dict | None:
    """The spike record's spike behind the incident (watchfloor.spike_record: the same record, with
    the same figures, as Trends, Home and the Executive summary show): the first, by onset, of the
    incident's category whose hours [onset, until) overlap the incident's, from 24 hours before it
    started to its mitigation (or resolution, or now); spikes before bursts. None without one."""
    window_start = incident["started_at"] - LEAD
    window_end = incident.get("mitigated_at") or incident.get("resolved_at") or as_of
    touching = (record.of_category(incident["category"])
                .filter((pl.col("onset") <= window_end) & (pl.col("until") > window_start))
                .sort([pl.col("kind") != "spike", pl.col("onset")]))
    return touching.row(0, named=True) if touching.height else None


def incident_table(incidents: pl.DataFrame) -> pl.DataFrame:
    """The list as shown: one row per incident with its response times formatted."""
    return incidents.select(
        pl.col("incident_id").alias("Incident"),
        pl.col("severity").alias("Severity"),
        pl.col("status").str.to_titlecase().alias("Status"),
        pl.col("title").alias("Title"),
        pl.col("category").alias("category"),
        pl.col("commander").fill_null("–").alias("Commander"),
        pl.col("started_at").alias("Started"),
        pl.col("linked_cases").alias("Linked cases"),
        *[texts_of(incidents, coarse_duration, c, skip_nulls=False).alias(label.replace("Time to ", "To "))
          for c, label in DURATIONS.items()],
    )




def _utc_minute(moment: datetime) -> str:
    return f"{moment:%m-%d %H:%M}"


def ground_truth_note(incident: dict, stamp: Callable[[datetime], str] | None = None) -> str | None:
    """For simulated warehouses: what the simulator injected behind the incident (None elsewhere).
    `stamp` writes its start for the reader (with the zone); by default 'MM-DD HH:MM' UTC."""
    multiplier = incident.get("sim_spike_multiplier")
    if multiplier is None:
        return None
    scope = " ".join(x for x in (incident.get("sim_spike_surface") and f"on {incident['sim_spike_surface']}",
                                 incident.get("sim_spike_region") and f"in {incident['sim_spike_region']}") if x)
    return (f"Simulated data: the simulator injected {multiplier:.1f}× arrivals" + (f" {scope}" if scope else "")
            + f" from {(stamp or _utc_minute)(incident['sim_spike_starts_at'])} (its ground truth, for checking the figures above: "
            "the rate it applied, where the spike's × expected is measured, cases over the spike ÷ expected).")
