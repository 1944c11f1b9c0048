# Two entry points that do all set-up on a fresh machine with Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit docs docs-strict bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,notebook,docs]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/omnirouter simulate examples/bank.toml --compare examples/bank_pooled.toml

test: $(VENV)/.installed-dev lint typecheck docs-strict unit

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks examples docs/_support
	$(BIN)/ruff format --check src tests benchmarks examples docs/_support

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

unit: $(VENV)/.installed-dev
	$(BIN)/pytest -q

# The documentation site (guides, tutorials, glossary and the API reference) into site/.
docs: $(VENV)/.installed-dev
	$(BIN)/mkdocs build --quiet

# The same build, failing on any broken link or reference.
docs-strict: $(VENV)/.installed-dev
	$(BIN)/mkdocs build --quiet --strict

bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench,notebook]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache site
