# The two quick-start commands: `make run` (the dashboard on the embedded DuckDB store) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed
# The demo `make run` shows: DEMO_LAYOUT=deployed (what the platform's code really writes, the default: production's
# layout) or seed (the documented layout: `make run DEMO_LAYOUT=seed`). Each layout has its own store file.
DEMO_LAYOUT ?= deployed
DEMO_SCALE ?= small
# deployed only: also ingest the snapshot of the day after (grown totals), so the daily series has two points
DEMO_DAY2 ?= 1
DEPLOYED_STORE ?= data/promo-deployed.duckdb
STORE ?= $(if $(filter deployed,$(DEMO_LAYOUT)),$(DEPLOYED_STORE),data/promo.duckdb)
PORT ?= 8501
DEMO_ARGS = --layout $(DEMO_LAYOUT) --scale $(DEMO_SCALE) --db $(STORE) \
	$(if $(and $(filter deployed,$(DEMO_LAYOUT)),$(filter 1,$(DEMO_DAY2))),--ingest-day2)
REPLICAS ?=
# the store as a make target: a DuckDB file is built from the demo when missing; a PostgreSQL URL is not a file
STORE_FILE := $(if $(findstring ://,$(STORE)),,$(STORE))

.PHONY: run run-preflight serve test test-fast test-postgres test-browser install postgres chromium haproxy jemalloc demo demo-deployed \
	screenshots

$(STAMP): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# The test suite starts its own PostgreSQL server from the system's packages; install them when missing.
postgres:
	@if ! command -v pg_ctl >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then \
		echo "installing PostgreSQL (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	fi

# The browser suite (tests/browser) drives Debian's Chromium with Playwright (which cannot download a browser here):
# its headless shell (chromium-headless-shell, what the suite runs: 22 % less CPU) and the full browser (chromium,
# PROMO_CHROMIUM=/usr/bin/chromium), both from Debian's chromium source; installed when missing, with a colour emoji
# font so screenshots show emoji.
CHROMIUM_PACKAGES = chromium chromium-headless-shell fonts-noto-color-emoji
chromium:
	@missing=$$(for p in $(CHROMIUM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing" $$missing "(apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# jemalloc for the dashboard's own processes (dashboard/allocator.py: the pages' cold runs ~13 % faster): Debian's
# libjemalloc2, installed when missing where apt-get may run; without it the system's malloc is used.
# PROMO_MALLOC=system turns it off. `python -m dashboard` preloads it itself; `make run` and the tests get it here.
JEMALLOC = $(if $(filter system,$(PROMO_MALLOC)),,$(firstword $(wildcard /usr/lib/*/libjemalloc.so.2 /usr/lib64/libjemalloc.so.2)))
jemalloc:
	@if ! ls /usr/lib/*/libjemalloc.so.2 >/dev/null 2>&1 && ! test -f /usr/lib64/libjemalloc.so.2; then \
		echo "installing jemalloc (apt-get)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libjemalloc2 >/dev/null) \
			|| echo "jemalloc not installed: the system's malloc is used"; \
	fi

# `serve` (and its tests) put the app replicas behind Debian's HAProxy; install it when missing.
haproxy:
	@if ! command -v haproxy >/dev/null 2>&1 && ! test -x /usr/sbin/haproxy; then \
		echo "installing HAProxy (apt-get)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null; \
	fi

# Russian screenshots of the moderation pages into docs/, taken by the browser suite's moderator flow.
screenshots: $(STAMP) chromium
	PROMO_SCREENSHOTS=docs $(VENV)/bin/pytest tests/browser/test_moderation.py -k "day or keys or claim" -q

ifneq ($(STORE_FILE),)
$(STORE_FILE): | $(STAMP)
	$(PY) -m dashboard demo $(DEMO_ARGS)
endif

# Rebuild the demo store of DEMO_LAYOUT (seed unless set).
demo: $(STAMP)
	$(PY) -m dashboard demo $(DEMO_ARGS)

# The deployed-layout demo (data/demo-deployed-SCALE-42.ndjson and its .day2 twin) into DEPLOYED_STORE.
demo-deployed: $(STAMP)
	$(MAKE) demo DEMO_LAYOUT=deployed

# The local demo: no sign-in ("view as" in the sidebar), so it listens on this machine only. With [auth] in
# .streamlit/secrets.toml it refuses to start (exit 2, one line), before building anything.
run: $(STAMP) jemalloc run-preflight $(STORE_FILE)
	PROMO_DEMO_MODE=1 PROMO_DB=$(STORE) LD_PRELOAD="$(JEMALLOC)" $(VENV)/bin/streamlit run app.py --server.port $(PORT) \
		--server.headless true --server.address 127.0.0.1

run-preflight: $(STAMP)
	@PROMO_DEMO_MODE=1 $(PY) -m dashboard preflight

# App replicas behind HAProxy on 127.0.0.1:PORT: `make serve STORE=postgresql+psycopg://… REPLICAS=3`. Needs
# [auth] in .streamlit/secrets.toml, or `PROMO_DEMO_MODE=1 make serve` for a local demo (see README, Serve).
serve: $(STAMP) haproxy $(STORE_FILE)
	$(PY) -m dashboard serve --db "$(STORE)" --port $(PORT) $(if $(REPLICAS),--replicas $(REPLICAS))

# The tests, in tiers (marked by tests/conftest.py; README "Tests"). `make test` is everything, what CI runs, on
# TEST_WORKERS pytest-xdist workers (each starts its own PostgreSQL; the browser tests go in two halves, each on
# one worker, with its own Streamlit server and Chromium: tests/conftest.py). `make test-fast`: no PostgreSQL server, no browser, no `slow` test (those
# race or kill real processes, or start the app; `make test` runs them), for while you work. Exit code 5 (no test
# selected, e.g. a -k that matches nothing in a tier) is not a failure.
# 3 workers on a 2-core machine: the suite used 1.2 cores on 2 workers (its browser tests and app starts wait on
# other processes); on 3 it took 9 min 12 s against 9 min 58 s for the same code (2026-12-04). `make test-fast` is
# CPU-bound: FAST_TEST_WORKERS, 2.
TEST_WORKERS ?= 3
FAST_TEST_WORKERS ?= 2
# Python's bytecode caches on for everything make runs, whatever the environment says (some set
# PYTHONDONTWRITEBYTECODE=1): without them each pytest worker rewrote the 120 test modules' asserts again (6 s of
# its 7 s of collection) and each `python -m dashboard` process compiled the package again. __pycache__ is ignored.
unexport PYTHONDONTWRITEBYTECODE
PYTEST_XDIST = -n $(TEST_WORKERS) --dist loadgroup
PYTEST_ARGS ?=
define pytest_tier
	LD_PRELOAD="$(JEMALLOC)" $(VENV)/bin/pytest $(1) $(PYTEST_ARGS); rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests selected"; rc=0; fi; exit $$rc
endef

test: $(STAMP) jemalloc postgres chromium haproxy
	$(VENV)/bin/ruff check .
	$(call pytest_tier,$(PYTEST_XDIST))

test-fast: $(STAMP) jemalloc
	$(VENV)/bin/ruff check .
	$(call pytest_tier,-n $(FAST_TEST_WORKERS) --dist loadgroup -m "not postgres and not browser and not slow")

test-postgres: $(STAMP) jemalloc postgres
	$(call pytest_tier,$(PYTEST_XDIST) -m "postgres and not browser")

test-browser: $(STAMP) jemalloc postgres chromium haproxy
	$(call pytest_tier,-m browser)
