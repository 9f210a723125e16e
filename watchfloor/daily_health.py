"""Home's daily health: turns the named queries' frames into the figures the tiles show."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from watchfloor.compare import Change

CURRENT = "last_24h"
PREVIOUS = "week_before"
SEVERITIES = ("SEV0", "SEV1", "SEV2", "SEV3")


@dataclass(frozen=True)
class DailyHealth:
    inflow: Change
    resolved: Change
    backlog: Change
    first_action_attainment: Change
    resolution_attainment: Change
    breached_now: dict[str, int]  # clock -> open cases past target
    at_risk_now: dict[str, int]  # clock -> open cases at >= 75 % of target
    open_incidents: dict[str, int]  # severity -> count
    backlog_by_state: dict[str, int] = field(default_factory=dict)

    @property
    def open_incidents_total(self) -> int:
        return sum(self.open_incidents.values())


def _value(frame: pl.DataFrame, column: str, **match: str) -> float | None:
    rows = frame
    for key, value in match.items():
        rows = rows.filter(pl.col(key) == value)
    if rows.height == 0:
        return None
    return rows[column][0]


def summarise(
    flow: pl.DataFrame,
    sla: pl.DataFrame,
    incidents: pl.DataFrame,
    backlog_by_state: pl.DataFrame,
) -> DailyHealth:
    """`sla` is home_sla's frame: 'attainment' rows per period and clock, 'now' rows per clock."""
    attainment = sla.filter(pl.col("kind") == "attainment")
    sla_now = sla.filter(pl.col("kind") == "now")
    def change(frame: pl.DataFrame, column: str, **match: str) -> Change:
        return Change(
            _value(frame, column, period=CURRENT, **match),
            _value(frame, column, period=PREVIOUS, **match),
        )

    clocks = {row["clock"]: row for row in sla_now.iter_rows(named=True)}
    return DailyHealth(
        inflow=change(flow, "inflow"),
        resolved=change(flow, "resolved"),
        backlog=change(flow, "backlog_at_end"),
        first_action_attainment=change(attainment, "attainment", clock="first_action"),
        resolution_attainment=change(attainment, "attainment", clock="resolution"),
        breached_now={clock: int(row["breached"]) for clock, row in clocks.items()},
        at_risk_now={clock: int(row["at_risk"]) for clock, row in clocks.items()},
        open_incidents={row["severity"]: int(row["open_incidents"]) for row in incidents.iter_rows(named=True)},
        backlog_by_state={row["status"]: int(row["cases"]) for row in backlog_by_state.iter_rows(named=True)},
    )
