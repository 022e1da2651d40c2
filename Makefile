# Two commands from a fresh clone: `make run` (console chat on SQLite) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup run test test-fast lint typecheck check demo demo-org clean

$(BIN)/moments: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/moments

setup: $(BIN)/moments

run: setup
	$(BIN)/moments console

demo: setup
	$(BIN)/moments console --db sqlite:///demo.db --fresh --start 2026-11-09T09:00Z < demo.txt

# the whole organisation: two sites, a standard that spreads, the organisation digest
demo-org: setup
	$(BIN)/moments console --db sqlite:///demo-org.db --fresh --start 2026-11-09T09:00Z < demo-org.txt

# everything, as CI runs it (PostgreSQL tests skip unless CI=true or a server is reachable)
test: setup
	$(BIN)/pytest -q

# the unit tests, for the edit-test loop: no PostgreSQL, no servers, replicas or fault drills
test-fast: setup
	$(BIN)/pytest -q -m "not postgres and not slow"

# ruff, then the layers (handlers -> storage -> bot; see [tool.importlinter] in pyproject.toml)
lint: setup
	$(BIN)/ruff check bot handlers storage tests bench
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy --strict bot handlers storage

check: test lint typecheck

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
