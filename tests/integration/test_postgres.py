"""Server warehouses for real: a throw-away PostgreSQL cluster (Debian's package) holding the same
data as a DuckDB warehouse, and every named query compared on both engines.

The set-up (tests/pg_cluster.py) installs Debian's `postgresql` when it is missing (as root,
`apt-get update` first), creates a cluster in a temporary folder owned by the `postgres` user
(PostgreSQL refuses to run as root), starts it on a free port and stops it at the end; one cluster
and one seeded warehouse serve the whole session (tests/conftest.py, also the browser test on
PostgreSQL).

Parameters come from the registry in tests/server_parity.py (the page plans' calls with the page
defaults and with narrowing filters, lists bound as arrays, and the calls pages make outside a
plan). Under CI=true a PostgreSQL that cannot be set up is a failure, not a skip.
"""

from __future__ import annotations

import pytest

import queries
from queries import translate
from tests import pg_cluster
from tests.server_parity import all_calls, assert_business_hours_agree, assert_same


def _free_port() -> int:
    return pg_cluster.free_port()


@pytest.fixture(scope="module")
def postgres(postgres_cluster) -> str:
    return postgres_cluster


@pytest.fixture(scope="module")
def both(postgres_parity) -> tuple[str, str]:
    """(DuckDB file, PostgreSQL URL) holding the same simulated warehouse (tests/conftest.py)."""
    return postgres_parity


@pytest.fixture(scope="module")
def calls(both) -> dict[str, list[dict]]:
    return all_calls(both[0])


@pytest.mark.parametrize("name", queries.available())
def test_every_named_query_gives_the_same_result_on_both_engines(both, calls, name):
    duck, pg = both
    assert calls.get(name), f"no test parameters for {name}: add its calls to tests/server_parity.py"
    for params in calls[name]:
        assert_same(name, queries.run_uncached(name, warehouse=duck, **params),
                    queries.run_uncached(name, warehouse=pg, **params), params, "postgres")


def test_business_hours_positions_agree_with_duckdb_across_dst_changes(both, query_folder):
    assert_business_hours_agree(*both, "postgres", query_folder)


def test_pages_data_flows_through_the_runner_with_a_url(both, monkeypatch):
    duck, pg = both
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", pg)
    frame = queries.run("freshness")
    assert frame["cases"][0] == queries.run_uncached("freshness", warehouse=duck)["cases"][0]
    from watchfloor.server_warehouse import check_ready

    assert check_ready(pg) == frame["cases"][0]


def test_an_unreachable_server_is_one_clear_error(tmp_path):
    url = f"postgresql+psycopg://postgres:secret@127.0.0.1:{_free_port()}/postgres"
    with pytest.raises(queries.QueryError, match="failed on the server warehouse") as info:
        queries.run_uncached("freshness", warehouse=url)
    assert "secret" not in str(info.value)
    from watchfloor.server_warehouse import check_ready
    from watchfloor.warehouse import WarehouseError

    with pytest.raises(WarehouseError, match=r"cannot reach warehouse postgresql\+psycopg://postgres:\*\*\*@"):
        check_ready(url)


def test_init_creates_the_tables_and_copies_a_duckdb_warehouse_into_the_server(both, capsys):
    import psycopg

    duck, pg = both
    # A fresh database on the same cluster.
    with psycopg.connect(pg.replace("postgresql+psycopg", "postgresql"), autocommit=True) as con:
        con.execute("DROP DATABASE IF EXISTS copy_target")
        con.execute("CREATE DATABASE copy_target")
    target = pg.rsplit("/", 1)[0] + "/copy_target"
    from watchfloor.cli import main

    assert main(["init", "--warehouse", target]) == 0
    assert "35 tables ready" in capsys.readouterr().out  # the 12 contract tables, watchfloor_meta, 22 summaries
    assert main(["init", "--warehouse", target, "--copy-from", duck]) == 0
    cases = queries.run_uncached("freshness", warehouse=duck)["cases"][0]
    assert f"copied {cases:,} cases" in capsys.readouterr().out
    assert queries.run_uncached("freshness", warehouse=target)["cases"][0] == cases
    # A second copy needs --replace: one line, exit 2, nothing changed.
    assert main(["init", "--warehouse", target, "--copy-from", duck]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"already holds {cases} cases; use --replace" in err[0]
    assert main(["init", "--warehouse", target, "--copy-from", duck, "--replace"]) == 0
    assert queries.run_uncached("freshness", warehouse=target)["cases"][0] == cases
    queries.close_all()


def test_a_query_past_the_time_limit_is_cancelled_by_the_server(postgres, query_folder, monkeypatch):
    """On PostgreSQL the time limit is the server's statement_timeout: the server cancels the query."""
    (query_folder / "sleepy.sql").write_text("SELECT 1 AS n FROM (SELECT pg_sleep($seconds)) AS s")
    # pg_sleep is no function a named query may use: known here for this test only.
    monkeypatch.setitem(translate.KNOWN_FUNCTIONS, "postgres", translate.KNOWN_FUNCTIONS["postgres"] | {"pg_sleep"})
    with pytest.raises(queries.QueryTimeout, match="'sleepy' was cancelled at its time limit of 0.5 s"):
        queries.run_uncached("sleepy", warehouse=postgres, time_limit=0.5, seconds=60)
    # The pooled connection carries on, and the limit is set for each query anew.
    assert queries.run_uncached("sleepy", warehouse=postgres, time_limit=30, seconds=1)["n"].to_list() == [1]


def test_copying_a_nul_byte_into_the_server_is_one_line_without_case_content(both, tmp_path, capsys):
    # A warehouse filled before the loader refused NUL bytes may hold one; the copy names where it is
    # and says nothing of the case (the driver's error would carry the whole row).
    import shutil

    import duckdb
    import psycopg

    duck, pg = both
    dirty = tmp_path / "dirty.duckdb"
    shutil.copy(duck, dirty)
    con = duckdb.connect(str(dirty))
    con.execute("UPDATE cases SET content_excerpt = 'secret excerpt' || chr(0) || 'tail' WHERE case_id = "
                "(SELECT min(case_id) FROM cases)").fetchall()
    con.close()
    with psycopg.connect(pg.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS nul_target")
        c.execute("CREATE DATABASE nul_target")
    target = pg.rsplit("/", 1)[0] + "/nul_target"
    from watchfloor.cli import main

    assert main(["init", "--warehouse", target, "--copy-from", str(dirty)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "cases.content_excerpt holds 1 value(s) with a NUL byte" in err[0] and "nothing was copied" in err[0]
    assert "secret excerpt" not in err[0] and "Traceback" not in err[0]
    queries.close_all()
