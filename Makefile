# make run   — set up everything and start web, worker and beat (Ctrl-C stops them all)
# make demo  — the same system on a separate database filled with a simulated market (offline)
# make test  — install what the tests need and run them
# make lint  — ruff and the import contracts (settings in pyproject.toml and .importlinter)
# make clean — delete build outputs (virtualenv, caches, collected static files); never data
# make reset-local-data CONFIRM=yes — delete var/: the local database, secret key, admin password,
#                                     filesystem broker queue and market data cache
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8888

.PHONY: run demo test lint install install-test browsers faketime clean reset-local-data

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test browsers faketime

# Browser tests drive Debian's Chromium through Playwright (never `playwright install`).
browsers:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; }

# The daylight-saving schedule test runs worker and beat on a shifted clock (libfaketime).
faketime:
	@ls /usr/lib/*/faketime/libfaketime.so.1 >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libfaketime; }

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bootstrap
	@echo
	@echo "  MyStocks Task Center: http://localhost:$(PORT)/  (admin: http://localhost:$(PORT)/admin/)"
	@echo "  login: admin / $$(cat var/admin_password 2>/dev/null || echo 'the password in MYSTOCKS_ADMIN_PASSWORD')"
	@echo
	MYSTOCKS_PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# The demo never touches the real install's data: its own SQLite database, broker and secrets under
# var/demo/, whatever DATABASE_URL / CELERY_BROKER_URL say; every page is marked "simulated data".
DEMO_ENV := MYSTOCKS_DEMO=true MYSTOCKS_VAR_DIR=$(CURDIR)/var/demo DATABASE_URL=sqlite:///$(CURDIR)/var/demo/db.sqlite3 CELERY_BROKER_URL=filesystem://
demo: install
	mkdir -p var/demo
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py bootstrap
	@test -f var/demo/.loaded || { $(DEMO_ENV) $(BIN)/python manage.py load_demo && touch var/demo/.loaded; }
	@echo
	@echo "  MyStocks demo (simulated data): http://localhost:$(PORT)/market/"
	@echo "  login: admin / $$(cat var/demo/admin_password 2>/dev/null || echo 'the password in MYSTOCKS_ADMIN_PASSWORD')"
	@echo
	$(DEMO_ENV) MYSTOCKS_PORT=$(PORT) PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

# Engine tests need PostgreSQL and Redis; on this kind of machine both listen locally.
test: install-test
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mystocks} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/15} \
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Build outputs only. var/ holds data (database, secrets, queued messages, caches): see below.
clean:
	rm -rf $(VENV) var/staticfiles test-artifacts .pytest_cache .ruff_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

# The one target that deletes local data, and only when asked twice. A DATABASE_URL server is
# never touched (drop that database yourself).
VAR_DIR ?= $(or $(MYSTOCKS_VAR_DIR),var)
reset-local-data:
	@if [ "$(CONFIRM)" != "yes" ]; then \
	  echo "This deletes $(VAR_DIR)/: the SQLite database, secret key, admin password, broker queue and caches."; \
	  echo "Run 'make reset-local-data CONFIRM=yes' to do it."; exit 1; fi
	rm -rf "$(VAR_DIR)"
	@echo "$(VAR_DIR)/ deleted; 'make run' sets up a fresh database and a new admin password."
