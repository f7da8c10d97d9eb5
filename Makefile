# Two set-up commands: `make run` installs everything and starts Flowza; `make test` runs every test.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
FLOWZA_DATA_DIR ?= $(HOME)/.flowza/data
export FLOWZA_DATA_DIR

.PHONY: install run test lint bench clean

$(BIN)/flowza: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/flowza

install: $(BIN)/flowza

run: install
	$(BIN)/flowza --help
	$(BIN)/flowza demo --data-dir "$(FLOWZA_DATA_DIR)"

test: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist loadfile

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python benchmarks/engine.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
