# SalesCRM — the README documents every target.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The test suite runs against real PostgreSQL and Redis (override to run several suites at once).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/salescrm
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
PYTEST_ARGS ?= --durations=20

.PHONY: help port-check demo demo-setup venv dev-venv test test-fast services lint format migrations-check messages worker beat clean

help:
	@grep -E '^[a-z-]+:.*?## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

venv: $(VENV)/bin/python  ## Create .venv and install the app's requirements
	$(PIP) install -q -r requirements.txt

dev-venv: $(VENV)/bin/python  ## Create .venv and install app + test requirements
	$(PIP) install -q -r requirements-dev.txt

demo-setup: venv  ## Migrate the SQLite default, seed demo data, run the nightly jobs once
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py seed_demo
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py run_nightly

port-check:  ## Fail early when HOST:PORT is taken (make demo PORT=8001 to use another)
	$(PYTHON) scripts/check_port.py $(HOST) $(PORT)

demo: port-check demo-setup  ## Fresh machine to running demo on http://127.0.0.1:8000
	@echo "SalesCRM demo on http://$(HOST):$(PORT)/  (logins: see README, password demo-pass-2026)"
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py runserver $(HOST):$(PORT)

services:  ## Make sure PostgreSQL and Redis run locally (starts them when needed)
	scripts/ensure_services.sh

test: dev-venv services  ## The whole test suite against real PostgreSQL and Redis
	scripts/ensure_chromium.sh
	env -u DATABASE_URL -u REDIS_URL $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	HYPOTHESIS_PROFILE=ci scripts/test_suite.sh $(PY) $(TEST_DATABASE_URL) $(TEST_REDIS_URL) $(PYTEST_ARGS)

test-fast: dev-venv services  ## The suite without browser, worker and slow tests
	HYPOTHESIS_PROFILE=ci DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest -m "not browser and not worker and not slow" $(PYTEST_ARGS)

lint:  ## ruff lint and format check
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

migrations-check:  ## Fail when models and migrations disagree
	$(PY) manage.py makemigrations --check --dry-run

messages:  ## Extract and compile translations (zh_Hans and en)
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=staticfiles --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

worker:  ## Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A salescrm worker -l info

beat:  ## Celery beat (needs REDIS_URL)
	$(VENV)/bin/celery -A salescrm beat -l info

clean:
	rm -rf staticfiles test-artifacts db.sqlite3
