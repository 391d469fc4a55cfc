# The two commands a newcomer needs are `make run` and `make test`; the rest are their parts.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := static/build/.built
SASS := node_modules/.bin/sass --no-source-map --style=compressed --quiet-deps \
	--silence-deprecation=import --load-path=node_modules
# The demo's own secret key, made once and kept in var/ (never committed): outside DEBUG the
# public development key is refused. Two-factor sign-in is optional in the demo, so the printed
# log-ins work as they are; anyone may still set it up under "Two-factor sign-in".
KEY := var/secret-key
LOCAL_ENV := SECRET_KEY_FILE=$(CURDIR)/$(KEY) TWO_FACTOR_REQUIRED=false DIRECTOR_NAME="Dana Whitfield"
MANAGE := $(LOCAL_ENV) $(BIN)/python manage.py

.DEFAULT_GOAL := help
.PHONY: help run test setup assets demo lint bench bench-import load lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# Every package is pinned, with its hashes, in the lock files (`make lock` remakes them):
# requirements.lock is what production runs, requirements-test.lock adds what the tests need.
$(STAMP): pyproject.toml requirements-test.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements-test.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# GOV.UK Frontend comes from the npm registry at set-up; nothing of it is committed.
$(ASSETS): package.json package-lock.json assets/app.scss assets/init.js
	scripts/system-packages run
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/build
	$(SASS) assets/app.scss static/build/app.css
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js assets/init.js static/build/
	touch $@

assets: $(ASSETS) ## Compile GOV.UK Frontend and the service's styles

setup: $(STAMP) $(ASSETS) ## Create the virtual environment, install everything, build assets

$(KEY):
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

demo: setup $(KEY) ## Migrate and load the reference data and the demo council
	$(MANAGE) migrate --noinput
	$(MANAGE) load_reference_data
	$(MANAGE) seed_demo
	$(MANAGE) collectstatic --noinput -v0

# Chasing runs beside the web server: a Celery worker with beat on the filesystem broker, and
# e-mail written to var/sent-mail rather than sent.
RUN_ENV := $(LOCAL_ENV) EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend

run: demo ## Serve the app with the demo council on http://127.0.0.1:8000, chasing included
	$(MANAGE) demo_logins
	@echo "Chase e-mails are written to var/sent-mail/."
	mkdir -p var/broker var/broker-processed var/broker-control var/sent-mail
	$(RUN_ENV) $(BIN)/celery -A config worker --beat --concurrency=1 --loglevel=WARNING & \
	trap 'kill %1 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(MANAGE) chase; \
	$(RUN_ENV) $(MANAGE) runserver 127.0.0.1:8000

# Chromium, poppler-utils and redis-server come from Debian's packages: installed here when missing.
test: setup ## Run every test (SQLite, or PostgreSQL when DATABASE_URL is set)
	scripts/system-packages test
	$(BIN)/pytest

bench: setup ## Time the demo council at 100,000 cases on PostgreSQL (BENCH_DATABASE_URL)
	$(BIN)/python bench/run.py

bench-import: setup ## Time importing 10,000 cases of history on PostgreSQL (BENCH_IMPORT_CASES)
	$(BIN)/python bench/import_history.py

# locust (the `load` extra) brings gevent, which the service never needs, so only this installs it.
load: setup ## Run 50 locust users for 2 minutes against gunicorn on PostgreSQL (loopback)
	test -x $(BIN)/locust || $(BIN)/pip install --quiet --require-hashes -r requirements-load.lock
	$(BIN)/python bench/load.py

lint: setup ## Check style, and look for insecure code with bandit
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/bandit -q -c pyproject.toml -r config accounts complaints ombudsman compliments reporting \
		privacy public demo

PIP_COMPILE := $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
lock: setup ## Pin every dependency again, with hashes, after changing pyproject.toml
	$(PIP_COMPILE) --upgrade --extra notify --output-file requirements.lock pyproject.toml
	$(PIP_COMPILE) --extra test -c requirements.lock --output-file requirements-test.lock pyproject.toml
	$(PIP_COMPILE) --extra load -c requirements.lock --output-file requirements-load.lock pyproject.toml

clean: ## Remove the virtual environment, database and generated files
	rm -rf $(VENV) db.sqlite3 var staticfiles static/build node_modules
