"""A named query that takes minutes, for the tests of the queries' time limit."""

from __future__ import annotations

import duckdb

import queries


def slow_query(tmp_path, monkeypatch) -> str:
    """A warehouse and a named query that takes minutes (a count over ten billion rows)."""
    (tmp_path / "slow.sql").write_text("SELECT count(*) AS n FROM range(10000000000) r(a) WHERE a % 7 = $x")
    (tmp_path / "quick.sql").write_text("SELECT 42 AS n")
    (tmp_path / "macros").mkdir()
    monkeypatch.setattr(queries.sql_files, "QUERY_DIR", tmp_path)
    queries.load.cache_clear()
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    return str(db)
