# Hervat — the two commands a fresh machine needs are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# WeasyPrint's native libraries, a font, gettext for the translations, and
# Debian's Chromium for the browser tests (Playwright cannot download one),
# pdftoppm (poppler-utils) for the PNG pages of the sample documents, gnupg
# for encrypted backups (scripts/backup.sh, tests/test_backup.py).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-dejavu-core gettext chromium poppler-utils gnupg
# The embedded demo: SQLite, no Redis, Celery tasks run in-process.
DEMO_ENV := DEBUG=1 DATABASE_URL=sqlite:///demo.sqlite3 CELERY_TASK_ALWAYS_EAGER=1 \
	WEBHOOKS_ENABLED=1 \
	CACHE_BACKEND=django.core.cache.backends.locmem.LocMemCache
# Locally the test database is kept between runs; CI always builds it anew.
PYTEST_DB := $(if $(CI),--create-db,--reuse-db)

.PHONY: demo test check lint fmt install system-deps messages lock bench soak

demo: install messages
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput -v0
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	@echo "Hervat draait op http://127.0.0.1:8000 (Ctrl-C stopt de server)"
	$(DEMO_ENV) $(BIN)/python manage.py runserver 127.0.0.1:8000

test: install messages lint
	DEBUG=1 DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py \
		makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_DB) $(PYTEST_ARGS)
	@echo "Browser screenshots: $(CURDIR)/.artifacts/screenshots"

check: test

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: install
	@DEBUG=1 $(BIN)/python manage.py compilemessages -v0 --ignore=.venv

install: system-deps $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	touch $@

system-deps:
	@if ! command -v dpkg >/dev/null; then \
		echo "Not a Debian system: install $(SYSTEM_PACKAGES) yourself."; exit 0; fi; \
	missing=$$(for p in $(SYSTEM_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			$$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

lock:
	rm -rf /tmp/hervat-lock && $(PYTHON) -m venv /tmp/hervat-lock
	/tmp/hervat-lock/bin/pip install -q '.[dev]'
	(echo "# Pinned versions of every Python dependency (pip constraints)."; \
	 echo "# Regenerate with: make lock"; \
	 /tmp/hervat-lock/bin/pip freeze --exclude-editable | grep -v '^hervat') \
		> requirements.lock

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/portal.py
	$(BIN)/python bench/documents.py
	$(BIN)/python bench/imports.py
	$(BIN)/python bench/absence_statistics.py
	$(BIN)/python bench/soak.py

# 50 people at work for SOAK_SECONDS (600) against gunicorn and real Celery
# workers on loopback, then a consistency check of the database (bench/soak.py).
soak: install messages
	$(BIN)/python bench/soak.py
