"""The dashboard on a server warehouse: the same simulated data in a throw-away PostgreSQL
cluster (tests/pg_cluster.py), read through an SQLAlchemy URL. Home, SLA and Incidents draw
their figures (the SLA clock runs on PostgreSQL), with no error and no "could not be loaded"."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests import pg_cluster
from tests.server_parity import must_run
from tests.e2e import support
from watchfloor.config import parse_time
from watchfloor.simulator import SimConfig
from watchfloor.simulator.writer import seed

pytestmark = pytest.mark.e2e

END = parse_time("2026-11-18T12:00")
AS_OF = datetime(2026, 11, 18, 11, 0)


@pytest.fixture(scope="module")
def pg_server(e2e_dir, users_file):
    from watchfloor.server import copy_warehouse

    try:
        with pg_cluster.cluster() as url:
            duck = e2e_dir / "pg_source.duckdb"
            seed(duck, SimConfig(days=8, cases_per_day=400, seed=9, end=END), progress=False)
            copy_warehouse(duck, url)
            server = support.start_server(e2e_dir / "pg_server", url, AS_OF, users_file)
            try:
                yield server
            finally:
                server.stop()
    except pg_cluster.Unavailable as exc:
        must_run(str(exc))  # under CI=true a missing PostgreSQL fails


@pytest.mark.parametrize("path, heading, shot", [
    ("/", "Daily health", "server_warehouse_home"),
    ("/sla", "SLA", "server_warehouse_sla"),
    ("/incidents", "Incidents", "server_warehouse_incidents"),
])
def test_pages_draw_from_postgresql(page, pg_server, e2e_users, path, heading, shot):
    support.open_logged_in(page, pg_server, e2e_users["admin"], path)
    support.wait_for_app(page)
    page.get_by_role("heading", name=heading, exact=True).wait_for()
    support.wait_for_app(page)
    support.assert_no_exception(page, pg_server, f"{path} on PostgreSQL")
    text = support.body_text(page)
    assert "could not be loaded" not in text and "runs only on DuckDB" not in text
    assert "Data as of 2026-11-18" in text
    support.screenshot(page, shot)
