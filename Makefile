# Watchfloor: `make run` starts the dashboard on the demo warehouse, `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WAREHOUSE ?= data/warehouse.duckdb
PORT ?= 8501
DEMO_DAYS ?= 30
DEMO_CASES_PER_DAY ?= 10000
CHROMIUM := /usr/lib/chromium/chromium
LIVE_LOG ?= data/live-feed.log
ALERTS_LOG ?= data/alerts.log

.PHONY: run test lint test-unit test-app test-e2e bench bench-load install install-test chromium postgresql java clean-demo help

help:
	@echo "make run           - start the dashboard on the demo warehouse (sets everything up on first use)"
	@echo "make clean-demo    - remove the demo warehouse (the next 'make run' builds a new one)"
	@echo "make install       - create .venv and install Watchfloor into it"
	@echo "make install-test  - the same, with what the tests need"
	@echo "make test          - install what the tests need and run the whole suite"
	@echo "make lint          - ruff and mypy over all the code (the first step of make test)"
	@echo "make test-unit     - the unit tests only"
	@echo "make test-app      - the page tests (Streamlit AppTest) only"
	@echo "make test-e2e      - the browser tests only"
	@echo "make chromium      - install Debian's Chromium for the browser tests"
	@echo "make postgresql    - install Debian's PostgreSQL for the server-warehouse tests"
	@echo "make java          - install Debian's Java for the Spark tests"
	@echo "make bench         - run the benchmarks and write benchmarks/results.md"
	@echo "make bench-10m     - the page benchmark on a 10M-case warehouse; writes benchmarks/results-10m.md"
	@echo "make bench-load    - many sessions at once against the real server; writes benchmarks/load.md"
	@echo "make eval-spikes   - score the spike detector; report in benchmarks/work/spikes.md (RECORD=1: benchmarks/spikes.md)"
	@echo "make eval-forecast - backtest the demand forecast; report in benchmarks/work/forecast.md (RECORD=1: benchmarks/forecast.md)"
	@echo "make help          - this list"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Watchfloor needs Python 3.11 or newer (found $$($(PYTHON) --version))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(WAREHOUSE): | $(VENV)/.installed
	@echo "Building the demo warehouse ($(DEMO_DAYS) days, about $(DEMO_CASES_PER_DAY) cases a day) in $(WAREHOUSE)..."
	$(BIN)/watchfloor seed --demo --warehouse $(WAREHOUSE) --days $(DEMO_DAYS) --cases-per-day $(DEMO_CASES_PER_DAY) --end now

# The live feed keeps the demo fresh (its log: $(LIVE_LOG)) and the alert worker evaluates the alert
# rules every minute (its log: $(ALERTS_LOG)); both run beside the dashboard and stop when it stops.
run: $(VENV)/.installed $(WAREHOUSE)
	@$(BIN)/watchfloor users demo
	@# A demo warehouse built by an earlier version gets today's summaries before anything reads it.
	@$(BIN)/watchfloor refresh --warehouse $(WAREHOUSE)
	@$(BIN)/watchfloor simulate --live --warehouse $(WAREHOUSE) > $(LIVE_LOG) 2>&1 & feed=$$!; \
	WATCHFLOOR_BASE_URL=$${WATCHFLOOR_BASE_URL:-http://localhost:$(PORT)} \
		$(BIN)/watchfloor alerts run --warehouse $(WAREHOUSE) > $(ALERTS_LOG) 2>&1 & alerts=$$!; \
	trap 'kill $$feed $$alerts 2>/dev/null; wait $$feed $$alerts 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	echo "Live feed started (log: $(LIVE_LOG)): the demo keeps itself fresh."; \
	echo "Alert worker started (log: $(ALERTS_LOG)): the Alerts page shows what fires; docs/configuration.md says how to send it to Slack, Teams, email or PagerDuty."; \
	$(BIN)/watchfloor serve --warehouse $(WAREHOUSE) --port $(PORT)

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own),
# with the colour emoji font desktops have, so the tables' status marks (🔴 🟠 🟡 🟢) show as users see them.
chromium:
	@if [ ! -x $(CHROMIUM) ] || ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then \
		echo "Installing Debian's chromium and colour emoji font for the browser tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else echo "chromium or its emoji font is missing and this user cannot install them: run 'apt-get install chromium fonts-noto-color-emoji' as root"; exit 1; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; \
	fi

# Debian's PostgreSQL for the server-warehouse tests (they start a throw-away cluster of their own).
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "Installing Debian's postgresql for the server-warehouse tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else echo "postgresql is missing and this user cannot install it: run 'apt-get install postgresql' as root"; exit 1; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

# Debian's Java for the Spark tests (pyspark, from PyPI, starts its own Spark Connect server on it).
java:
	@if ! command -v java >/dev/null 2>&1; then \
		echo "Installing Debian's Java runtime for the Spark tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else echo "java is missing and this user cannot install it: run 'apt-get install openjdk-17-jre-headless' as root"; exit 1; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	fi

# The whole suite on TEST_WORKERS processes (pytest-xdist): most of a browser test is spent waiting on a
# server, so two workers keep two cores busy; tests/scheduling.py says which tests go together.
TEST_WORKERS ?= 2

test: lint chromium postgresql java
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --durations=25

# ruff (pyflakes, import order, bugbear, ...) and mypy over all the code, tests and benchmarks too
LINT_PATHS := watchfloor queries components app_pages Home.py asgi.py tests benchmarks
lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy $(LINT_PATHS)

test-unit: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q tests/unit

test-app: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q tests/app

test-e2e: $(VENV)/.installed-test chromium
	$(BIN)/python -m pytest -q tests/e2e

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/eval_spikes.py --speed-only

# The page benchmark on 10M cases (90 days x 111,000): builds benchmarks/work/bench_10m.duckdb a day
# at a time (its build timed into benchmarks/seed.md), or reuses it while it is fresh (same options,
# newer than the simulator); results in benchmarks/results-10m.md.
.PHONY: bench-10m
bench-10m: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py --size 10m

# Many people at once against the real server on a 1M-case warehouse ending now: 1 and 10 sessions
# in Chromium, 50 sessions speaking Streamlit's websocket protocol (benchmarks/load.py).
bench-load: $(VENV)/.installed-test chromium
	$(BIN)/python benchmarks/load.py

# The spike detector against the simulator's ground truth (seeds 7, 11, 13 and 17, seeded into
# benchmarks/work/ and removed afterwards, or seeded once into EVAL_WAREHOUSES and reused) and,
# when WATCHFLOOR_NAB_DEV names the NAB dev set (data/realTweets, labels, nab_score.py), against
# those real series; the report in benchmarks/work/spikes.md, or with RECORD=1 in the recorded
# benchmarks/spikes.md.
.PHONY: eval-spikes
eval-spikes: $(VENV)/.installed-test
	$(BIN)/python benchmarks/eval_spikes.py $(if $(WATCHFLOOR_NAB_DEV),--nab-dev "$(WATCHFLOOR_NAB_DEV)") \
		$(if $(EVAL_WAREHOUSES),--warehouses "$(EVAL_WAREHOUSES)") $(if $(RECORD),--output benchmarks/spikes.md)

# The demand forecast's backtest against seasonal naive on three worlds, and its speed; the report in
# benchmarks/work/forecast.md, or with RECORD=1 in the recorded benchmarks/forecast.md.
.PHONY: eval-forecast
eval-forecast: $(VENV)/.installed-test
	$(BIN)/python benchmarks/eval_forecast.py $(if $(RECORD),--output benchmarks/forecast.md)

clean-demo:
	rm -f $(WAREHOUSE) $(WAREHOUSE).wal
