"""The dashboard on a server warehouse: the simulated data of the parity tests in the session's
throw-away PostgreSQL cluster (tests/pg_cluster.py), read through an SQLAlchemy URL. Home, SLA and Incidents draw
their figures (the SLA clock runs on PostgreSQL), with no error and no "could not be loaded"."""

from __future__ import annotations

import pytest

from tests.e2e import support
from tests.server_parity import AS_OF

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pg_server(e2e_dir, users_file, postgres_parity):
    """A dashboard on the session's PostgreSQL cluster, which holds the parity warehouse
    (tests/conftest.py; under CI=true a missing PostgreSQL fails)."""
    _, url = postgres_parity
    with support.serving(e2e_dir / "pg_server", url, AS_OF, users_file) as server:
        yield server


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
