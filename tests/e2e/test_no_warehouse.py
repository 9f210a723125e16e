"""A server pointed at a warehouse file that does not exist explains what to do, without a traceback."""

from __future__ import annotations

import pytest

from tests.e2e import support

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def no_warehouse_server(e2e_dir, users_file):
    workdir = e2e_dir / "server_no_warehouse"
    missing = workdir / "does-not-exist" / "warehouse.duckdb"
    server = support.start_server(workdir, str(missing), None, users_file)
    yield server
    server.stop()
    assert not missing.exists(), "opening a missing warehouse created the file"


def test_missing_warehouse_shows_the_no_warehouse_page(page, no_warehouse_server, e2e_users):
    support.open_logged_in(page, no_warehouse_server, e2e_users["ops_lead"])
    page.get_by_role("heading", name="No warehouse yet").wait_for()
    support.assert_no_exception(page, no_warehouse_server, "the no-warehouse page")
    assert "watchfloor seed" in support.body_text(page)
    support.screenshot(page, "no_warehouse")
