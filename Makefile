# Two commands for a new user: `make run` and `make test`. Both are safe to repeat and quick the second time.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMPS := .make
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` is a development server: DEBUG on unless the caller says otherwise.
RUN_ENV := DEBUG=$${DEBUG:-1}

.PHONY: run test install static migrate demo serve worker lint format typecheck bench clean

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

migrate: install
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput --verbosity 0
	$(RUN_ENV) $(BIN)/python manage.py createcachetable

demo: migrate
	$(RUN_ENV) $(BIN)/python manage.py load_demo

run: static demo
	@echo "Serving the portal at http://$(HOST):$(PORT)/ (Ctrl-C to stop)"
	$(RUN_ENV) $(BIN)/python manage.py run_dev --host $(HOST) --port $(PORT)

worker: install
	$(RUN_ENV) $(BIN)/python manage.py db_worker

test: static
	$(BIN)/python -m pytest $(PYTEST_ARGS)

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

clean:
	rm -rf $(VENV) $(STAMPS) node_modules staticfiles
