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
	$(BIN)/python -m pip install --quiet -e '.[dev,notebook,docs,planning,distributed]'
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
# Nothing is fetched at build time (no web fonts; see mkdocs.yml).
DOCS_ENV := NO_MKDOCS_2_WARNING=1
docs: $(VENV)/.installed-dev
	$(DOCS_ENV) $(BIN)/mkdocs build --quiet --strict

# The same pages and reference, failing on any broken link or reference; without the
# search index and code colouring, which check nothing and take a third of the time.
docs-strict: $(VENV)/.installed-dev
	$(DOCS_ENV) OMNIROUTER_DOCS_SEARCH=false OMNIROUTER_DOCS_HIGHLIGHT=false \
		$(BIN)/mkdocs build --quiet --strict --site-dir .docs-check

bench: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[bench,notebook]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache site .docs-check
