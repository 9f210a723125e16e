"""The spike record kept in the warehouse by the writers, so that no page judges the watched series
when it opens.

Judging every watched series takes one to two seconds of CPU (watchfloor.spike_record.build), and
a page opened cold would otherwise pay it. Each summary refresh (watchfloor.summaries.refresh, in
the writer's transaction) keeps the unfiltered record at the default sensitivity for the hours a
dashboard is about to ask about: the hour of the newest case (a live warehouse, 'now' inside that
hour) and, on a full refresh (a seed, a load, `watchfloor refresh --full`), also the hour after
it (a warehouse whose data has stopped, looked at once that hour is complete). A record is kept with the key of the watched series it was judged on
(spike_record.series_key): a page reads it only when the series it fetched have the same key, so a
kept record is never out of date, only unused. An incremental refresh judges again only when the
newest case has moved to another hour; a write that changes past hours' counts in between leaves
the kept records unmatched, and pages judge their series themselves until the next hour.

The series are the ones pages fetch: the named query watched_series, read from its file with the
macros it uses, with no filter.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from watchfloor import spike_record as records
from watchfloor.filters import MULTI_KEYS

SENSITIVITY = "normal"
_QUERIES = Path(__file__).resolve().parent.parent / "queries"
# The series' query and the macro files it calls (hourly counts, filters).
_SERIES_FILES = ("macros/filters.sql", "macros/hourly.sql", "watched_series.sql")
_NO_FILTER: dict[str, list[str]] = {attr: [] for attr in MULTI_KEYS.values()}  # every case, as plans.watched asks without filters
# RECORD_SCHEMA's `end` is a reserved word in SQL: stored as end_hour.
_STORED_NAMES = {"end": "end_hour"}


@cache
def _sql(name: str) -> str:
    return (_QUERIES / name).read_text(encoding="utf-8")


def kept_hours(con: duckdb.DuckDBPyConnection, full: bool) -> list[datetime]:
    """The hours whose records are kept: the newest case's hour, and after a full refresh also the
    one after (none without cases). A live feed's next hour still fills up: judged when it comes."""
    newest = con.execute("SELECT date_trunc('hour', max(created_at)) FROM cases").fetchall()[0][0]
    if newest is None:
        return []
    return [newest, newest + records.STEP] if full else [newest]


def watched_series(con: duckdb.DuckDBPyConnection, hour: datetime) -> pl.DataFrame:
    """The unfiltered watched series of the record at `hour`, as a page fetches them."""
    for name in _SERIES_FILES[:-1]:
        con.execute(_sql(name)).fetchall()
    until = records.query_params(hour)
    return con.sql(_sql(_SERIES_FILES[-1]), params={**until, **_NO_FILTER}).pl()


def keep(con: duckdb.DuckDBPyConnection, full: bool) -> list[datetime]:
    """Keep the records of kept_hours: on a full refresh, and on an incremental one when no record
    is kept for the newest case's hour (it has moved on); returns the hours judged."""
    hours = kept_hours(con, full)
    stored = {r[0] for r in con.execute(
        "SELECT hour FROM summary_spike_records WHERE sensitivity = ?", [SENSITIVITY]).fetchall()}
    if not full and set(hours) <= stored:
        return []
    con.execute("DELETE FROM summary_spikes").fetchall()
    con.execute("DELETE FROM summary_spike_records").fetchall()
    for hour in hours:
        series = watched_series(con, hour)
        record = records.build(series, hour, SENSITIVITY)
        con.execute("INSERT INTO summary_spike_records VALUES (?, ?, ?, ?, ?)",
                    [hour, SENSITIVITY, records.series_key(series), record.first, record.last]).fetchall()
        rows = record.spikes.rename(_STORED_NAMES).with_columns(
            pl.lit(hour).cast(pl.Datetime("us")).alias("hour"), pl.lit(SENSITIVITY).alias("sensitivity"))
        if rows.height:
            con.register("kept_spikes", rows)
            try:
                columns = ", ".join(rows.columns)
                con.execute(f"INSERT INTO summary_spikes ({columns}) SELECT {columns} FROM kept_spikes").fetchall()
            finally:
                con.unregister("kept_spikes")
    return hours


def record_from_rows(rows: pl.DataFrame, sensitivity: str) -> records.SpikeRecord | None:
    """The record from the rows of the named query kept_spike_record (None: no record is kept for
    those series): one row per spike, or one row of nulls but the grid for a record without one."""
    if rows.height == 0:
        return None
    first, last = rows["first_hour"][0], rows["last_hour"][0]
    spikes = (rows.filter(pl.col("spike_id").is_not_null())
              .rename({v: k for k, v in _STORED_NAMES.items()})
              .select(list(records.RECORD_SCHEMA)).cast(records.RECORD_SCHEMA).sort("onset", "category"))
    return records.SpikeRecord(spikes, first, last, sensitivity)
