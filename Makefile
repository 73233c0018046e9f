# Cordée — the two commands of the README, and the project's other chores.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Keep bytecode (__pycache__, git-ignored) even where the environment says not to: otherwise every
# process recompiles the project and pytest rewrites every test module's asserts again — about
# 10 s of CPU per test worker per pass, minutes over CI's passes (issue 22).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-unit test-clocks test-e2e lint format install install-dev browser bench load faults backup restore check-deploy migrations-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installed markers: reinstall only when a lock file changes.
$(VENV)/.installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: the app on the embedded SQLite database with the demo region.
run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo "Cordée : http://$(HOST):$(PORT)/"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## Debian's Chromium for the browser tests (Playwright's own download does not work here).
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq chromium)

## make test: the whole suite (unit, view and browser tests); DATABASE_URL=postgres://… for PostgreSQL.
# WORKERS: pytest-xdist processes (the machine's two cores by default; WORKERS=0 for one process).
# --dist loadgroup: tests marked xdist_group("…") share one worker (the demo, loaded once).
WORKERS ?= 2
XDIST = -n $(WORKERS) --dist loadgroup
test: install-dev browser
	$(BIN)/pytest -p no:cacheprovider $(XDIST)

# CORDEE_TEST_CLOCK=<moment> runs it under a travelled clock (CI: PostgreSQL on New Year's Eve).
test-unit: install-dev
	$(BIN)/pytest -p no:cacheprovider -m "not e2e" $(XDIST)

## make test-clocks: the unit suite on SQLite under travelled clocks (issue 25) — half past
## midnight in Paris on the nights the clocks go forward and back, and on New Year's Eve: no test
## may depend on the hour CI runs at. Each moment is half past midnight in Paris while UTC is
## still on the day before, so together they also cover an ordinary night (which had a pass of
## its own until CI passed 45 minutes — issue 22). Checks no hour can change (marked `once`:
## source rules, the bench's tools) run in the real-clock passes only.
CLOCKS ?= 2027-03-27T23:30:00+00:00 2027-10-30T22:30:00+00:00 2027-12-31T23:30:00+00:00
test-clocks: install-dev
	@for moment in $(CLOCKS); do \
		echo "== unit suite with the clock at $$moment"; \
		env -u DATABASE_URL CORDEE_TEST_CLOCK=$$moment $(BIN)/pytest -p no:cacheprovider -q -m "not e2e and not once" $(XDIST) || exit 1; \
	done

test-e2e: install-dev browser
	$(BIN)/pytest -p no:cacheprovider -m e2e $(XDIST)

## make bench: a region of 1,000,000 dossiers on PostgreSQL, the active file measured through the
## real views, one BENCH line per scenario (README "Performance"). Without DATABASE_URL, a
## throw-away database $(BENCH_DB) is created on $(BENCH_PGHOST) and dropped afterwards
## (BENCH_KEEP=1 keeps it). BENCH_DOSSIERS and BENCH_REQUESTS scale it down for a try.
BENCH_DB ?= cordee_bench
BENCH_PGHOST ?= 127.0.0.1
BENCH_PGPORT ?= 5432
BENCH_PGUSER ?= postgres
BENCH_STEPS = $(BIN)/python manage.py migrate --noinput -v 0 && $(BIN)/python -m bench.generate && $(BIN)/python -m bench.cocon generate && $(BIN)/python -m bench.run && $(BIN)/python -m bench.cocon run && $(BIN)/python -m bench.documents generate && $(BIN)/python -m bench.documents run && $(BIN)/python -m bench.dossier_life generate && $(BIN)/python -m bench.dossier_life run && $(BIN)/python -m bench.notifications generate && $(BIN)/python -m bench.notifications run && $(BIN)/python -m bench.agenda generate && $(BIN)/python -m bench.agenda run && $(BIN)/python -m bench.referrals generate && $(BIN)/python -m bench.referrals run && $(BIN)/python -m bench.api run && $(BIN)/python -m bench.annuaire run
bench: install-dev
	@export DJANGO_SETTINGS_MODULE=bench.settings; \
	if [ -n "$$DATABASE_URL" ]; then $(BENCH_STEPS); exit $$?; fi; \
	pg="-h $(BENCH_PGHOST) -p $(BENCH_PGPORT) -U $(BENCH_PGUSER)"; \
	dropdb --if-exists $$pg $(BENCH_DB) && createdb $$pg $(BENCH_DB) || exit 1; \
	export DATABASE_URL="postgres://$(BENCH_PGUSER)@$(BENCH_PGHOST):$(BENCH_PGPORT)/$(BENCH_DB)"; \
	$(BENCH_STEPS); status=$$?; \
	if [ -z "$(BENCH_KEEP)" ]; then dropdb --if-exists $$pg $(BENCH_DB); fi; \
	exit $$status

## make load: the production settings behind gunicorn on the bench region (PostgreSQL database
## $(LOAD_DB), generated the first time, kept), the task worker running, Locust at 10, 25, 50 and
## 100 users: one LOAD line per level, then the recovery after the surge (README "Under load").
LOAD_DB ?= cordee_bench_load
load: install-dev
	@createdb -h $(BENCH_PGHOST) -p $(BENCH_PGPORT) -U $(BENCH_PGUSER) $(LOAD_DB) 2>/dev/null || true
	DATABASE_URL=$${DATABASE_URL:-postgres://$(BENCH_PGUSER)@$(BENCH_PGHOST):$(BENCH_PGPORT)/$(LOAD_DB)} \
		$(BIN)/python -m loadtest.run $(LOAD_ARGS)

## make faults: the usual accidents on a real server and a PostgreSQL of its own (a database
## restart, two people on one form…): one FAULT line each (README "Under load").
faults: install-dev
	$(BIN)/python -m loadtest.faults $(FAULTS_ARGS)

## make backup [BACKUP_DIR=…]: the database (pg_dump, or SQLite's online backup) and the dossiers'
## files into a new directory (var/backups/<date> by default), with a manifest of the counts.
backup: install
	$(BIN)/python manage.py backup $(BACKUP_DIR)

## make restore BACKUP_DIR=… RESTORE_DATABASE_URL=…: into an empty database, then checked against
## the backup's manifest (every table's rows, the journal's last row).
restore: install
	$(BIN)/python manage.py restore $(BACKUP_DIR) --database-url "$(RESTORE_DATABASE_URL)"

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: install-dev
	$(BIN)/python manage.py makemigrations --check --dry-run

check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.prod CORDEE_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
