"""`watchfloor detect-spikes FILE.csv`: episodes as text or JSON; bad files give one clear line and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from watchfloor.cli import main

START = datetime(2026, 3, 2)  # a Monday
HOURS = 24 * 28


def series_rows() -> list[tuple[datetime, int]]:
    """Four weeks at a flat 20 an hour, with 100 an hour for 4 hours from day 22, 10:00."""
    rows = []
    for i in range(HOURS):
        value = 100 if 24 * 22 + 10 <= i < 24 * 22 + 14 else 20
        rows.append((START + timedelta(hours=i), value))
    return rows


def write_csv(path, rows, header="timestamp,value", fmt=lambda t: t.isoformat()):
    path.write_text(header + "\n" + "".join(f"{fmt(t)},{v}\n" for t, v in rows))
    return path


def test_json_prints_one_object_per_episode(tmp_path, capsys):
    path = write_csv(tmp_path / "s.csv", series_rows())
    assert main(["detect-spikes", str(path), "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    episode = json.loads(lines[0])
    # onset at day 22 10:00 = 2026-03-24 10:00; the 4 hot hours are the episode
    assert episode["onset"] == "2026-03-24T10:00:00"
    assert episode["end"] == "2026-03-24T13:00:00"
    assert episode["points"] == 4
    assert episode["observed"] == 400
    # the flat 20 is expected exactly: 4 x 20 = 80
    assert episode["expected"] == pytest.approx(80.0)
    assert episode["severity"] == "critical"  # 100 / 20 = 5x
    assert set(episode) >= {"onset", "peak", "end", "observed", "expected", "score", "severity", "detected_at"}


def test_text_output_and_column_options(tmp_path, capsys):
    path = write_csv(tmp_path / "s.csv", series_rows(), header="hour,cases", fmt=lambda t: t.isoformat() + "Z")
    assert main(["detect-spikes", str(path), "--time-column", "hour", "--value-column", "cases"]) == 0
    out = capsys.readouterr().out
    assert "672 points every 1:00:00" in out
    assert "1 spike episode" in out
    assert "- 2026-03-24T10:00:00 to 2026-03-24T13:00:00: critical, 400 observed vs 80.0 expected" in out


def test_the_installed_command_runs(tmp_path):
    path = write_csv(tmp_path / "s.csv", series_rows())
    done = subprocess.run([sys.executable, "-m", "watchfloor", "detect-spikes", str(path), "--json"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == 1


def bad(tmp_path, capsys, text: str, *extra: str) -> str:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    assert main(["detect-spikes", str(path), *extra]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert err.startswith("watchfloor detect-spikes: error:")
    return err


def test_empty_file(tmp_path, capsys):
    assert "the file is empty" in bad(tmp_path, capsys, "")


def test_header_only(tmp_path, capsys):
    assert "needs at least two rows" in bad(tmp_path, capsys, "timestamp,value\n")


def test_missing_columns(tmp_path, capsys):
    err = bad(tmp_path, capsys, "when,count\n2026-01-01T00:00,1\n2026-01-01T01:00,2\n")
    assert "no column 'timestamp' or 'value'" in err and "columns: when, count" in err


def test_unparseable_timestamp(tmp_path, capsys):
    err = bad(tmp_path, capsys, "timestamp,value\n2026-01-01T00:00,1\nyesterday,2\n")
    assert "row 3: cannot read 'yesterday' as an ISO-8601 timestamp" in err


def test_non_numeric_value(tmp_path, capsys):
    err = bad(tmp_path, capsys, "timestamp,value\n2026-01-01T00:00,1\n2026-01-01T01:00,lots\n")
    assert "row 3: 'lots' is not a count" in err


def test_irregular_gap(tmp_path, capsys):
    err = bad(tmp_path, capsys, "timestamp,value\n2026-01-01T00:00,1\n2026-01-01T01:00,2\n2026-01-01T02:30,2\n")
    assert "not regular" in err and "irregular gap" in err


def test_missing_points_are_refused_unless_filled(tmp_path, capsys):
    text = "timestamp,value\n2026-01-01T00:00,1\n2026-01-01T01:00,2\n2026-01-01T03:00,2\n"
    err = bad(tmp_path, capsys, text)
    assert "missing points" in err and "--fill-missing" in err
    path = tmp_path / "gaps.csv"
    path.write_text(text)
    assert main(["detect-spikes", str(path), "--fill-missing"]) == 0
    assert "4 points every 1:00:00" in capsys.readouterr().out


def test_duplicate_timestamps(tmp_path, capsys):
    err = bad(tmp_path, capsys, "timestamp,value\n2026-01-01T00:00,1\n2026-01-01T00:00,2\n")
    assert "appears more than once" in err


def test_missing_file(tmp_path, capsys):
    assert main(["detect-spikes", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_bad_alpha(tmp_path, capsys):
    err = bad(tmp_path, capsys, "timestamp,value\n2026-01-01T00:00,1\n2026-01-01T01:00,2\n", "--alpha", "2")
    assert "alpha must be between 0 and 0.5" in err
