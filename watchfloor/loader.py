"""Loading CSV and Parquet exports into the warehouse contract tables.

A load runs in two phases:

1. **Read and check each file, with the warehouse closed.** A file that cannot be read at
   all (not CSV or Parquet, not UTF-8, truncated, no header, required columns missing)
   stops the whole load with a one-line `LoadError` before anything is written. Every row is
   converted to the table's types and checked for missing values, value sets, time order,
   numbers that are not numbers (NaN, infinite), NUL bytes in text and times further in the
   future than the tolerance allows; a row that fails is set aside with its reasons.
2. **Write, in one transaction, with the file held for that batch only.** Files are written
   parents before children (policies before queues before cases before events), so a row
   may refer to a row of the same load. Rows whose key is already in the table are
   duplicates and add nothing (a case whose `updated_at` is newer than the stored one
   replaces it: exports repeat cases as they move on). Rows that refer to something the
   warehouse does not hold are rejected. Rejected rows go to `load_quarantine` with the file,
   the row number and the reason; each file's counts go to `load_runs`.

For every file, accepted + rejected + duplicates = rows read. docs/loading.md is the
user's guide.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl
from polars.datatypes import DataTypeClass

from watchfloor import config, summaries
from watchfloor.schema import CONTRACT_TABLES, column_defaults, contract_columns
from watchfloor.transactions import in_transaction
from watchfloor.warehouse import create_schema, first_line, open_for_writing

# Parents before children: the order files are written in.
LOAD_ORDER = ("sla_policies", "queues", "vendors", "reviewers", "shifts", "sim_spikes", "incidents",
              "incident_events", "cases", "case_events", "qa_reviews", "appeals")

# What identifies a row. Tables without a primary key use the columns that make a row unique.
KEYS: dict[str, tuple[str, ...]] = {
    "sla_policies": ("sla_policy_id",),
    "queues": ("queue_id",),
    "vendors": ("vendor_id",),
    "reviewers": ("reviewer_id",),
    "shifts": ("reviewer_id", "starts_at"),
    "incidents": ("incident_id",),
    "incident_events": ("incident_id", "occurred_at", "kind"),
    "cases": ("case_id",),
    "case_events": ("event_id",),
    "qa_reviews": ("qa_id",),
    "appeals": ("appeal_id",),
    "sim_spikes": ("spike_id",),
}

# column -> (table, column) it must name, when not null.
REFERENCES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "queues": (("sla_policy_id", "sla_policies", "sla_policy_id"),),
    "reviewers": (("vendor_id", "vendors", "vendor_id"),),
    "shifts": (("reviewer_id", "reviewers", "reviewer_id"), ("queue_id", "queues", "queue_id")),
    "incident_events": (("incident_id", "incidents", "incident_id"),),
    "sim_spikes": (("incident_id", "incidents", "incident_id"),),
    "cases": (("queue_id", "queues", "queue_id"), ("vendor_id", "vendors", "vendor_id"),
              ("reviewer_id", "reviewers", "reviewer_id"), ("incident_id", "incidents", "incident_id")),
    "case_events": (("case_id", "cases", "case_id"), ("queue_id", "queues", "queue_id")),
    "qa_reviews": (("case_id", "cases", "case_id"), ("reviewer_id", "reviewers", "reviewer_id"),
                   ("qa_reviewer_id", "reviewers", "reviewer_id")),
    "appeals": (("case_id", "cases", "case_id"),),
}
# sim_spikes is written before incidents, so a spike's incident may arrive in the same load:
# that reference is checked after every table is written.
LATE_REFERENCES = {("sim_spikes", "incident_id")}

VALUE_SETS: dict[str, dict[str, tuple[str, ...]]] = {
    "sla_policies": {"priority": config.PRIORITIES, "calendar": ("24x7", "business")},
    "queues": {"region": config.REGIONS, "tier": config.TIERS},
    "vendors": {"kind": ("internal", "bpo")},
    "reviewers": {"region": config.REGIONS},
    "incidents": {"severity": config.SEVERITIES, "status": ("open", "acknowledged", "mitigated", "resolved")},
    "cases": {"source": config.SOURCES, "priority": config.PRIORITIES, "region": config.REGIONS,
              "status": config.CASE_STATUSES, "decision": config.DECISIONS,
              "enforcement_action": config.ENFORCEMENT_ACTIONS},
    "case_events": {"event_type": config.EVENT_TYPES},
    "qa_reviews": {"original_decision": config.DECISIONS, "qa_decision": config.DECISIONS},
    "appeals": {"outcome": ("upheld", "overturned", "pending")},
}

# (earlier, later): when both are set, later must not be before earlier ("<" for strictly).
TIME_ORDER: dict[str, tuple[tuple[str, str, str], ...]] = {
    "shifts": (("starts_at", "ends_at", "<"),),
    "incidents": (("started_at", "detected_at", "<="), ("started_at", "acknowledged_at", "<="),
                  ("started_at", "mitigated_at", "<="), ("started_at", "resolved_at", "<=")),
    "cases": (("created_at", "first_action_at", "<="), ("created_at", "resolved_at", "<="),
              ("created_at", "updated_at", "<=")),
    "appeals": (("filed_at", "resolved_at", "<="),),
    "sim_spikes": (("starts_at", "ends_at", "<="),),
}

QUARANTINE_DDL = """
CREATE TABLE IF NOT EXISTS load_quarantine (
    load_id     VARCHAR NOT NULL,
    loaded_at   TIMESTAMP NOT NULL,
    file        VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    row_number  BIGINT NOT NULL,
    table_name  VARCHAR NOT NULL,
    reason      VARCHAR NOT NULL,
    record      VARCHAR
);
CREATE TABLE IF NOT EXISTS load_runs (
    load_id     VARCHAR NOT NULL,
    loaded_at   TIMESTAMP NOT NULL,
    file        VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    table_name  VARCHAR NOT NULL,
    rows_read   BIGINT NOT NULL,
    accepted    BIGINT NOT NULL,
    rejected    BIGINT NOT NULL,
    duplicates  BIGINT NOT NULL,
    updated     BIGINT NOT NULL
);
"""

# Times may lie this far ahead of the clock (clock skew between systems); a case created in 2031
# is a broken export, not a case. WATCHFLOOR_LOAD_FUTURE_MINUTES overrides it.
FUTURE_TOLERANCE_MINUTES = 60.0
# Columns that are plans and may lie in the future.
FUTURE_ALLOWED = {("shifts", "starts_at"), ("shifts", "ends_at"), ("sim_spikes", "starts_at"),
                  ("sim_spikes", "ends_at")}
# Parquet column types a file may have (each is read as text, then converted to the contract's type).
_LOADABLE_TYPES = (pl.String, pl.Categorical, pl.Enum, pl.Boolean, pl.Date, pl.Datetime,
                   pl.Int8, pl.Int16, pl.Int32, pl.Int64, pl.UInt8, pl.UInt16, pl.UInt32, pl.UInt64,
                   pl.Float32, pl.Float64, pl.Decimal, pl.Null)

# Validation runs in slices of this many rows, so the progress bar moves on large files.
CHUNK_ROWS = 200_000
PROGRESS_MIN_ROWS = 100_000

_TRUE = ("true", "t", "1", "yes", "y")
_FALSE = ("false", "f", "0", "no", "n")


class LoadError(ValueError):
    """A file cannot be loaded at all; the message is one line and names the file."""


@dataclass
class FileResult:
    path: str
    table: str
    rows_read: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    updated: int = 0  # accepted rows that replaced an older version of the same case
    reasons: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        updated = f" ({self.updated:,} updated)" if self.updated else ""
        return (f"{self.path} -> {self.table}: {self.rows_read:,} rows read, {self.accepted:,} accepted{updated}, "
                f"{self.rejected:,} rejected, {self.duplicates:,} duplicates")


@dataclass
class _Checked:
    """A file after phase 1: typed rows that passed the row checks, and the rows that did not."""
    path: Path
    table: str
    sha256: str
    good: pl.DataFrame          # typed contract columns + _row
    bad: pl.DataFrame           # _row, reason, record
    duplicates_in_file: int
    rows_read: int


def table_for(path: Path, table: str | None) -> str:
    """The contract table a file loads into: --table, else the file name (cases_2026-11.csv -> cases)."""
    if table:
        if table not in CONTRACT_TABLES:
            raise LoadError(f"unknown table {table!r} (one of: {', '.join(CONTRACT_TABLES)})")
        return table
    stem = path.name.split(".")[0].lower()
    for name in sorted(CONTRACT_TABLES, key=len, reverse=True):
        if stem == name or (stem.startswith(name) and not stem[len(name)].isalnum()):
            return name
    raise LoadError(f"{path}: cannot tell the table from the file name; name it after the table "
                    f"(e.g. cases.csv) or pass --table")


# ---------------------------------------------------------------------------------------
# Phase 1: reading.

def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def future_tolerance_minutes() -> float:
    raw = os.environ.get("WATCHFLOOR_LOAD_FUTURE_MINUTES", "").strip()
    if not raw:
        return FUTURE_TOLERANCE_MINUTES
    try:
        value = float(raw)
    except ValueError:
        raise LoadError(f"WATCHFLOOR_LOAD_FUTURE_MINUTES must be a number of minutes, got {raw!r}") from None
    if not math.isfinite(value) or value < 0:
        raise LoadError(f"WATCHFLOOR_LOAD_FUTURE_MINUTES must be 0 or more, got {raw!r}")
    return value


def _loadable(dtype: pl.DataType | DataTypeClass) -> bool:
    if isinstance(dtype, (pl.List, pl.Array)):
        return _loadable(dtype.inner)
    return isinstance(dtype, _LOADABLE_TYPES) or dtype in _LOADABLE_TYPES


def _check_names(path: Path, names: list[str]) -> None:
    """Column names are compared without case: two that differ only in case are one column twice."""
    seen: dict[str, str] = {}
    for name in names:
        key = name.lstrip("\ufeff").strip().lower()
        if key in seen:
            raise LoadError(f"{path}: the column {key} is named twice ({seen[key]!r} and {name!r}); "
                            "keep one of them")
        seen[key] = name


def read_file(path: Path) -> pl.DataFrame:
    """The file as a frame of strings (Parquet columns converted), or LoadError."""
    if path.is_dir():
        raise LoadError(f"{path}: is a directory, not a CSV or Parquet file")
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    with path.open("rb") as fh:
        head = fh.read(8192)
    if not head:
        raise LoadError(f"{path}: the file is empty")
    if head[:4] == b"PAR1" or path.suffix.lower() == ".parquet":
        try:
            frame = pl.read_parquet(path)
        except Exception as exc:
            raise LoadError(f"{path}: not a readable Parquet file (truncated or damaged?): {first_line(exc)}") from None
        _check_names(path, frame.columns)
        for name, dtype in frame.schema.items():
            if not _loadable(dtype):
                raise LoadError(f"{path}: column {name} has the Parquet type {dtype}, which Watchfloor does not "
                                "load; export it as text, a number or a timestamp")
        try:
            return _as_strings(frame)
        except Exception as exc:
            raise LoadError(f"{path}: a column cannot be read as text: {first_line(exc)}") from None
    if b"\x00" in head:
        raise LoadError(f"{path}: not a CSV or Parquet file (binary content)")
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut in the middle of a multi-byte character at the block's end is not an error.
        if exc.start < len(head) - 4:
            raise LoadError(f"{path}: not UTF-8 text (byte {exc.start}); convert the file to UTF-8") from None
    try:
        _check_names(path, pl.read_csv(path, infer_schema=False, encoding="utf8", n_rows=0).columns)
        frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
    except LoadError:
        raise
    except pl.exceptions.NoDataError:
        raise LoadError(f"{path}: the file is empty") from None
    except pl.exceptions.DuplicateError as exc:
        raise LoadError(f"{path}: a column is named twice ({first_line(exc)}); keep one of them") from None
    except pl.exceptions.ComputeError as exc:
        message = first_line(exc)
        if "utf-8" in message.lower():
            raise LoadError(f"{path}: not UTF-8 text; convert the file to UTF-8") from None
        raise LoadError(f"{path}: not a readable CSV file (truncated, or an unclosed quote?): {message}") from None
    except Exception as exc:
        raise LoadError(f"{path}: not a readable CSV file: {first_line(exc)}") from None
    # A UTF-8 byte-order mark would stick to the first column name.
    frame = frame.rename({c: c.lstrip("\ufeff").strip().lower() for c in frame.columns})
    return frame


def _as_strings(frame: pl.DataFrame) -> pl.DataFrame:
    columns = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.Datetime):
            if dtype.time_zone is not None:
                col = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
            col = col.dt.to_string("%Y-%m-%d %H:%M:%S%.6f")
        elif isinstance(dtype, (pl.List, pl.Array)):
            col = col.cast(pl.List(pl.String)).list.join(";")
        else:
            col = col.cast(pl.String)
        columns.append(col.alias(name.strip().lower()))
    return frame.select(columns)


# ---------------------------------------------------------------------------------------
# Phase 1: converting and checking rows.

def _parse_timestamp(col: pl.Expr) -> pl.Expr:
    """ISO-8601 text -> naive UTC datetime; an offset or Z is converted to UTC."""
    text = col.str.strip_chars().str.replace("T", " ", literal=True).str.replace(r"Z$", "+00:00")
    has_offset = text.str.contains(r"[+-]\d\d:?\d\d$")
    naive = pl.coalesce(
        text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%d %H:%M", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%d", strict=False, time_unit="us"),
    )
    aware = pl.coalesce(
        text.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%z", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%d %H:%M:%S%z", strict=False, time_unit="us"),
        text.str.to_datetime("%Y-%m-%d %H:%M%z", strict=False, time_unit="us"),
    ).dt.convert_time_zone("UTC").dt.replace_time_zone(None)
    return pl.when(has_offset).then(aware).otherwise(naive)


def _convert(name: str, kind: str) -> pl.Expr:
    col = pl.col(name)
    if kind == "TIMESTAMP":
        return _parse_timestamp(col)
    if kind in ("INTEGER", "BIGINT"):
        return col.str.strip_chars().cast(pl.Int64, strict=False)
    if kind == "DOUBLE":
        return col.str.strip_chars().cast(pl.Float64, strict=False)
    if kind == "BOOLEAN":
        low = col.str.strip_chars().str.to_lowercase()
        return pl.when(low.is_in(_TRUE)).then(True).when(low.is_in(_FALSE)).then(False).otherwise(None)
    if kind == "VARCHAR[]":
        # "en;fr", "en,fr", "en|fr" or ["en", "fr"].
        return (col.str.strip_chars("[] ").str.replace_all(r"[,|]", ";").str.split(";")
                .list.eval(pl.element().str.strip_chars(" '\"")).list.filter(pl.element() != ""))
    return col


_KIND_WORDS = {"TIMESTAMP": "a time", "INTEGER": "a whole number", "BIGINT": "a whole number",
               "DOUBLE": "a number", "BOOLEAN": "true or false"}


def check_rows(frame: pl.DataFrame, table: str, columns: dict[str, tuple[str, bool]],
               first_row: int = 1, latest: datetime | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Convert a frame of strings to the table's types and check each row.

    Returns (good rows with `_row`, bad rows as `_row`, `reason`, `record`). `_row` counts
    data rows from first_row (the first row after the header is 1). Times after `latest` (naive
    UTC; default now plus the future tolerance) are refused, but in columns that hold plans.
    """
    if latest is None:
        latest = config.utc_now() + timedelta(minutes=future_tolerance_minutes())
    present = [c for c in columns if c in frame.columns]
    raw = frame.select(present).with_columns(
        pl.col(c).str.strip_chars().replace("", None) for c in present
    ).with_row_index("_row", offset=first_row)
    typed_cols = [_convert(c, columns[c][0]).alias(c) for c in present]
    for c in columns:
        if c not in present:  # optional column not in the file
            typed_cols.append(pl.lit(None).alias(c))
    typed = raw.select("_row", *typed_cols)

    reasons: list[pl.Expr] = []
    for c in present:
        kind, nullable = columns[c]
        given, value = pl.col(f"_raw_{c}"), pl.col(c)
        if kind in _KIND_WORDS:
            reasons.append(pl.when(given.is_not_null() & value.is_null())
                           .then(pl.format(f"{c}: not {_KIND_WORDS[kind]}: '{{}}'", given)))
        if kind == "DOUBLE":
            reasons.append(pl.when(value.is_nan() | value.is_infinite())
                           .then(pl.format(f"{c}: not a finite number: '{{}}'", given)))
        if kind == "TIMESTAMP" and (table, c) not in FUTURE_ALLOWED:
            reasons.append(pl.when(value > latest)
                           .then(pl.format(f"{c}: in the future ({{}}, later than {latest:%Y-%m-%d %H:%M} UTC)", given)))
        # A NUL byte anywhere in a value (the first block of the file is checked for binary content
        # as a whole; a NUL further on would be stored, and server warehouses refuse it).
        reasons.append(pl.when(given.str.contains("\x00", literal=True)).then(pl.lit(f"{c}: contains a NUL byte")))
        if not nullable and c not in column_defaults().get(table, {}):
            reasons.append(pl.when(given.is_null()).then(pl.lit(f"{c}: missing")))
    for c, allowed in VALUE_SETS.get(table, {}).items():
        if c in present:
            reasons.append(pl.when(pl.col(c).is_not_null() & ~pl.col(c).is_in(allowed))
                           .then(pl.format(f"{c}: '{{}}' is not one of {', '.join(allowed)}", pl.col(c))))
    for early, late, op in TIME_ORDER.get(table, ()):
        if early in present and late in present:
            wrong = pl.col(late) <= pl.col(early) if op == "<" else pl.col(late) < pl.col(early)
            reasons.append(pl.when(wrong).then(pl.lit(f"{late} is before {early}" if op == "<=" else
                                                      f"{late} is not after {early}")))
    if table == "sla_policies":
        # Targets are durations; a working day must have hours (the SLA clock divides by them).
        for c in ("first_action_target_min", "resolution_target_min"):
            if c in present:
                reasons.append(pl.when(pl.col(c) <= 0).then(pl.lit(f"{c} must be above 0")))
        start = pl.col("business_start_hour") if "business_start_hour" in present else pl.lit(9)
        end = pl.col("business_end_hour") if "business_end_hour" in present else pl.lit(17)
        reasons.append(pl.when((start.fill_null(9) < 0) | (end.fill_null(17) > 24) | (start.fill_null(9) >= end.fill_null(17)))
                       .then(pl.lit("business hours must satisfy 0 <= business_start_hour < business_end_hour <= 24")))
    if table == "cases" and {"status", "resolved_at"} <= set(present):
        reasons.append(pl.when((pl.col("status") == "resolved") & pl.col("resolved_at").is_null())
                       .then(pl.lit("status is resolved but resolved_at is empty")))
        reasons.append(pl.when((pl.col("status") != "resolved") & pl.col("resolved_at").is_not_null())
                       .then(pl.lit("resolved_at is set but status is not resolved")))
    with_raw = typed.hstack(raw.select(pl.all().exclude("_row").name.prefix("_raw_")))
    checked = with_raw.with_columns(
        pl.concat_str(reasons, separator="; ", ignore_nulls=True).alias("_reason") if reasons
        else pl.lit(None, dtype=pl.String).alias("_reason")
    ).with_columns(pl.col("_reason").replace("", None))
    good = checked.filter(pl.col("_reason").is_null()).select("_row", *columns)
    bad_rows = checked.filter(pl.col("_reason").is_not_null())
    bad = bad_rows.select(
        "_row",
        pl.col("_reason").alias("reason"),
        pl.struct(pl.col(f"_raw_{c}").alias(c) for c in present).struct.json_encode().alias("record")
        if present else pl.lit(None, dtype=pl.String).alias("record"),
    )
    return good, bad


def check_file(path: Path, table: str | None, columns_of: dict[str, dict[str, tuple[str, bool]]],
               progress=None) -> _Checked:
    """Phase 1 for one file: read it, check its columns and rows. LoadError if unreadable.
    `progress` (a tqdm bar) learns the row count once the file is read and moves per slice."""
    name = table_for(path, table)
    frame = read_file(path)
    if progress is not None:
        progress.reset(total=frame.height)
    columns = columns_of[name]
    known = [c for c in frame.columns if c in columns]
    if not known:
        raise LoadError(f"{path}: no header naming a column of {name} (expected e.g. "
                        f"{', '.join(list(columns)[:4])})")
    defaults = column_defaults().get(name, {})
    required = [c for c, (_, nullable) in columns.items() if not nullable and c not in defaults]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise LoadError(f"{path}: columns missing for {name}: {', '.join(missing)}")
    goods, bads = [], []
    latest = config.utc_now() + timedelta(minutes=future_tolerance_minutes())
    for start in range(0, max(frame.height, 1), CHUNK_ROWS):
        part = frame.slice(start, CHUNK_ROWS)
        good, bad = check_rows(part, name, columns, first_row=start + 1, latest=latest)
        goods.append(good)
        bads.append(bad)
        if progress is not None:
            progress.update(part.height)
    good = pl.concat(goods, how="vertical_relaxed") if goods else pl.DataFrame()
    bad = pl.concat(bads, how="vertical_relaxed")
    # The same key twice in one file: the first row counts, the others are duplicates.
    key = list(KEYS[name])
    first = good.select(pl.struct(key).is_first_distinct()).to_series()
    duplicates = int((~first).sum())
    good = good.filter(first)
    return _Checked(path=path, table=name, sha256=_sha256(path), good=good, bad=bad,
                    duplicates_in_file=duplicates, rows_read=frame.height)


# ---------------------------------------------------------------------------------------
# Phase 2: writing.

def _unregister(con, name: str) -> None:
    try:
        con.unregister(name)
    except Exception:
        pass


def _write_file(con, item: _Checked, columns: dict[str, tuple[str, bool]], load_id: str,
                loaded_at: datetime) -> FileResult:
    table, key = item.table, list(KEYS[item.table])
    result = FileResult(path=str(item.path), table=table, rows_read=item.rows_read,
                        duplicates=item.duplicates_in_file)
    cols = list(columns)
    # An absent or empty value of a column with a default takes the default.
    defaults = column_defaults().get(table, {})
    casts = ", ".join(f"coalesce(CAST({c} AS {columns[c][0]}), {defaults[c]}) AS {c}" if c in defaults
                      else f"CAST({c} AS {columns[c][0]}) AS {c}" for c in cols)
    match = " AND ".join(f"t.{c} = b.{c}" for c in key)
    # One pass of hash joins while the file is held (row updates were several times slower): the
    # stored row with the same key, and each referenced parent row.
    joins, reasons = [f"LEFT JOIN {table} t ON {match}"], []
    # An export repeats a case as it moves on: a newer updated_at replaces the stored row.
    upd = "(t.updated_at IS NOT NULL AND b.updated_at > t.updated_at)" if table == "cases" else "false"
    dup = f"(t.{key[0]} IS NOT NULL AND NOT {upd})"
    for i, (column, parent, parent_col) in enumerate(REFERENCES.get(table, ())):
        if (table, column) in LATE_REFERENCES:
            continue
        # A parent is joined on its primary key, so the join adds no rows.
        joins.append(f"LEFT JOIN {parent} p{i} ON p{i}.{parent_col} = b.{column}")
        reasons.append(f"CASE WHEN b.{column} IS NOT NULL AND p{i}.{parent_col} IS NULL "
                       f"THEN '{column}: ''' || b.{column} || ''' is not in {parent}' END")
        if table == "case_events" and column == "case_id":
            reasons.append(f"CASE WHEN b.occurred_at < p{i}.created_at "
                           f"THEN 'occurred_at is before its case was created' END")
    reason = f"nullif(concat_ws('; ', {', '.join(reasons)}), '')" if reasons else "CAST(NULL AS VARCHAR)"
    con.register("_wf_load_in", item.good)
    try:
        con.sql(f"CREATE OR REPLACE TEMP TABLE _wf_batch AS "
                f"SELECT b.*, {dup} AS _dup, {upd} AS _upd, CASE WHEN NOT {dup} THEN {reason} END AS _reason "
                f"FROM (SELECT _row, {casts} FROM _wf_load_in) b {' '.join(joins)}")
    finally:
        _unregister(con, "_wf_load_in")
    counts = con.sql("SELECT count(*) FILTER (WHERE _dup), count(*) FILTER (WHERE NOT _dup AND _reason IS NOT NULL), "
                     "count(*) FILTER (WHERE NOT _dup AND _reason IS NULL), "
                     "count(*) FILTER (WHERE _upd AND _reason IS NULL) FROM _wf_batch").fetchall()[0]
    duplicates, rejected_refs, accepted, updated = (int(x) for x in counts)
    if updated:
        con.sql(f"DELETE FROM cases t USING _wf_batch b WHERE {match} AND b._upd AND b._reason IS NULL")
    col_list = ", ".join(cols)
    # Time-ordered inserts keep DuckDB's zone maps useful for time-range queries.
    order = {"cases": "created_at", "case_events": "event_id", "incident_events": "occurred_at",
             "shifts": "starts_at"}.get(table)
    order_by = f" ORDER BY {order}" if order else ""
    con.sql(f"INSERT INTO {table} ({col_list}) SELECT {col_list} FROM _wf_batch "
            f"WHERE NOT _dup AND _reason IS NULL{order_by}")
    if table in ("cases", "case_events", "qa_reviews", "appeals"):  # their cases' summaries are rebuilt before COMMIT
        con.sql("INSERT INTO _wf_touched SELECT DISTINCT case_id FROM _wf_batch WHERE NOT _dup AND _reason IS NULL")
    # Rows rejected for their references join the ones rejected by the row checks.
    record = "to_json(struct_pack(" + ", ".join(f"{c} := CAST({c} AS VARCHAR)" for c in cols) + "))::VARCHAR"
    ref_bad = con.sql(f"SELECT _row, _reason AS reason, {record} AS record FROM _wf_batch "
                      f"WHERE NOT _dup AND _reason IS NOT NULL").pl()
    bad = pl.concat([item.bad, ref_bad], how="vertical_relaxed") if ref_bad.height else item.bad
    _quarantine(con, item, bad, load_id, loaded_at)
    con.sql("DROP TABLE _wf_batch")
    result.duplicates += duplicates
    result.accepted = accepted
    result.updated = updated
    result.rejected = item.bad.height + rejected_refs
    for reason in bad["reason"].to_list():
        for part in reason.split("; "):
            label = part.split(":")[0] if ":" in part else part
            result.reasons[label] = result.reasons.get(label, 0) + 1
    return result


def _quarantine(con, item: _Checked, bad: pl.DataFrame, load_id: str, loaded_at: datetime) -> None:
    if not bad.height:
        return
    rows = bad.select(
        pl.lit(load_id).alias("load_id"),
        pl.lit(loaded_at).alias("loaded_at"),
        pl.lit(str(item.path)).alias("file"),
        pl.lit(item.sha256).alias("file_sha256"),
        pl.col("_row").cast(pl.Int64).alias("row_number"),
        pl.lit(item.table).alias("table_name"),
        pl.col("reason"),
        pl.col("record"),
    )
    con.register("_wf_quarantine_in", rows)
    try:
        # The same row of the same file quarantined again adds nothing.
        con.sql("""
            INSERT INTO load_quarantine
            SELECT * FROM _wf_quarantine_in n
            WHERE NOT EXISTS (SELECT 1 FROM load_quarantine q
                              WHERE q.file_sha256 = n.file_sha256 AND q.row_number = n.row_number
                                AND q.table_name = n.table_name)""")
    finally:
        _unregister(con, "_wf_quarantine_in")


def _late_references(con, results: list[FileResult]) -> None:
    """sim_spikes.incident_id may name an incident of the same load; checked once both are in."""
    for r in results:
        if r.table != "sim_spikes":
            continue
        orphans = con.sql("SELECT count(*) FROM sim_spikes s WHERE s.incident_id IS NOT NULL AND NOT EXISTS "
                          "(SELECT 1 FROM incidents i WHERE i.incident_id = s.incident_id)").fetchall()[0][0]
        if orphans:
            raise LoadError(f"{r.path}: {orphans} spikes name an incident that is not in incidents; nothing was loaded")


def _refresh_summaries(con, results: list[FileResult]) -> None:
    """The summaries of the cases this load wrote (with their events, QA reviews and appeals), in the
    load's transaction; all of them when policies or queues changed (a case's calendar and targets
    come from them)."""
    if any(r.table in ("sla_policies", "queues") and (r.accepted or r.updated) for r in results):
        summaries.refresh(con)
    else:
        touched = [row[0] for row in con.sql("SELECT DISTINCT case_id FROM _wf_touched").fetchall()]
        if touched or not summaries.read_state(con).built:
            summaries.refresh(con, touched)
    con.sql("DROP TABLE _wf_touched")


def load_files(paths: list[str | Path], warehouse: str | Path, table: str | None = None,
               progress: bool = False) -> list[FileResult]:
    """Load files into the warehouse file; returns one FileResult per file.

    Raises LoadError (nothing written) if any file cannot be read at all.
    """
    columns_of = contract_columns()
    items: list[_Checked] = []
    bar = None
    try:
        for raw_path in paths:
            path = Path(raw_path)
            bar = None
            if progress:
                size = path.stat().st_size if path.is_file() else 0
                # About 100 bytes a row; a bar is drawn only for large files.
                if size > PROGRESS_MIN_ROWS * 100:
                    from tqdm import tqdm  # start-up cost: only a large file's load draws a bar

                    bar = tqdm(desc=f"checking {path.name}", unit=" rows", file=sys.stderr, leave=True,
                               unit_scale=True)
            items.append(check_file(path, table, columns_of, progress=bar))
            if bar is not None:
                bar.close()
                bar = None
    finally:
        if bar is not None:
            bar.close()
    items.sort(key=lambda it: LOAD_ORDER.index(it.table))
    load_id = uuid.uuid4().hex[:12]
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    results: list[FileResult] = []
    with open_for_writing(warehouse) as con:
        con.sql("SET TimeZone = 'UTC'")
        try:
            with in_transaction(con):
                create_schema(con)
                con.sql(QUARANTINE_DDL)
                con.sql("CREATE OR REPLACE TEMP TABLE _wf_touched (case_id VARCHAR)")
                for item in items:
                    results.append(_write_file(con, item, columns_of[item.table], load_id, loaded_at))
                _late_references(con, results)
                _refresh_summaries(con, results)
                for r, item in zip(results, items):
                    con.execute("INSERT INTO load_runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                [load_id, loaded_at, r.path, item.sha256, r.table, r.rows_read, r.accepted,
                                 r.rejected, r.duplicates, r.updated]).fetchall()
        except duckdb.Error as exc:
            # A rule of the warehouse the row checks do not know (a constraint added locally):
            # one line, and the transaction leaves nothing behind.
            raise LoadError(f"the warehouse refused the rows: {first_line(exc)}") from None
    # Reported in the order the files were given.
    order = {str(Path(p)): i for i, p in enumerate(paths)}
    results.sort(key=lambda r: order.get(r.path, 0))
    return results
