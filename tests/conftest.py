"""Shared fixtures: the hand-built warehouse, a clean query cache and private secrets for every test."""

from __future__ import annotations

import pytest

import queries
from tests import hand_warehouse, scheduling
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
    return hand_warehouse.build(tmp_path_factory.mktemp("hand") / "hand.duckdb")


@pytest.fixture(scope="session")
def parity_warehouse(tmp_path_factory) -> str:
    """The simulated warehouse the server-engine tests compare engines on (tests/server_parity.py),
    seeded once per session; the tests only read it."""
    from tests.server_parity import seed_warehouse

    return seed_warehouse(tmp_path_factory.mktemp("parity") / "w.duckdb")


@pytest.fixture(scope="session")
def postgres_cluster() -> str:
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
    """Settings pointing at the hand-built warehouse, with 'now' pinned to its AS_OF."""
    return pin_warehouse(monkeypatch, hand_warehouse_path, hand_warehouse.AS_OF)


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
