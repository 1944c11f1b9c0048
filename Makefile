# Two entry points that do all set-up on a fresh machine with Python 3.11, make and a
# Rust toolchain (cargo): the native core in native/ is built by pip through maturin.
PYTHON ?= python3
CARGO ?= cargo
VENV := .venv
BIN := $(VENV)/bin
# A change to the native core's sources rebuilds the package.
NATIVE_SOURCES := $(shell find native -path native/target -prune -o -type f \( -name '*.rs' -o -name 'Cargo.*' \) -print)

.PHONY: demo test lint typecheck rust unit unit-pure unit-both docs docs-strict bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml $(NATIVE_SOURCES)
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml $(NATIVE_SOURCES)
	$(BIN)/python -m pip install --quiet -e '.[dev,notebook,docs,planning,distributed]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/omnirouter simulate examples/bank.toml --compare examples/bank_pooled.toml

test: $(VENV)/.installed-dev lint typecheck rust docs-strict unit-both

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks examples docs/_support
	$(BIN)/ruff format --check src tests benchmarks examples docs/_support

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

# The native core's own checks: formatting, lints as errors, its Rust tests.
rust: $(VENV)/.installed-dev
	cd native && $(CARGO) fmt --all -- --check
	cd native && PYO3_PYTHON=$(abspath $(BIN)/python) $(CARGO) clippy --workspace --all-targets --locked -- -D warnings
	cd native && PYO3_PYTHON=$(abspath $(BIN)/python) $(CARGO) test --workspace --locked --quiet

# The suite against the compiled core, then against the pure-Python reference.
unit: $(VENV)/.installed-dev
	$(BIN)/pytest -q

# The differential tests run both cores themselves: once is enough.
PURE_SKIP := --ignore=tests/dispatch/test_native_differential.py \
	--ignore=tests/dispatch/test_native_router_differential.py

unit-pure: $(VENV)/.installed-dev
	OMNIROUTER_PURE_PYTHON=1 $(BIN)/pytest -q $(PURE_SKIP)

# Both passes at once, one per CPU core; the pure-Python pass's report follows.
unit-both: $(VENV)/.installed-dev
	@OMNIROUTER_PURE_PYTHON=1 $(BIN)/pytest -q -p no:cacheprovider $(PURE_SKIP) \
		> .unit-pure.log 2>&1 & pure=$$!; \
	echo "$(BIN)/pytest -q   (and OMNIROUTER_PURE_PYTHON=1 beside it)"; \
	$(BIN)/pytest -q; native=$$?; \
	wait $$pure; reference=$$?; \
	echo "--- the same suite on the pure-Python core:"; cat .unit-pure.log; rm -f .unit-pure.log; \
	test $$native -eq 0 && test $$reference -eq 0

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
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache site .docs-check native/target
	rm -f src/omnirouter/_native*.so
