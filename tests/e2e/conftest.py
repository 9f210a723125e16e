"""Browser tests: a real Watchfloor server in a subprocess, driven by Debian's Chromium.

Fixtures:
  e2e_users   one user per role (random passwords) in a temp users file
  app_server  a server on the test warehouse (session-scoped; the builder is support.build_warehouse)
  warm_server app_server after one successful login (see its docstring)
  executive_hand_server, incident_sim_server, vendor_sim_server
              servers shared by the page modules that read the same warehouse (each is seeded and
              started once per run)
  sla_server, case_server
              a server on a hand-built warehouse (tests/warehouses/), one per module that asks
  browser     Chromium, launched once per session
  page        a fresh browser context (no shared cookies) and page per test
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import hand_warehouse
from tests.e2e import support
from tests.warehouses import case, executive, sla


@pytest.fixture(scope="session")
def e2e_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("e2e")


@pytest.fixture(scope="session")
def e2e_users(e2e_dir) -> dict[str, support.Credentials]:
    return support.make_users(e2e_dir / "users.yaml")


@pytest.fixture(scope="session")
def users_file(e2e_dir, e2e_users) -> Path:
    return e2e_dir / "users.yaml"


@pytest.fixture(scope="session")
def app_server(e2e_dir, users_file):
    warehouse, as_of = support.build_warehouse(e2e_dir / "warehouse")
    server = support.start_server(e2e_dir / "server", warehouse, as_of, users_file)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def executive_hand_server(e2e_dir, users_file):
    """The hand-worked warehouse of tests/warehouses/executive.py (Executive summary, Incidents)."""
    warehouse = hand_warehouse.build(e2e_dir / "exec_warehouse.duckdb", executive.ROWS)
    with support.serving(e2e_dir / "exec_server", warehouse, executive.AS_OF, users_file) as server:
        yield server


@pytest.fixture(scope="module")
def sla_server(e2e_dir, users_file):
    """The SLA page's hand-built warehouse (tests/warehouses/sla.py)."""
    warehouse = hand_warehouse.build(e2e_dir / "sla_warehouse.duckdb", sla.ROWS)
    server = support.start_server(e2e_dir / "sla_server", warehouse, sla.AS_OF, users_file)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def case_server(e2e_dir, users_file):
    """The Case page's hand-built warehouse (tests/warehouses/case.py), with its audit log beside it."""
    folder = e2e_dir / "case_warehouse"
    folder.mkdir(parents=True, exist_ok=True)
    warehouse = hand_warehouse.build(folder / "case.duckdb", case.ROWS)
    server = support.start_server(e2e_dir / "case_server", warehouse, case.AS_OF, users_file)
    server.audit_log = folder / "audit.jsonl"  # where `watchfloor serve` puts it by default
    yield server
    server.stop()


@pytest.fixture(scope="session")
def incident_sim_server(e2e_dir, users_file):
    """A small simulated warehouse with a SEV1 incident in its last week (Executive summary, Incidents)."""
    warehouse = support.seed(e2e_dir / "incident_sim.duckdb", days=21, cases_per_day=1000, seed=8, end=support.SIM_END)
    with support.serving(e2e_dir / "incident_sim_server", warehouse, support.SIM_END, users_file) as server:
        yield server


@pytest.fixture(scope="session")
def vendor_sim_server(e2e_dir, users_file):
    """A small simulated warehouse with every vendor at work (Vendors, Quality)."""
    warehouse = support.seed(e2e_dir / "vendor_sim.duckdb", days=21, cases_per_day=3000, seed=3, end=support.SIM_END)
    with support.serving(e2e_dir / "vendor_sim_server", warehouse, support.SIM_END, users_file) as server:
        yield server


@pytest.fixture(scope="session")
def warm_server(app_server, browser, e2e_users):
    """app_server after one successful login.

    Until some session calls st.navigation, Streamlit treats the pages/ folder beside
    Home.py as an old-style multipage app (process-wide); tests that are not about a
    freshly started server should not depend on whether another test logged in first.
    test_login.py checks the freshly started server on its own.
    """
    context = support.new_context(browser)
    try:
        page = context.new_page()
        support.open_logged_in(page, app_server, e2e_users["admin"])
    finally:
        context.close()
    return app_server


@pytest.fixture(scope="session")
def browser():
    if not os.access(support.CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium is missing at {support.CHROMIUM}: the browser tests drive Debian's chromium. "
            "Run `make test` (or `make chromium`), which installs it.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=support.CHROMIUM, headless=True, args=support.CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = support.new_context(browser, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    yield page
    context.close()
