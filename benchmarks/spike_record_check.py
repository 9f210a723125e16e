"""Whether a change to the spike detector left the spike record unchanged: the record
(watchfloor.spike_record.build) and the watched alerts (watchfloor.watched_scopes.watched_alerts) of
several real-sized inputs, saved before the change and compared after it.

    python benchmarks/spike_record_check.py save DIR [WAREHOUSE ...]
    python benchmarks/spike_record_check.py compare DIR [INPUT ...]

`save` fetches the watched_series frames of the inputs (each warehouse at three hours, at the
default filters and one narrower scope; over a warehouse's whole period, as benchmarks/eval_spikes.py
judges it; the hand-made series of the tests), keeps them in DIR, and saves what the current
detector makes of them. `compare` judges the saved frames again with the current detector and
compares: frames equal, floats to a relative 1e-9. The committed test of the same property on
the test series is tests/unit/test_spike_batches.py.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import queries  # noqa: E402
from queries import plans  # noqa: E402
from watchfloor import spike_detector, spike_record, watched_scopes  # noqa: E402
from watchfloor.filters import Filters, default_filters  # noqa: E402

HOUR = timedelta(hours=1)
INEXACT: list[str] = []  # float columns equal to 1e-9 but not to the last bit
NO_SCOPE: dict[str, Any] = {"regions": [], "verticals": [], "priorities": [], "vendors": []}


def _last_hour(path: str) -> tuple[datetime, datetime]:
    con = duckdb.connect(path, read_only=True)
    try:
        first, last = con.sql("SELECT min(created_at), max(created_at) FROM cases").fetchall()[0]
    finally:
        con.close()
    return first.replace(minute=0, second=0, microsecond=0), last.replace(minute=0, second=0, microsecond=0)


def warehouse_inputs(path: str) -> dict[str, dict]:
    """name -> {frame, hour, sensitivity} or {frame, start, end} (the whole period) of one warehouse."""
    name = Path(path).stem
    first, last = _last_hour(path)
    out = {}
    end = last + HOUR
    for i, as_of in enumerate((end, end - timedelta(days=3, hours=7, minutes=-20), end - timedelta(days=19, hours=11))):
        for scope, filters in (("default", default_filters(as_of.date())),
                               ("narrow", Filters(start=as_of.date(), end=as_of.date(), regions=("EMEA", "APAC"),
                                                  priorities=("P1", "P2")))):
            if scope == "narrow" and i:
                continue
            call = plans.watched(as_of, filters)
            frame = queries.run_uncached(call.name, warehouse=path, **call.params)
            out[f"{name}-{i}-{scope}"] = {"frame": frame, "hour": spike_record.hour_of(as_of), "sensitivity": "normal"}
    # The whole period, as the evaluation judges it (every sensitivity).
    frame = queries.run_uncached("watched_series", warehouse=path, history_start=first, until=last + HOUR, **NO_SCOPE)
    out[f"{name}-all"] = {"frame": frame, "start": first, "end": last}
    queries.close_all()
    return out


def test_inputs() -> dict[str, dict]:
    from tests.unit import test_watched_spikes as hand

    out = {}
    frames = {"hand-narrow": hand.cells(hand.NARROW), "hand-plain": hand.cells(),
              "hand-batch": hand.burst_cells("batch"), "hand-account": hand.burst_cells("one account")}
    for name, frame in frames.items():
        out[name] = {"frame": frame, "hour": spike_record.hour_of(hand.AS_OF), "sensitivity": "normal"}
    return out


def judge(entry: dict) -> dict[str, pl.DataFrame]:
    """What the detector makes of one input: the record at each sensitivity (or the whole-period alerts)."""
    frame = entry["frame"]
    out = {}
    if "hour" in entry:
        for sensitivity in spike_detector.SENSITIVITIES:
            record = spike_record.build(frame, entry["hour"], sensitivity)
            out[f"record-{sensitivity}"] = record.spikes.with_columns(
                pl.lit(record.first, pl.Datetime("us")).alias("_first"), pl.lit(record.last, pl.Datetime("us")).alias("_last"))
            span = spike_record.grid(frame, entry["hour"])
            if span is not None and sensitivity == "normal":
                watched = watched_scopes.watched_series(frame, *span, interval=spike_record.STEP)
                params = spike_detector.SpikeParams.at(sensitivity)
                out[f"alerts-{sensitivity}"] = watched_scopes.watched_alerts(watched, params, params.fine())
    else:
        watched = watched_scopes.watched_series(frame, entry["start"], entry["end"])
        for sensitivity in spike_detector.SENSITIVITIES:
            params = spike_detector.SpikeParams.at(sensitivity)
            found = watched_scopes.judge_watched(watched, params, params.fine())
            out[f"alerts-{sensitivity}"] = watched_scopes.watched_alerts(watched, params, params.fine(), found=found)
            out[f"episodes-{sensitivity}"] = watched_scopes.watched_episodes(watched, params, params.fine(), found=found)
    return out


def same(a: pl.DataFrame, b: pl.DataFrame) -> str | None:
    """None if equal (floats to a relative 1e-9), else what differs."""
    if a.schema != b.schema:
        return f"schema {a.schema} != {b.schema}"
    if a.height != b.height:
        return f"{a.height} rows != {b.height}"
    for column in a.columns:
        x, y = a[column], b[column]
        if x.dtype.is_float():
            u, v = x.to_numpy(), y.to_numpy()
            if not np.allclose(u, v, rtol=1e-9, atol=0.0, equal_nan=True):
                bad = ~np.isclose(u, v, rtol=1e-9, atol=0.0, equal_nan=True)
                return f"{column}: {u[bad][:3].tolist()} != {v[bad][:3].tolist()}"
            if not np.array_equal(u, v, equal_nan=True):
                INEXACT.append(column)
        elif not x.equals(y, check_names=True):
            return f"{column} differs"
    return None


def main() -> int:
    command, folder = sys.argv[1], Path(sys.argv[2])
    if command == "save":
        folder.mkdir(parents=True, exist_ok=True)
        inputs = test_inputs()
        for path in sys.argv[3:]:
            inputs.update(warehouse_inputs(path))
        meta = {}
        for name, entry in inputs.items():
            entry["frame"].write_parquet(folder / f"{name}.input.parquet")
            meta[name] = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in entry.items() if k != "frame"}
            for what, frame in judge(entry).items():
                frame.write_parquet(folder / f"{name}.{what}.parquet")
            print(f"saved {name} ({entry['frame'].height} cells)", flush=True)
        (folder / "inputs.json").write_text(json.dumps(meta, indent=1))
        return 0
    meta = json.loads((folder / "inputs.json").read_text())
    failures = 0
    for name, entry in meta.items():
        if sys.argv[3:] and name not in sys.argv[3:]:
            continue
        entry = {k: datetime.fromisoformat(v) if k in ("hour", "start", "end") else v for k, v in entry.items()}
        entry["frame"] = pl.read_parquet(folder / f"{name}.input.parquet")
        started = time.process_time()
        judged = judge(entry)
        cpu = time.process_time() - started
        for what, frame in judged.items():
            saved = pl.read_parquet(folder / f"{name}.{what}.parquet")
            diff = same(saved, frame)
            if diff:
                failures += 1
                print(f"DIFFERS {name} {what}: {diff}")
        print(f"{name}: {len(judged)} outputs compared ({sum(f.height for f in judged.values())} rows), "
              f"CPU {cpu:.2f} s", flush=True)
    print("all unchanged" if not failures else f"{failures} outputs differ",
          f"(not bitwise in {len(INEXACT)} columns: {sorted(set(INEXACT))})" if INEXACT else "(bitwise)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
