"""`watchfloor detect-spikes FILE.csv`: episodes as text or JSON from any count series (regular or
not; unreadable rows skipped and counted); only a file with nothing to judge gives one clear line
and exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta

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
    assert "672 points every 1 hour" in out and "normal sensitivity: 1 spike episode" in out
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
    assert "needs rows at two or more distinct times" in bad(tmp_path, capsys, "timestamp,value\n")


def test_missing_columns(tmp_path, capsys):
    err = bad(tmp_path, capsys, "when,count\n2026-01-01T00:00,1\n2026-01-01T01:00,2\n")
    assert "no column 'timestamp' or 'value'" in err and "columns: when, count" in err


def test_nothing_readable(tmp_path, capsys):
    err = bad(tmp_path, capsys, "timestamp,value\nyesterday,1\ntoday,lots\n2026-01-01T00:00,-3\n")
    assert "found 0 readable rows; 3 unreadable: row 2 (timestamp 'yesterday'), row 3 (timestamp 'today'), " \
           "row 4 (count '-3')" in err


def test_missing_file(tmp_path, capsys):
    assert main(["detect-spikes", str(tmp_path / "nope.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_unknown_sensitivity(tmp_path, capsys):
    path = write_csv(tmp_path / "s.csv", series_rows())
    with pytest.raises(SystemExit) as done:
        main(["detect-spikes", str(path), "--sensitivity", "extreme"])
    assert done.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "invalid choice: 'extreme'" in err


def test_unreadable_rows_are_skipped_and_counted(tmp_path, capsys):
    """Bad timestamps, counts that are not counts and NUL bytes are skipped with a note on stderr;
    an empty count is unknown; the rest is judged."""
    rows = series_rows()
    text = "timestamp,value\n" + "".join(f"{t.isoformat()},{v}\n" for t, v in rows)
    text += "yesterday,3\n2026-03-05T00:30,lots\n2026-03-05T00:40,-1\n2026-03-06T00:30,\x00\n2026-03-07T00:00,\n"
    path = tmp_path / "mixed.csv"
    path.write_text(text)
    assert main(["detect-spikes", str(path), "--json"]) == 0
    captured = capsys.readouterr()
    assert len(captured.out.strip().splitlines()) == 1
    assert json.loads(captured.out)["onset"] == "2026-03-24T10:00:00"
    assert captured.err.strip() == (
        "watchfloor detect-spikes: note: skipped 4 unreadable rows: row 674 (timestamp 'yesterday'), "
        "row 675 (count 'lots'), row 676 (count '-1') and 1 more")


def test_an_irregular_series_with_gaps_is_judged(tmp_path, capsys):
    """Timestamps a few seconds off the hour, a missing day, rows out of order: put on an hourly
    grid; the missing day is unknown (not zero), so its end raises no alarm; the spike is found."""
    rows = [(t + timedelta(seconds=(37 * i) % 90 - 45), v) for i, (t, v) in enumerate(series_rows())
            if not 24 * 10 <= i < 24 * 11]
    rows.reverse()
    path = write_csv(tmp_path / "s.csv", rows)
    assert main(["detect-spikes", str(path)]) == 0
    out = capsys.readouterr().out
    assert "672 points every 1 hour, 24 of them unknown (no row)" in out
    assert "1 spike episode" in out and "to 2026-03-24T13:" in out


def test_fill_missing_counts_a_bucket_without_a_row_as_zero(tmp_path, capsys):
    text = "timestamp,value\n2026-01-01T00:00,1\n2026-01-01T01:00,2\n2026-01-01T03:00,2\n"
    path = tmp_path / "gaps.csv"
    path.write_text(text)
    assert main(["detect-spikes", str(path)]) == 0
    assert "4 points every 1 hour, 1 of them unknown" in capsys.readouterr().out
    assert main(["detect-spikes", str(path), "--fill-missing"]) == 0
    assert "4 points every 1 hour, 2026" in capsys.readouterr().out


def test_epoch_seconds_are_timestamps(tmp_path, capsys):
    path = write_csv(tmp_path / "s.csv", series_rows(), fmt=lambda t: str(int(t.replace(tzinfo=UTC).timestamp())))
    assert main(["detect-spikes", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["onset"] == "2026-03-24T10:00:00"
