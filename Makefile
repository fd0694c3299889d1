# Two commands on a fresh machine: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORE  ?= data/dataops.duckdb
PORT   ?= 8501

.PHONY: install run test lint format bench clean-store

# Reinstall only when the dependencies change.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(STAMP)

# The demo company, built once on first start (delete the file to rebuild it).
$(STORE): | $(STAMP)
	$(BIN)/dataops demo --store $(STORE)

run: $(STAMP) $(STORE)
	DATAOPS_STORE=$(STORE) $(BIN)/streamlit run app.py --server.port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	for script in benchmarks/*_bench.py; do $(BIN)/python $$script || exit 1; done

clean-store:
	rm -f $(STORE) $(STORE).wal
