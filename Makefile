# The commands a newcomer needs. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# The laptop's settings for run, seed, migrate and totp; the suite's for test. `make up`
# runs under production settings (scripts/up.py); DEMO=1 loads the demo data there too.
LOCAL := DJANGO_SETTINGS_MODULE=tc_portal.settings.local
DEMO ?=

.PHONY: help run test up totp lint format seed migrate check-system clean

help:
	@echo "make run    the portal with demo data at http://127.0.0.1:8000 (SQLite, no services needed)"
	@echo "make test   the whole test suite (PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set)"
	@echo "make up     web (gunicorn), Celery worker and beat on PostgreSQL and Redis (DEMO=1: with demo data)"
	@echo "make totp EMAIL=...   the current two-factor code of a demo account"
	@echo "make lint / make format"

$(VENV)/.installed: requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.lock
	@touch $@

check-system:
	@missing=""; \
	for lib in libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0; do \
	  ldconfig -p 2>/dev/null | grep -q "$$lib" || missing="$$missing $$lib"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "WeasyPrint (PDF generation) needs system libraries that are missing:$$missing"; \
	  echo "On Debian or Ubuntu: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"; \
	  exit 1; \
	fi

migrate: $(VENV)/.installed
	$(LOCAL) $(PY) manage.py migrate --noinput

seed: migrate
	$(LOCAL) $(PY) manage.py seed_demo

run: $(VENV)/.installed check-system
	$(LOCAL) $(PY) manage.py migrate --noinput
	$(LOCAL) $(PY) manage.py seed_demo
	$(LOCAL) DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed check-system
	DJANGO_SETTINGS_MODULE=tc_portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=tc_portal.settings.test $(VENV)/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

up: $(VENV)/.installed check-system
	@DEMO="$(DEMO)" $(PY) scripts/up.py

totp: $(VENV)/.installed
	@$(LOCAL) $(PY) manage.py demo_totp "$(EMAIL)"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
