"""Shared fixtures: the hand-built warehouses (tests/warehouses/, built by tests/hand_warehouse.py), a
clean query cache and private secrets for every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import queries
from tests import hand_warehouse, scheduling
from tests.warehouses import automation, capacity, case, executive, home, sla, trends, vendors, watched_spikes
from watchfloor import audit, auth, sessions


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """Under `-n` (make test): whole modules per worker, longest first (tests/scheduling.py)."""
    if config.getoption("dist") == "load":  # -n without a --dist of its own
        return scheduling.make_scheduler(config, log)
    return None


def pytest_collection_modifyitems(config, items):
    if hasattr(config, "workerinput"):  # an xdist worker: hand out the longest units first
        items.sort(key=lambda item: scheduling.rank(item.nodeid))


@pytest.fixture(scope="session")
def hand_warehouse_path(tmp_path_factory) -> str:
    """The Home page's warehouse (tests/warehouses/home.py), built once and only read."""
    return hand_warehouse.build(tmp_path_factory.mktemp("hand") / "hand.duckdb", home.ROWS)


# The other hand-built warehouses: one per test module that asks, as each module's own was.
@pytest.fixture(scope="module")
def trends_warehouse(tmp_path_factory) -> str:
    return hand_warehouse.build(tmp_path_factory.mktemp("trends_hand") / "trends.duckdb", trends.ROWS)


@pytest.fixture(scope="module")
def exec_warehouse(tmp_path_factory) -> str:
    return hand_warehouse.build(tmp_path_factory.mktemp("exec_hand") / "exec.duckdb", executive.ROWS)


@pytest.fixture(scope="module")
def watched_warehouse(tmp_path_factory) -> str:
    return hand_warehouse.build(tmp_path_factory.mktemp("watched") / "watched.duckdb", watched_spikes.rows())


@pytest.fixture(scope="module")
def vendors_warehouse(tmp_path_factory) -> str:
    return hand_warehouse.build(tmp_path_factory.mktemp("vendors") / "vendors.duckdb", vendors.ROWS)


@pytest.fixture(scope="module")
def automation_warehouse(tmp_path_factory) -> str:
    return hand_warehouse.build(tmp_path_factory.mktemp("automation") / "automation.duckdb", automation.ROWS)


@pytest.fixture(scope="module")
def sla_warehouse(tmp_path_factory) -> str:
    return hand_warehouse.build(tmp_path_factory.mktemp("sla_hand") / "sla.duckdb", sla.ROWS)


@pytest.fixture(scope="module")
def capacity_warehouse(tmp_path_factory) -> str:
    return hand_warehouse.build(tmp_path_factory.mktemp("capacity") / "capacity.duckdb", capacity.ROWS)


@pytest.fixture(scope="module")
def case_warehouse(tmp_path_factory) -> str:
    return hand_warehouse.build(tmp_path_factory.mktemp("case_hand") / "case.duckdb", case.ROWS)


@pytest.fixture(scope="session")
def parity_warehouse(tmp_path_factory) -> str:
    """The simulated warehouse the server-engine tests compare engines on (tests/server_parity.py),
    seeded once per session; the tests only read it."""
    from tests.server_parity import seed_warehouse

    return seed_warehouse(tmp_path_factory.mktemp("parity") / "w.duckdb")


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[str]:
    """One throw-away PostgreSQL cluster per session (tests/pg_cluster.py); its SQLAlchemy URL. Under
    CI=true a PostgreSQL that cannot be set up is a failure, not a skip."""
    from tests import pg_cluster
    from tests.server_parity import must_run

    try:
        with pg_cluster.cluster() as url:
            yield url
            queries.close_all()
    except pg_cluster.Unavailable as exc:
        must_run(str(exc))


@pytest.fixture(scope="session")
def postgres_parity(postgres_cluster, parity_warehouse) -> tuple[str, str]:
    """(DuckDB file, PostgreSQL URL) holding the same simulated warehouse (its database `postgres`)."""
    from watchfloor.server_warehouse import copy_warehouse

    counts = copy_warehouse(parity_warehouse, postgres_cluster)
    assert counts["cases"] > 2000
    return parity_warehouse, postgres_cluster


@pytest.fixture(autouse=True)
def _fresh_query_cache():
    queries.clear_cache()
    yield
    queries.clear_cache()
    queries.close_all()


@pytest.fixture
def query_folder(tmp_path, monkeypatch):
    """A queries folder of the test's own, with the real macros (and the transpiler's caches cleared)."""
    import shutil

    from queries import translate
    from watchfloor import sql_macros

    shutil.copytree(sql_macros.MACRO_DIR, tmp_path / "macros")
    monkeypatch.setattr(queries.sql_files, "QUERY_DIR", tmp_path)
    monkeypatch.setattr(sql_macros, "MACRO_DIR", tmp_path / "macros")
    for cached in (queries.load, queries.macro_library, queries.macro_sql_for, translate.parsed, translate.transpile):
        cached.cache_clear()
    yield tmp_path
    for cached in (queries.load, queries.macro_library, queries.macro_sql_for, translate.parsed, translate.transpile):
        cached.cache_clear()


def pin_warehouse(monkeypatch, warehouse: str, as_of) -> str:
    """Point the settings at `warehouse` with the dashboard's 'now' pinned to `as_of`."""
    monkeypatch.setenv("WATCHFLOOR_WAREHOUSE", warehouse)
    monkeypatch.setenv("WATCHFLOOR_AS_OF", as_of.isoformat())
    return warehouse


@pytest.fixture
def receiver():
    """A real HTTP receiver on localhost for alert notices (tests/alert_receiver.py)."""
    from tests import alert_receiver

    running = alert_receiver.start()
    yield running
    running.server.shutdown()


@pytest.fixture
def hand_env(monkeypatch, hand_warehouse_path):
    """Settings pointing at the Home page's warehouse, with 'now' pinned to its AS_OF."""
    return pin_warehouse(monkeypatch, hand_warehouse_path, home.AS_OF)


# Settings pointing at a hand-built warehouse, with 'now' pinned to its AS_OF.
@pytest.fixture
def trends_env(monkeypatch, trends_warehouse):
    return pin_warehouse(monkeypatch, trends_warehouse, trends.AS_OF)


@pytest.fixture
def exec_env(monkeypatch, exec_warehouse):
    return pin_warehouse(monkeypatch, exec_warehouse, executive.AS_OF)


@pytest.fixture
def watched_env(monkeypatch, watched_warehouse):
    return pin_warehouse(monkeypatch, watched_warehouse, watched_spikes.AS_OF)


@pytest.fixture
def vendors_env(monkeypatch, vendors_warehouse):
    return pin_warehouse(monkeypatch, vendors_warehouse, vendors.AS_OF)


@pytest.fixture
def automation_env(monkeypatch, automation_warehouse):
    return pin_warehouse(monkeypatch, automation_warehouse, automation.AS_OF)


@pytest.fixture
def sla_env(monkeypatch, sla_warehouse):
    return pin_warehouse(monkeypatch, sla_warehouse, sla.AS_OF)


@pytest.fixture
def case_env(monkeypatch, case_warehouse):
    return pin_warehouse(monkeypatch, case_warehouse, case.AS_OF)


@pytest.fixture
def own_watched_env(tmp_path, monkeypatch) -> str:
    """A watched-series warehouse of the test's own (for a test that writes to it), pinned to its AS_OF."""
    return pin_warehouse(monkeypatch, hand_warehouse.build(tmp_path / "kept.duckdb", watched_spikes.rows()),
                         watched_spikes.AS_OF)


@pytest.fixture(autouse=True)
def _private_secrets(tmp_path_factory, monkeypatch):
    """Every test gets its own users file, secrets file, audit key and audit head: none reaches the
    repository's data/ or .streamlit/, and no test sees another's sessions or audit head."""
    folder = tmp_path_factory.mktemp("secrets")
    monkeypatch.setenv("WATCHFLOOR_USERS_FILE", str(folder / "users.yaml"))
    monkeypatch.setenv("WATCHFLOOR_SECRETS_FILE", str(folder / "secrets.toml"))
    monkeypatch.setenv("WATCHFLOOR_AUDIT_KEY_FILE", str(folder / "audit.key"))
    monkeypatch.setenv("WATCHFLOOR_AUDIT_LOG", str(folder / "audit.jsonl"))
    monkeypatch.delenv("WATCHFLOOR_AUDIT_HEAD_FILE", raising=False)  # beside the secrets file, per log
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    monkeypatch.setattr(sessions, "THROTTLE", sessions.LoginThrottle())
    audit.create_key(folder / "audit.key")
    yield folder
