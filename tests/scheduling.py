"""How `make test` shares the suite between its workers (pytest-xdist, `-n`).

A unit of work goes to one worker whole: by default a test module, so that its module-scoped
fixtures (a seeded warehouse, a server, a database cluster) are built once. Browser modules that
share a session server go together; modules whose tests use session fixtures only are split into
single tests, so that their long walks spread over the workers. Units are handed out longest first
(the Spark server, the browser walks), so that the workers finish together and the short unit
tests fill the gaps at the end. The order changes only which worker runs what, never a test.
"""

from __future__ import annotations

# Modules sharing a session server (tests/e2e/conftest.py) or cluster: seeded and started once.
TOGETHER = {
    "tests/e2e/test_executive_page.py": "e2e: incident warehouses",
    "tests/e2e/test_incidents_page.py": "e2e: incident warehouses",
    "tests/e2e/test_vendors_page.py": "e2e: vendor warehouse",
    "tests/e2e/test_quality_page.py": "e2e: vendor warehouse",
    # one PostgreSQL cluster (tests/conftest.py) for the parity tests and the browser test on it
    "tests/integration/test_postgres.py": "postgres cluster",
    "tests/e2e/test_server_warehouse.py": "postgres cluster",
}

# Modules whose tests use function and session fixtures only: each test is a unit of its own.
EACH_TEST = {
    "tests/e2e/test_pages.py",
    "tests/app/test_pages.py",
}

# The longest units, longest first (from the suite's durations); everything else follows by folder.
LONGEST = [
    "tests/integration/test_spark.py",
    "tests/e2e/test_hostile_text.py",
    "tests/e2e/test_pages.py",
    "tests/e2e/test_capacity_page.py",
    "tests/integration/test_postgres.py",
    "tests/integration/test_many_sessions.py",
]
FOLDERS = ["tests/e2e/", "tests/integration/", "tests/app/", "tests/unit/"]


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to (tests of one unit run on one worker, in order)."""
    module = module_of(nodeid)
    if module in TOGETHER:
        return TOGETHER[module]
    if module in EACH_TEST:
        return nodeid
    return module


def rank(nodeid: str) -> tuple[int, int]:
    """Sort key: the longest units first, then the browser tests, the integration, app and unit tests."""
    module = module_of(nodeid)
    if module in LONGEST:
        return (0, LONGEST.index(module))
    for i, folder in enumerate(FOLDERS, start=1):
        if module.startswith(folder):
            return (i, 0)
    return (len(FOLDERS) + 1, 0)


def make_scheduler(config, log):
    """A load-scope scheduler whose scopes are the units above, handed out in collection order (the
    workers sort their collection with `rank`)."""
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    config.option.loadscopereorder = False  # keep the longest-first order, not "most tests first"
    return UnitScheduling(config, log)
