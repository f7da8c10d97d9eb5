# Two set-up commands: `make run` installs everything and starts Flowza; `make test` runs every test.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
FLOWZA_DATA_DIR ?= $(HOME)/.flowza/data
export FLOWZA_DATA_DIR
# Where `make run` listens: `make run PORT=8001` when 8000 is taken (FLOWZA_HOST/FLOWZA_PORT work too).
# A HOST other than loopback needs authentication (README "Security").
HOST ?= $(or $(FLOWZA_HOST),127.0.0.1)
PORT ?= $(or $(FLOWZA_PORT),8000)

.PHONY: install run test lint bench clean frontend frontend-test

$(BIN)/flowza: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/flowza

install: $(BIN)/flowza

# The editor (frontend/) is built into src/flowza/web/, which `flowza serve` serves at /.
WEB_INDEX := src/flowza/web/index.html
FRONTEND_SOURCES := $(shell find frontend/src -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts frontend/tsconfig.json

frontend/node_modules/.package-lock.json: frontend/package-lock.json frontend/package.json
	cd frontend && npm ci --no-audit --no-fund

$(WEB_INDEX): frontend/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	cd frontend && npm run build

frontend: $(WEB_INDEX)

# Unit tests (Vitest) and the browser tests (playwright-core + /usr/bin/chromium against a real flowza serve).
frontend-test: install
	test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y --no-install-recommends chromium)
	cd frontend && npm ci --no-audit --no-fund && npm run build && npx vitest run && node e2e/run.mjs

# Starts the server on the embedded default: SQLite, datasets and cache in $(FLOWZA_DATA_DIR), the
# sample datasets uploaded for the local user. Open http://127.0.0.1:8000/ (editor) or /docs (API), or the PORT given.
run: install frontend
	$(BIN)/flowza serve --host "$(HOST)" --port "$(PORT)" --data-dir "$(FLOWZA_DATA_DIR)"

test: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile
	$(MAKE) frontend-test

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/api.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
