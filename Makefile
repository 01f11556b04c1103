# The two commands: `make run` (set up and serve with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app app

# Local development runs in development mode so that no SECRET_KEY is required.
run: export TRACKER_ENV ?= development

.PHONY: install run setup-db test lint format bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

setup-db: install
	$(FLASK) db upgrade
	$(FLASK) catalogue load
	$(FLASK) demo --if-empty

run: setup-db
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# bandit: medium and high severity findings fail the build (it prints nothing when clean).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive tracker -ll

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench.dashboards

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
