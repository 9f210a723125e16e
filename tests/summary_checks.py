"""What the summary tests compare with: frames equal bit for bit, and the page queries with every
summary reading replaced by its definition on the raw tables."""

from __future__ import annotations

from pathlib import Path

import polars as pl

import queries


def assert_same(raw: pl.DataFrame, summary: pl.DataFrame, where) -> None:
    """Equal frames: the same rows in the same order, every value identical (floats too)."""
    assert raw.columns == summary.columns, where
    assert raw.height == summary.height, (where, raw.height, summary.height)
    for column in raw.columns:
        a, b = raw[column], summary[column]
        differ = (a != b).fill_null(True) & ~(a.is_null() & b.is_null())
        assert not differ.any(), (where, column, raw.filter(differ).head(3).to_dicts(),
                                  summary.filter(differ)[column].head(3).to_list())


# The summaries' readings of SLA clocks (macros/sla.sql): the whole clock, its two parts, the met
# clocks counted per hour or per day; each has a raw twin of the same name without `summary_`.
CLOCK_READS = ("summary_sla_clocks(", "summary_sla_clock_times(", "summary_sla_open_clocks(",
               "summary_sla_stopped_clocks(", "summary_sla_met_hour_counts(", "summary_sla_met_day_counts(")


def raw_twin(sql: str) -> str:
    """The query with every summary reading of the clocks replaced by its raw twin."""
    for part in CLOCK_READS:
        sql = sql.replace(part, part.removeprefix("summary_"))
    return sql


def _figures_definition() -> str:
    """routing_figures' definition: its figures aggregated from the rows of routing_cases.sql with
    every case's steps and SLA clocks replayed from the raw events (no summary read)."""
    cases = raw_twin(queries.load("routing_cases").sql).replace("summary_routing_segments(", "routing_segments(")
    body = (Path(__file__).parent / "unit" / "routing_figures_definition.sql").read_text(encoding="utf-8")
    assert body.count("WITH period_cases") == 1
    return body.replace("WITH period_cases", f"WITH cases_replayed AS (\n{cases}\n),\nperiod_cases")


FIGURES_DEFINITION = _figures_definition()
