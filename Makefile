# Two commands from a fresh clone: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin

.PHONY: install demo test lint typecheck unit bench fuzz clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/dyadwatch demo --out dyadwatch-demo

lint: install
	$(BIN)/ruff check src tests benchmarks fuzz

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q

test: lint typecheck unit

bench: install
	$(PY) benchmarks/run_all.py

# the long fuzz run and crash harness: inputs tried per reader, kills survived per command
fuzz: install
	$(PY) fuzz/run.py

clean:
	rm -rf dyadwatch-demo .pytest_cache .mypy_cache .ruff_cache
