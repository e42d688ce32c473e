# The commands a newcomer needs. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Real services used by `make up` unless set in the environment.
UP_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/tc_portal
UP_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: help run test up totp lint format seed migrate check-system clean

help:
	@echo "make run    the portal with demo data at http://127.0.0.1:8000 (SQLite, no services needed)"
	@echo "make test   the whole test suite (PostgreSQL and Redis when DATABASE_URL and REDIS_URL are set)"
	@echo "make up     web (gunicorn), Celery worker and beat on PostgreSQL and Redis"
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
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: $(VENV)/.installed check-system
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	DJANGO_DEBUG=true $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.installed check-system
	DJANGO_SETTINGS_MODULE=tc_portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

up: $(VENV)/.installed check-system
	@export DATABASE_URL="$${DATABASE_URL:-$(UP_DATABASE_URL)}" REDIS_URL="$${REDIS_URL:-$(UP_REDIS_URL)}"; \
	$(PY) scripts/ensure_database.py && \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	$(PY) manage.py seed_demo && \
	DJANGO_DEBUG=false $(VENV)/bin/honcho start -f Procfile

totp: $(VENV)/.installed
	@$(PY) manage.py demo_totp "$(EMAIL)"

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
