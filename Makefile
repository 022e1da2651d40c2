# Two commands from a fresh clone: `make run` (console chat on SQLite) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup run test lint typecheck check demo clean

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

test: setup
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check bot handlers storage tests bench

typecheck: setup
	$(BIN)/mypy --strict bot

check: test lint typecheck

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
