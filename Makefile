# Two commands for a new user: `make run` and `make test`. Both are safe to repeat and quick the second time.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Inside the venv, so that deleting .venv (to start again) deletes the record of what was installed in it too.
STAMPS := $(VENV)/.make-stamps
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails and printed demo links point at the server `make run` starts (`make run PORT=8123`), unless the
# environment sets SITE_URL (e.g. behind a proxy).
SITE_URL ?= http://$(HOST):$(PORT)
# `make run` is a development server: DEBUG on unless the caller says otherwise.
RUN_ENV := DEBUG=$${DEBUG:-1} SITE_URL=$(SITE_URL)

.PHONY: run test collect screenshots install static migrate demo serve worker lint format typecheck bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMPS)/python-deps: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@mkdir -p $(STAMPS) && touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(STAMPS)/python-deps node_modules/.package-lock.json

static: install
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(RUN_ENV) $(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0

migrate: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	$(RUN_ENV) $(BIN)/python manage.py createcachetable

demo: migrate
	$(RUN_ENV) $(BIN)/python manage.py load_demo

run: static demo
	@echo "Serving the portal at http://$(HOST):$(PORT)/ (Ctrl-C to stop); links in e-mails start $(SITE_URL)"
	$(RUN_ENV) $(BIN)/python manage.py run_dev --host $(HOST) --port $(PORT)

worker: install
	$(RUN_ENV) $(BIN)/python manage.py db_worker

# One test process more than the machine has cores (pytest-xdist's "auto", clinic_portal/pytest_plugin.py: the
# browser tests leave a core idle while they wait); an idle process takes tests from a busy one, so all finish
# together; `make test TEST_PROCESSES=0` runs everything in this process (easier to debug).
TEST_PROCESSES ?= auto
# Where PYTHONDONTWRITEBYTECODE is set (it is on the machines that run CI), every test process compiled the portal and
# rewrote the assertions of all 300-odd test modules again when it started: about 8 s of each process's 10 s of
# collecting. The tests keep their bytecode outside the tree instead (one folder per user; Python and pytest check
# each cached file against its source), so a second run, or a run after `.ci/run` collected during mypy, skips it.
ifneq ($(PYTHONDONTWRITEBYTECODE),)
TEST_ENV = env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX=$(or $(TMPDIR),/tmp)/clinic-portal-pycache-$(shell id -u)
endif
test: static
	$(TEST_ENV) $(BIN)/python -m pytest --numprocesses=$(TEST_PROCESSES) --dist=worksteal $(PYTEST_ARGS)

# The browser tests again, each page they look at saved as a PNG (phone and desktop widths) in
# test-artifacts/screenshots/, for people to open; `make test` takes none.
# The suite collected, not run: `.ci/run` does it beside mypy, so the test processes of `make test` find their
# bytecode kept (TEST_ENV above) instead of each compiling it again.
collect: install
	$(TEST_ENV) $(BIN)/python -m pytest --collect-only -q -p no:xdist > /dev/null

screenshots: static
	SCREENSHOTS=1 $(TEST_ENV) $(BIN)/python -m pytest --numprocesses=$(TEST_PROCESSES) --dist=worksteal tests/browser $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# One mypy run: pyproject's [tool.mypy] holds the application packages to --strict (an override) and tests, bench
# and reliability to the lighter setting.
typecheck: install
	$(RUN_ENV) $(BIN)/mypy .

bench: static
	$(BIN)/python bench/run_all.py

# Translations (README.md, "Translations"): refresh locale/<lang>/LC_MESSAGES/django.po from the source for every
# language but English, and compile them. Translate what comes out empty or fuzzy; tests/foundation/test_translations.py
# fails until nothing is left.
messages: install
	$(RUN_ENV) $(BIN)/python manage.py update_translations

# .make: where earlier versions kept the install stamps.
clean:
	rm -rf $(VENV) .make node_modules staticfiles
