"""The CSV file of a count series that `watchfloor detect-spikes` and `watchfloor forecast` read: one
row per time point, a header row, a time column and a count column chosen by name."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from watchfloor.cli.options import UsageError


def read_columns(path: str, time_column: str, value_column: str) -> tuple[list, list]:
    """The raw text of the time and count columns, row by row; UsageError with one clear line when the
    file cannot be read or lacks a column (rows are judged by the command)."""
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"{path}: no such file")
    try:
        frame = pl.read_csv(file, infer_schema=False)
    except pl.exceptions.NoDataError:
        raise UsageError(f"{path}: the file is empty") from None
    except (pl.exceptions.ComputeError, pl.exceptions.ShapeError, UnicodeDecodeError, OSError) as exc:
        raise UsageError(f"{path}: not a readable CSV file ({(str(exc).splitlines() or [''])[0]})") from None
    missing = [c for c in (time_column, value_column) if c not in frame.columns]
    if missing:
        names = ", ".join(frame.columns) or "none"
        raise UsageError(f"{path}: no column {' or '.join(repr(m) for m in missing)} (columns: {names}); "
                         "choose with --time-column and --value-column")
    return frame[time_column].to_list(), frame[value_column].to_list()
