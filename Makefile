# Everything runs from .venv, made with the machine's python3; nothing is installed globally.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench install clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: install, migrate the embedded SQLite database and serve on http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/lookout db upgrade
	$(BIN)/lookout serve

## make test: install, lint and run the whole suite on SQLite and PostgreSQL
test: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python bench/ingest.py

## make lock: pin the exact run-time dependencies (requirements.lock) after changing pyproject.toml
lock: $(STAMP)
	$(BIN)/python .ci/lock.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
