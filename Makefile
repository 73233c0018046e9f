# Cordée — the two commands of the README, and the project's other chores.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-unit test-e2e lint format install install-dev browser bench check-deploy migrations-check clean

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
test: install-dev browser
	$(BIN)/pytest -p no:cacheprovider

test-unit: install-dev
	$(BIN)/pytest -p no:cacheprovider -m "not e2e"

test-e2e: install-dev browser
	$(BIN)/pytest -p no:cacheprovider -m e2e

## make bench: a region of 1,000,000 dossiers on PostgreSQL, the active file measured through the
## real views, one BENCH line per scenario (README "Performance"). Without DATABASE_URL, a
## throw-away database $(BENCH_DB) is created on $(BENCH_PGHOST) and dropped afterwards
## (BENCH_KEEP=1 keeps it). BENCH_DOSSIERS and BENCH_REQUESTS scale it down for a try.
BENCH_DB ?= cordee_bench
BENCH_PGHOST ?= 127.0.0.1
BENCH_PGPORT ?= 5432
BENCH_PGUSER ?= postgres
BENCH_STEPS = $(BIN)/python manage.py migrate --noinput -v 0 && $(BIN)/python -m bench.generate && $(BIN)/python -m bench.cocon generate && $(BIN)/python -m bench.run && $(BIN)/python -m bench.cocon run
bench: install-dev
	@export DJANGO_SETTINGS_MODULE=bench.settings; \
	if [ -n "$$DATABASE_URL" ]; then $(BENCH_STEPS); exit $$?; fi; \
	pg="-h $(BENCH_PGHOST) -p $(BENCH_PGPORT) -U $(BENCH_PGUSER)"; \
	dropdb --if-exists $$pg $(BENCH_DB) && createdb $$pg $(BENCH_DB) || exit 1; \
	export DATABASE_URL="postgres://$(BENCH_PGUSER)@$(BENCH_PGHOST):$(BENCH_PGPORT)/$(BENCH_DB)"; \
	$(BENCH_STEPS); status=$$?; \
	if [ -z "$(BENCH_KEEP)" ]; then dropdb --if-exists $$pg $(BENCH_DB); fi; \
	exit $$status

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
