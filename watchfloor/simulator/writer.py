"""Writing a simulation into a DuckDB warehouse.

The simulation runs with the file closed (a dashboard may keep reading it);
the file is then opened once and every table is written in one transaction:
with replace, the contract tables are dropped and recreated inside that
transaction, so a failure leaves the previous data as it was. Frames are
inserted through DuckDB's Arrow scan, already sorted by time (cases by
created_at, events by occurred_at) so DuckDB's zone maps make time-range
filters cheap.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import polars as pl

from watchfloor import __version__
from watchfloor.simulator import STEPS, TABLE_ORDER, simulate
from watchfloor.simulator.config import SimConfig
from watchfloor.warehouse import (CONTRACT_TABLES, WarehouseError, case_count, create_schema, existing_tables,
                                  open_for_reading, open_for_writing)

META_KEYS = ("kind", "seed", "days", "cases_per_day", "world", "sim_start", "sim_end", "generated_at", "version")


class WarehouseNotEmpty(WarehouseError):
    """The warehouse already holds cases and replace was not asked for."""


def _refuse_message(path, count: int) -> str:
    return f"warehouse {path} already holds {count} cases; use --replace to overwrite them"


def check_target(path, replace: bool) -> None:
    """Raise WarehouseNotEmpty if path holds cases and replace is false (opens read-only, touches nothing)."""
    if replace or str(path) == ":memory:" or not Path(path).exists():
        return
    with open_for_reading(path) as con:
        count = case_count(con)
    if count:
        raise WarehouseNotEmpty(_refuse_message(path, count))


class _Progress:
    """Maps (step, fraction) reports onto one tqdm bar."""

    def __init__(self, enabled: bool, label: str):
        self.bar = None
        self.done = 0.0
        self.weights = dict(STEPS)
        self.weights["write"] = 12
        self.base: dict[str, float] = {}
        acc = 0.0
        for name, w in list(STEPS) + [("write", 12)]:
            self.base[name] = acc
            acc += w
        self.total = acc
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(total=int(acc), desc=label, unit="%", file=sys.stderr, leave=True,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}{postfix}")

    def __call__(self, step: str, frac: float = 1.0) -> None:
        if self.bar is None:
            return
        pos = self.base[step] + self.weights[step] * min(max(frac, 0.0), 1.0)
        if pos > self.done:
            self.bar.update(pos - self.done)
            self.done = pos
        self.bar.set_postfix_str(step, refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def meta_rows(cfg: SimConfig, demo: bool, generated_at: datetime) -> list[tuple[str, str]]:
    return [
        ("kind", "demo" if demo else "simulated"),
        ("seed", str(cfg.seed)),
        ("days", str(cfg.days)),
        ("cases_per_day", str(cfg.cases_per_day)),
        ("world", "calm" if cfg.calm else "noisy"),
        ("sim_start", cfg.start.isoformat(sep=" ")),
        ("sim_end", cfg.end.isoformat(sep=" ")),
        ("generated_at", generated_at.isoformat(sep=" ", timespec="seconds")),
        ("version", __version__),
    ]


def _columns(con, table: str) -> list[str]:
    rows = con.sql(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = $t",
        params={"t": table},
    ).fetchall()
    return [r[0] for r in rows]


def _unregister(con, name: str) -> None:
    try:
        con.unregister(name)
    except Exception:
        pass  # an aborted transaction refuses; the view goes with the connection


def write_frames(con, frames: dict[str, pl.DataFrame], cfg: SimConfig, replace: bool, demo: bool,
                 progress=None) -> dict[str, int]:
    """Write frames into an open connection in one transaction."""
    con.sql("BEGIN TRANSACTION")
    try:
        if replace:
            present = set(existing_tables(con))
            for table in CONTRACT_TABLES:
                if table in present:
                    con.sql(f"DROP TABLE {table}")
        create_schema(con)
        counts: dict[str, int] = {}
        weights = {t: max(1, len(frames[t])) for t in TABLE_ORDER}
        total = sum(weights.values())
        done = 0
        for table in TABLE_ORDER:
            frame = frames[table]
            # Only the columns the table has: a warehouse created by an older schema lacks newer ones.
            have = set(_columns(con, table))
            cols = ", ".join(c for c in frame.columns if c in have)
            name = f"_wf_seed_{table}"
            con.register(name, frame)
            try:
                con.sql(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
            finally:
                _unregister(con, name)
            counts[table] = len(frame)
            done += weights[table]
            if progress is not None:
                progress("write", done / total)
        generated = datetime.now(timezone.utc).replace(tzinfo=None)
        keys = [k for k, _ in meta_rows(cfg, demo, generated)]
        con.sql("DELETE FROM watchfloor_meta WHERE key IN (SELECT unnest($keys))", params={"keys": keys})
        meta = pl.DataFrame(meta_rows(cfg, demo, generated), schema={"key": pl.String, "value": pl.String},
                            orient="row")
        con.register("_wf_seed_meta", meta)
        try:
            con.sql("INSERT INTO watchfloor_meta (key, value) SELECT key, value FROM _wf_seed_meta")
        finally:
            _unregister(con, "_wf_seed_meta")
        con.sql("COMMIT")
    except BaseException:
        try:
            con.sql("ROLLBACK")
        except Exception:
            pass
        raise
    return counts


def seed(path, cfg: SimConfig, replace: bool = False, progress: bool = True, demo: bool = False) -> dict[str, int]:
    check_target(path, replace)
    bar = _Progress(progress, f"seeding {cfg.days} days x {cfg.cases_per_day} cases/day")
    try:
        frames = simulate(cfg, progress=bar)
        with open_for_writing(path) as con:
            count = case_count(con)
            if count and not replace:
                raise WarehouseNotEmpty(_refuse_message(path, count))
            counts = write_frames(con, frames, cfg, replace, demo, progress=bar)
    finally:
        bar.close()
    return counts
