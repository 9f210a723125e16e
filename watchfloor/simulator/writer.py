"""Writing a simulation into a DuckDB warehouse.

Up to STREAM_ABOVE_CASES cases the whole period is simulated in memory, with the file closed (a
dashboard may keep reading it); the file is then opened once and every table is written in one
transaction: with replace, the contract tables are dropped and recreated inside it, so a failure
leaves the previous data as it was. The same seed gives the same warehouse as it always has.

Either way the summaries (watchfloor/summaries.py) are built once, after the last row, before the
seed becomes visible: in the same transaction as the rows, or in the new file before it is
renamed over the target. No reader ever sees a seed without its summaries, and no day's write
pays for a summary refresh.

Larger warehouses are simulated a day at a time (simulator/stream.py) and written as they go into
a new file next to the target, one commit per window: DuckDB writes a large append's row groups
to the file as they fill, but a transaction keeps about 125 bytes a row in memory until it
commits (measured: 0.3 GiB per 2.3 M events in one transaction, flat with a commit per window),
so one transaction over 70 M events would not fit. When the new file is complete, the target is
opened for writing (other writers wait, or it waits for them), the tables that are not part of
the contract (load runs, alerts, other meta keys) are copied into the new file with their
definitions and indexes, and the new file is renamed over the target. A failure at any point
removes the new file and leaves the target as it was; readers that have the old file open keep
reading it until they reconnect.

Frames are inserted through DuckDB's Arrow scan, already sorted by time (cases by created_at,
events by occurred_at) so DuckDB's zone maps make time-range filters cheap.
"""

from __future__ import annotations

import os
import queue
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from watchfloor import __version__, summaries
from watchfloor.schema import CONTRACT_TABLES, SUMMARY_TABLES
from watchfloor.simulator import stream
from watchfloor.simulator.config import SimConfig
from watchfloor.simulator.run import STEPS, TABLE_ORDER, simulate
from watchfloor.transactions import commit_and_continue, in_transaction
from watchfloor.warehouse import WarehouseError, case_count, create_schema, existing_tables, open_for_reading, open_for_writing

# Above this many cases (days x cases a day) seed() simulates a day at a time. The whole period in
# memory takes about 2.5 GiB per million cases, so up to here it stays under 3.1 GiB; the 1M-case
# benchmark and evaluation warehouses (990,000-999,000) keep the data they always had.
STREAM_ABOVE_CASES = 1_200_000
STREAM_MEMORY_LIMIT = "2GB"
COMMIT_EVERY_ROWS = 2_000_000

META_KEYS = ("kind", "seed", "days", "cases_per_day", "world", "sim_start", "sim_end", "generated_at", "version")


class WarehouseNotEmpty(WarehouseError):
    """The warehouse already holds cases and replace was not asked for."""


class _ProducerFailed(Exception):
    """Ends the appender's transaction without a commit when the simulation failed."""


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
            from tqdm import tqdm  # start-up cost: only a seed run with a terminal draws a bar

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
    assert cfg.end is not None  # SimConfig sets it
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


def _prepare_tables(con, replace: bool) -> None:
    """With replace, drop the contract tables (inside the caller's transaction); then create what is missing."""
    if replace:
        present = set(existing_tables(con))
        for table in CONTRACT_TABLES:
            if table in present:
                con.sql(f"DROP TABLE {table}")
    create_schema(con)


class _Inserter:
    """Appends frames to the contract tables, only the columns each table has (a warehouse created by an
    older schema lacks newer ones)."""

    def __init__(self, con):
        self.con = con
        self.columns: dict[str, set[str]] = {}
        self.counts: dict[str, int] = {t: 0 for t in TABLE_ORDER}

    def __call__(self, table: str, frame: pl.DataFrame) -> None:
        if table not in self.columns:
            self.columns[table] = set(_columns(self.con, table))
        cols = ", ".join(c for c in frame.columns if c in self.columns[table])
        name = f"_wf_seed_{table}"
        self.con.register(name, frame)
        try:
            self.con.sql(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
        finally:
            _unregister(self.con, name)
        self.counts[table] += len(frame)


def _build_summaries(con) -> None:
    """Every case's summaries, inside the caller's transaction (summaries.refresh_file's time zone)."""
    con.sql("SET TimeZone = 'UTC'")
    summaries.refresh(con)


def _write_meta(con, cfg: SimConfig, demo: bool) -> None:
    generated = datetime.now(UTC).replace(tzinfo=None)
    keys = [k for k, _ in meta_rows(cfg, demo, generated)]
    con.sql("DELETE FROM watchfloor_meta WHERE key IN (SELECT unnest($keys))", params={"keys": keys})
    meta = pl.DataFrame(meta_rows(cfg, demo, generated), schema={"key": pl.String, "value": pl.String},
                        orient="row")
    con.register("_wf_seed_meta", meta)
    try:
        con.sql("INSERT INTO watchfloor_meta (key, value) SELECT key, value FROM _wf_seed_meta")
    finally:
        _unregister(con, "_wf_seed_meta")


def write_frames(con, frames: dict[str, pl.DataFrame], cfg: SimConfig, replace: bool, demo: bool,
                 progress=None) -> dict[str, int]:
    """Write frames into an open connection in one transaction, the summaries included. Each frame
    is taken out of `frames` once written, so the summaries are not built beside the whole period."""
    with in_transaction(con):
        _prepare_tables(con, replace)
        insert = _Inserter(con)
        weights = {t: max(1, len(frames[t])) for t in TABLE_ORDER}
        total = sum(weights.values())
        done = 0
        for table in TABLE_ORDER:
            insert(table, frames.pop(table))
            done += weights[table]
            if progress is not None:
                progress("write", done / total)
        _write_meta(con, cfg, demo)
        _build_summaries(con)
    return insert.counts


def write_stream(con, cfg: SimConfig, demo: bool, window_days: int = stream.WINDOW_DAYS,
                 progress=None) -> dict[str, int]:
    """Simulate window by window (stream.stream) into a new, empty warehouse file.

    A second thread appends while the simulation draws the next window (DuckDB works without
    Python's lock, so the two share two cores); at most one frame waits between them. It commits
    every COMMIT_EVERY_ROWS rows: a commit is a sync to disk, and a transaction's memory grows
    with its rows (see the module docstring)."""
    # DuckDB's buffer within a bound of its own, so the process's peak stays flat whatever the
    # machine's memory (its primary-key indexes must stay in memory: 2 GB holds them at 10 M cases).
    con.sql(f"SET memory_limit = '{STREAM_MEMORY_LIMIT}'")
    create_schema(con)
    insert = _Inserter(con)
    handoff: queue.Queue = queue.Queue(maxsize=1)
    failed: list[BaseException] = []

    def append() -> None:
        pending = 0
        try:
            with in_transaction(con):
                while True:
                    item = handoff.get()
                    if item is None:
                        break
                    if failed:
                        continue  # drain: the producer stops at its next hand-over
                    table, frame = item
                    insert(table, frame)
                    pending += len(frame)
                    del frame, item
                    if pending >= COMMIT_EVERY_ROWS:
                        commit_and_continue(con)
                        pending = 0
                if failed:
                    raise _ProducerFailed  # the last rows are rolled back, not committed
        except _ProducerFailed:
            pass  # the producer raises its own error; the hand-over is drained already
        except BaseException as exc:  # handed to the producer, which raises it
            failed.append(exc)
            while handoff.get() is not None:
                pass

    writer = threading.Thread(target=append, name="seed-writer", daemon=True)
    writer.start()
    try:
        for item in stream.stream(cfg, window_days, progress=progress):
            if failed:
                break
            handoff.put(item)
            del item
    except BaseException as exc:
        failed.append(exc)
        raise
    finally:
        handoff.put(None)
        writer.join()
    if failed:
        raise failed[0]
    with in_transaction(con):
        _write_meta(con, cfg, demo)
    return insert.counts


def summarise_stream(path) -> None:
    """Every case's summaries of a file write_stream filled, in a connection of its own opened once
    the appends' is closed: that one holds in memory the primary-key indexes its appends filled,
    which the build never reads (a new connection loads an index only when it is used), so the
    build gets the memory bound to itself (the simulation's memory is freed by then too)."""
    with open_for_writing(path) as con:
        con.sql(f"SET memory_limit = '{summaries.BUILD_MEMORY_LIMIT}'")
        with in_transaction(con):
            _build_summaries(con)
        con.sql("CHECKPOINT")


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def swap_in(new: Path, target: Path, replace: bool) -> None:
    """Rename the complete warehouse `new` over `target`, first copying into it what target holds
    besides the contract tables. Target is held open for writing meanwhile, so no other process
    writes to it (or leaves a write-ahead log beside it) until the rename is done."""
    if not target.exists():
        os.replace(new, target)
        return
    with open_for_writing(target) as con:
        count = case_count(con)
        if count and not replace:
            raise WarehouseNotEmpty(_refuse_message(target, count))
        con.sql("CHECKPOINT")  # the target's own write-ahead log, if any, into its file
        old = con.sql("SELECT current_database()").fetchall()[0][0]
        con.sql(f"ATTACH {_quoted(str(new))} AS wf_seeded")
        try:
            kept = con.sql("SELECT table_name, sql FROM duckdb_tables() WHERE database_name = $db "
                           "AND schema_name = 'main' ORDER BY table_name", params={"db": old}).fetchall()
            indexes = con.sql("SELECT table_name, sql FROM duckdb_indexes() WHERE database_name = $db "
                              "AND schema_name = 'main' AND sql IS NOT NULL", params={"db": old}).fetchall()
            con.sql("USE wf_seeded")
            for name, ddl in kept:
                if name in CONTRACT_TABLES or name in SUMMARY_TABLES:  # written anew, the summaries after the seed
                    continue
                src = f"{_ident(old)}.main.{_ident(name)}"
                if name == "watchfloor_meta":
                    con.sql(f"INSERT INTO wf_seeded.main.watchfloor_meta SELECT * FROM {src} "
                            "WHERE key NOT IN (SELECT key FROM wf_seeded.main.watchfloor_meta)")
                    continue
                con.sql(ddl)
                con.sql(f"INSERT INTO wf_seeded.main.{_ident(name)} SELECT * FROM {src}")
            for table, ddl in indexes:
                if table not in CONTRACT_TABLES and table not in SUMMARY_TABLES:
                    con.sql(ddl)
            con.sql("CHECKPOINT wf_seeded")
        finally:
            con.sql(f"USE {_ident(old)}")
            con.sql("DETACH wf_seeded")
        os.replace(new, target)


def streams(cfg: SimConfig, window_days: int | None = None) -> bool:
    """Whether seed() simulates in windows: when asked to, or above STREAM_ABOVE_CASES cases."""
    if window_days is not None:
        return window_days > 0
    return cfg.days * cfg.cases_per_day > STREAM_ABOVE_CASES


def seed(path, cfg: SimConfig, replace: bool = False, progress: bool = True, demo: bool = False,
         window_days: int | None = None) -> dict[str, int]:
    """Simulate and write every contract table into the DuckDB file at path, the summaries included;
    returns the row counts.

    Raises WarehouseNotEmpty (nothing touched) if the warehouse already holds cases and replace is
    false; with replace, the contract tables' rows are replaced as a whole (module docstring).
    window_days: None chooses (see streams()), 0 the whole period in memory, N > 0 windows of N days."""
    check_target(path, replace)
    bar = _Progress(progress, f"seeding {cfg.days} days x {cfg.cases_per_day} cases/day")
    try:
        if streams(cfg, window_days) and str(path) != ":memory:":
            target = Path(path)
            new = target.with_name(target.name + ".seeding")
            _remove(new)
            try:
                with open_for_writing(new) as con:
                    counts = write_stream(con, cfg, demo, window_days or stream.WINDOW_DAYS, progress=bar)
                summarise_stream(new)
                swap_in(new, target, replace)
            finally:
                _remove(new)
        else:
            frames = simulate(cfg, progress=bar)
            with open_for_writing(path) as con:
                count = case_count(con)
                if count and not replace:
                    raise WarehouseNotEmpty(_refuse_message(path, count))
                counts = write_frames(con, frames, cfg, replace, demo, progress=bar)
            del frames
    finally:
        bar.close()
    return counts


def _remove(path: Path) -> None:
    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
