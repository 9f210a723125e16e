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

.PHONY: run test test-unit test-app test-e2e bench install install-test chromium postgresql clean-demo help

help:
	@echo "make run    - start the dashboard on the demo warehouse (sets everything up on first use)"
	@echo "make test   - install what the tests need and run the whole suite"
	@echo "make bench  - run the benchmarks and write benchmarks/results.md"

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
	@$(BIN)/watchfloor simulate --live --warehouse $(WAREHOUSE) > $(LIVE_LOG) 2>&1 & feed=$$!; \
	WATCHFLOOR_BASE_URL=$${WATCHFLOOR_BASE_URL:-http://localhost:$(PORT)} \
		$(BIN)/watchfloor alerts run --warehouse $(WAREHOUSE) > $(ALERTS_LOG) 2>&1 & alerts=$$!; \
	trap 'kill $$feed $$alerts 2>/dev/null; wait $$feed $$alerts 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	echo "Live feed started (log: $(LIVE_LOG)): the demo keeps itself fresh."; \
	echo "Alert worker started (log: $(ALERTS_LOG)): the Alerts page shows what fires; docs/configuration.md says how to send it to Slack, Teams, email or PagerDuty."; \
	$(BIN)/watchfloor serve --warehouse $(WAREHOUSE) --port $(PORT)

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own).
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else echo "chromium is missing and this user cannot install it: run 'apt-get install chromium' as root"; exit 1; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

# Debian's PostgreSQL for the server-warehouse tests (they start a throw-away cluster of their own).
postgresql:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "Installing Debian's postgresql for the server-warehouse tests..."; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO=sudo; else echo "postgresql is missing and this user cannot install it: run 'apt-get install postgresql' as root"; exit 1; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	fi

test: $(VENV)/.installed-test chromium postgresql
	$(BIN)/python -m pytest -q

test-unit: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q tests/unit

test-app: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q tests/app

test-e2e: $(VENV)/.installed-test chromium
	$(BIN)/python -m pytest -q tests/e2e

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/eval_spikes.py --speed-only

# The spike detector against the simulator's ground truth: defaults chosen on seed 7, reported on seed 11.
.PHONY: eval-spikes
eval-spikes: $(VENV)/.installed-test
	$(BIN)/python benchmarks/eval_spikes.py --tune

clean-demo:
	rm -f $(WAREHOUSE) $(WAREHOUSE).wal
