# The two commands: `make run` (set up and serve with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
FLASK := $(BIN)/flask --app app

# Local development runs in development mode so that no SECRET_KEY is required.
run: export TRACKER_ENV ?= development
# Links in e-mails lead to this server (BASE_URL), whatever PORT it runs on.
run: export BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install run setup-db test e2e screenshots lint format bench clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	@echo "Installing the dependencies into $(VENV) (about a minute, once)..."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar on -r requirements.txt
	touch $@

# .flaskenv (not in git) makes every `flask --app app ...` command of this checkout run in
# development mode, as `make run` does; a production server has none.
setup-db: install
	@test -f .flaskenv || printf 'TRACKER_ENV=development\n' > .flaskenv
	$(FLASK) db upgrade
	$(FLASK) catalogue load
	$(FLASK) demo --if-empty

# The outbox worker runs beside the server and stops with it: e-mails (written to
# instance/mail/ without a MAIL_SERVER) go out as they are queued.
run: setup-db
	$(FLASK) outbox work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

# The whole suite, on every core (TEST_WORKERS=1: in one process, in order).
TEST_WORKERS ?= auto
test: install
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The browser tests alone (also part of `make test`); they need Chromium (CHROMIUM_PATH).
e2e: install
	$(BIN)/python -m pytest -m e2e tests/e2e $(PYTEST_ARGS)

# PNGs of the main pages at desktop and phone widths, from the demo data (docs/screenshots).
screenshots: install
	$(BIN)/python scripts/screenshots.py --out docs/screenshots

# bandit: medium and high severity findings fail the build (it prints nothing when clean).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive tracker -ll

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The benchmark (bench/README.md): make bench [SIZES=200,2000] [DBS=sqlite] [TWO_SERVERS=1]
# [NO_CACHE=1] [LOAD_SECONDS=5] [REPEAT=30]. Data sets are built once and kept (bench/*.sqlite3, PostgreSQL
# databases tracker_bench_<size> on BENCH_PG_URL); the table is also written to
# bench/results.json.
SIZES ?= 200,2000,20000
DBS ?= sqlite,postgresql
REPEAT ?= 30
LOAD_SECONDS ?= 5
bench: install
	$(BIN)/python -m bench.dashboards --sizes $(SIZES) --dbs $(DBS) --repeat $(REPEAT) \
		--load-seconds $(LOAD_SECONDS) $(if $(TWO_SERVERS),--two-servers) \
		$(if $(NO_CACHE),--no-cache) --json bench/results.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
