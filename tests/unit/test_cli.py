"""The `watchfloor` command: help on every sub-command, one-line errors with exit code 2, init."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest

from watchfloor.cli import COMMAND_MODULES, main
from watchfloor.schema import CONTRACT_TABLES


@pytest.mark.parametrize("command", [[], *[[name.replace("_", "-")] for name in COMMAND_MODULES], ["users", "add"], ["users", "list"]])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: watchfloor")


def test_unknown_option_is_one_line_and_exit_code_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["init", "--bogus"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "unrecognized arguments: --bogus" in err


def test_unknown_command_is_one_line_and_exit_code_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_init_creates_the_contract_and_keeps_existing_rows(tmp_path, capsys):
    path = tmp_path / "w.duckdb"
    assert main(["init", "--warehouse", str(path)]) == 0
    con = duckdb.connect(str(path))
    tables = {r[0] for r in con.sql("SELECT table_name FROM information_schema.tables").fetchall()}
    assert set(CONTRACT_TABLES) <= tables
    con.execute("INSERT INTO watchfloor_meta VALUES ('kept', 'yes')").fetchall()
    con.close()
    assert main(["init", "--warehouse", str(path)]) == 0
    con = duckdb.connect(str(path))
    assert con.sql("SELECT value FROM watchfloor_meta WHERE key = 'kept'").fetchall() == [("yes",)]
    con.close()


def test_init_honours_the_environment_variable(tmp_path, monkeypatch):
    path = tmp_path / "from_env.duckdb"
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", str(path))
    assert main(["init"]) == 0
    assert path.exists()


def test_init_on_a_file_that_is_not_a_warehouse_fails_cleanly(tmp_path, capsys):
    path = tmp_path / "notes.duckdb"
    path.write_text("not a database")
    assert main(["init", "--warehouse", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("watchfloor init: error: cannot open warehouse") and len(err.strip().splitlines()) == 1
    assert path.read_text() == "not a database"


def test_serve_refuses_a_bad_port(capsys):
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err


def test_console_script_runs_as_a_module():
    result = subprocess.run([sys.executable, "-m", "watchfloor", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("watchfloor ")


def test_an_engine_failure_is_one_line_not_a_traceback(tmp_path, capsys, monkeypatch):
    """DuckDB giving up (out of memory while the summaries are built, say) ends a command with its
    first line, not the engine's advice or a traceback."""
    from watchfloor.cli import refresh as refresh_cli

    def fail(args):
        raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block of size 256.0 KiB\n\n"
                                          "Possible solutions:\n* Reducing the number of threads")

    monkeypatch.setattr(refresh_cli, "run", fail)
    assert main(["refresh", "--warehouse", str(tmp_path / "w.duckdb")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["watchfloor refresh: error: the warehouse engine failed: Out of Memory Error: "
                   "failed to pin block of size 256.0 KiB"]
