"""A seeded warehouse continued by the live feed, as the summaries' tests use it: the seeder builds
the summaries, and each live batch refreshes its cases' summaries in its own transaction."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from watchfloor.simulator import writer
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.live import LiveConfig, LiveFeed


class Clock:
    """A settable 'now' for the live feed."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def seeded_then_live(path: str, config: SimConfig, feed_seed: int, batches: int = 12,
                     step: timedelta = timedelta(minutes=10)) -> datetime:
    """Seed `path` up to config.end, then write `batches` live batches `step` apart; returns the
    last batch's 'now'."""
    writer.seed(path, config, progress=False)
    assert config.end is not None  # SimConfig.__post_init__ sets it
    clock = Clock(config.end)
    feed = LiveFeed(path, LiveConfig(seed=feed_seed, speed=2.0), clock=clock)
    for _ in range(batches):
        clock.now += step
        feed.step()
    return clock.now


def copy_of(path: str | Path, into: Path) -> Path:
    """A copy of the warehouse file at `into`, for a test that changes it."""
    into.write_bytes(Path(path).read_bytes())
    return into


def read_rows(path: str | Path, sql: str) -> pl.DataFrame:
    """The rows of one query on the warehouse, opened read-only for it."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.sql(sql).pl()
    finally:
        con.close()


def assert_wrong_row_caught(con, table: str, change: str, key, compare) -> None:
    """`compare()` fails once a summary row is made wrong (`UPDATE table SET change` bound to `key`);
    the change is rolled back afterwards."""
    con.execute("BEGIN TRANSACTION").fetchall()
    try:
        con.execute(f"UPDATE {table} SET {change}", list(key)).fetchall()
        with pytest.raises(AssertionError):
            compare()
    finally:
        con.execute("ROLLBACK").fetchall()
