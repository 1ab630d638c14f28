# Thana Connect: one-command habits. `make run` (embedded, no servers) and `make test` (real stack).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_WORKERS ?= 2
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test test-fast lint format check messages compilemessages seed clean help bench backup restore

help:
	@echo "make run    - start the portal (SQLite, embedded broker, sandbox WhatsApp) on 127.0.0.1:8000"
	@echo "make test   - run the whole suite on throwaway PostgreSQL + Redis, with Chromium"
	@echo "make lint   - ruff check + format --check"
	@echo "make check  - Django checks, migrations, ruff, translations"
	@echo "make messages - extract translatable strings into locale/*/LC_MESSAGES/django.po"
	@echo "make backup - pg_dump DATABASE_URL into var/backups/<timestamp>.dump (keys NOT included)"
	@echo "make restore FILE=... - pg_restore a dump into DATABASE_URL (empty target, or FORCE=1)"
	@echo "make bench  - every benchmark in bench/ on throwaway servers; writes docs/performance.md"

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PIP) install -q -r requirements-dev.txt
	touch $@

compilemessages: $(VENV)/.runtime
	@$(PY) scripts/compile_translations.py

messages: $(VENV)/.dev
	bash scripts/install-system-deps.sh messages || true
	$(PY) manage.py makemessages --all --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'static/*' --ignore 'bench/*'
	@echo "Now translate locale/hi and locale/bn, then: make compilemessages"

run: $(VENV)/.runtime compilemessages
	$(PY) manage.py migrate --noinput
	@if [ ! -f var/.demo-seeded ]; then $(PY) manage.py seed_demo && touch var/.demo-seeded; \
	else echo "Demo data already seeded (rm var/.demo-seeded to seed again)."; fi
	@echo ""
	@echo "Thana Connect is starting on http://127.0.0.1:8000/  (health: http://127.0.0.1:8000/healthz)"
	@echo "The demo logins follow once it answers. Stop it with Ctrl-C."
	@# The logins are printed last, after the processes' start-up lines (portal demo_logins).
	@$(PY) manage.py demo_logins --wait-for "http://$${WEB_BIND:-127.0.0.1:8000}/healthz" & waiter=$$!; \
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(VENV)/bin/honcho start -f Procfile; status=$$?; \
	kill $$waiter 2>/dev/null; exit $$status

test: $(VENV)/.dev compilemessages
	bash scripts/install-system-deps.sh test
	$(PY) scripts/test_services.py -- bash -c '\
	  $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadgroup -m "not engine" $(PYTEST_ARGS) && \
	  $(VENV)/bin/pytest -m engine $(PYTEST_ARGS)' 

test-fast: $(VENV)/.dev compilemessages
	$(PY) scripts/test_services.py -- $(VENV)/bin/pytest -p no:playwright -m "not e2e" $(PYTEST_ARGS)

TYPED := $(wildcard */access.py */services.py */selectors.py)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(TYPED)

format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: $(VENV)/.dev compilemessages lint
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/compile_translations.py --check

bench: $(VENV)/.dev
	bash scripts/install-system-deps.sh test
	rm -f var/bench-results.txt
	$(PY) scripts/test_services.py -- bash -c '\
	  set -e; for script in bench/[a-z]*.py; do \
	    case $$script in bench/common.py) continue;; esac; \
	    echo "== $$script"; $(PY) $$script; done'
	$(PY) scripts/bench_report.py

backup:
	bash scripts/backup.sh

restore:
	bash scripts/restore.sh "$(FILE)"

clean:
	rm -rf var/ test-results/ .pytest_cache
