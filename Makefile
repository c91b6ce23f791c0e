# Everything runs from .venv, made with the machine's python3; nothing is installed globally.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run demo test lint bench install clean lock

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

## make demo: a fresh demo database (var/demo.db), the service on http://127.0.0.1:8000 and a
## simulated shift playing against it in real time; the phones' pushes at http://127.0.0.1:8000/fcm/
DEMO_DB := var/demo.db
OAKLAND ?= ../shared/data/oakland
demo: $(STAMP)
	@mkdir -p var && rm -f $(DEMO_DB)
	@export LOOKOUT_DATABASE_URL=sqlite:///$(DEMO_DB); \
	$(BIN)/lookout db upgrade >/dev/null || exit 1; \
	BEATS=$(OAKLAND)/oakland-police-beats-2009.geojson; STREETS=$(OAKLAND)/oakland-main-streets-osm.geojson; \
	if [ -f $$BEATS ]; then export LOOKOUT_BEATS_FILE=$$BEATS; else STREETS=; echo "no $$BEATS: demo beats"; fi; \
	[ -f "$$STREETS" ] || STREETS=; \
	ADMIN=$$($(BIN)/lookout admin create-user "Demo admin" --username demo-admin --role admin | tail -1); \
	echo "service log: var/demo-service.log"; \
	$(BIN)/lookout serve 2>var/demo-service.log & SERVER=$$!; trap "kill $$SERVER 2>/dev/null" EXIT INT TERM; \
	LOOKOUT_SIM_ADMIN_TOKEN=$$ADMIN $(BIN)/lookout simulate --speed 1 --minutes 480 --quick-start $${STREETS:+--streets $$STREETS}

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
