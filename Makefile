# gridloop developer entry points. `make` lists them.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv/bin
# Lint only the source trees that already hold Python (mypy errors out on a directory with none).
PY_TREES := $(foreach d,shared services tests bench tools scripts,$(if $(shell find $(d) -name '*.py' -print -quit 2>/dev/null),$(d)))

# The test stack (docs/ARCHITECTURE.md): own ports and run dir, so it runs beside `make up`. The ports can
# be moved (e.g. `make test TEST_KAFKA_PORT=29092 TEST_CONTROLLER_PORT=29093 TEST_PG_PORT=55533`) to run a
# second test stack from another checkout at the same time.
TEST_KAFKA_PORT ?= 19092
TEST_CONTROLLER_PORT ?= 19093
TEST_PG_PORT ?= 55433
TEST_STACK := GRIDLOOP_PROFILE=test KAFKA_PORT=$(TEST_KAFKA_PORT) KAFKA_CONTROLLER_PORT=$(TEST_CONTROLLER_PORT) \
	PG_PORT=$(TEST_PG_PORT)
TEST_ENV := $(TEST_STACK) GRIDLOOP_TEST_KAFKA=127.0.0.1:$(TEST_KAFKA_PORT) \
	GRIDLOOP_TEST_DATABASE_URL=postgresql://gridloop:gridloop@127.0.0.1:$(TEST_PG_PORT)/gridloop

# pytest exits 5 when it collected no test: not a failure while a suite directory is still empty.
define pytest_allow_empty
rc=0; $(1) || rc=$$?; \
if [[ $$rc -eq 5 ]]; then echo "(no tests collected in: $(2))"; rc=0; fi; exit $$rc
endef

# The venv is (re)synced whenever the lock or the project metadata changed since the last sync.
VENV_STAMP := .venv/.synced

.PHONY: help install lint unit test browser up down clean status demo bench

help: ## list targets
	@echo "gridloop make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## (.*)/  \1\t\2/' | expand -t 12

install: ## create .venv and install the locked dependencies (scripts/bootstrap.sh)
	scripts/bootstrap.sh

$(VENV_STAMP): requirements.lock pyproject.toml
	scripts/bootstrap.sh

lint: $(VENV_STAMP) ## ruff check, ruff format --check, mypy, the console's type check
	$(VENV)/ruff check $(PY_TREES)
	$(VENV)/ruff format --check $(PY_TREES)
	$(VENV)/mypy $(PY_TREES)
	scripts/console_web.sh typecheck

# promtool checks deploy/prometheus in the unit tests: provisioned like PostgreSQL and Kafka (as root it is
# installed from Debian's prometheus package; otherwise the error names the package).
unit: $(VENV_STAMP) ## unit tests (no broker, no database), the console's Vitest tests; installs promtool if missing
	@scripts/promtool.sh install
	@$(call pytest_allow_empty,$(VENV)/pytest tests/unit,tests/unit)
	scripts/console_web.sh test

# The test stack starts from empty data every run, so the end-to-end test's exact figures cannot be
# disturbed by an earlier run; e2e goes first, before integration tests add their own cases. Last, the
# browser tests and the short bench run against the whole test stack (with the gateway), so that a bench
# that no longer runs fails here.
test: lint unit ## lint + unit + e2e/integration + browser + short bench against a fresh test stack (started, then stopped)
	@trap '$(TEST_STACK) scripts/stack.sh down' EXIT; \
	$(TEST_STACK) scripts/stack.sh clean; \
	$(TEST_STACK) scripts/stack.sh infra-up; \
	export $(TEST_ENV); \
	$(VENV)/pytest tests/e2e; \
	$(VENV)/pytest tests/integration; \
	$(TEST_STACK) scripts/stack.sh up; \
	$(TEST_STACK) scripts/stack.sh run $(BROWSER_TESTS); \
	$(TEST_STACK) scripts/stack.sh run $(VENV)/python -m bench --short

# The console in Debian's chromium (playwright-core) against the test stack's gateway, with the stack's
# environment (scripts/stack.sh run). `make browser` starts the services, console and gateway on the
# infrastructure that `scripts/stack.sh infra-up` (test profile) brought up, and stops them afterwards.
BROWSER_TESTS := node --test --test-concurrency=1 tests/browser/console.test.mjs

browser: ## browser tests of the console against the test stack with its gateway
	@trap '$(TEST_STACK) scripts/stack.sh services-down; $(TEST_STACK) scripts/gateway.sh stop' EXIT; \
	$(TEST_STACK) scripts/stack.sh up; \
	$(TEST_STACK) scripts/stack.sh run $(BROWSER_TESTS)

# Demo time by default: SLA limits run 8640x faster (a working day of limit is ten seconds) so `make demo`
# can show late cases. `make up SLA_SCALE=1` runs deadlines on the real clock.
SLA_SCALE ?= 8640

up: ## start Kafka, PostgreSQL and the four services (dev ports)
	SLA_SCALE=$(SLA_SCALE) scripts/stack.sh up

down: ## stop everything, keep data
	scripts/stack.sh down

clean: ## stop everything and delete the run dir
	scripts/stack.sh clean

status: ## what is running
	scripts/stack.sh status

demo: ## walk a report around the loop against `make up`
	$(VENV)/python -m tools.demo

# BENCH_SHORT=1: every figure from small counts, in a minute or two (`make test` runs it so).
bench: ## benchmarks against `make up`, ratios to same-run baselines (BENCH_SHORT=1: small counts)
	scripts/stack.sh run $(VENV)/python -m bench $(if $(BENCH_SHORT),--short)
