# Quick start:  make demo   (set up, then build the sample briefs into out/)
#               make test   (set up, then run every check the CI runs)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck pytest setup setup-test bench bench-profile messages clean

demo: setup
	$(BIN)/briefkit build

test: setup-test lint typecheck pytest

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck:
	$(BIN)/mypy

# The property tests run their full counts (several thousand examples) under make test, as on CI;
# a bare pytest runs a tenth of them.
pytest:
	PATH="$(CURDIR)/node_modules/.bin:$$PATH" HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest

setup: $(VENV)/.installed
	@scripts/setup-system.sh

setup-test: $(VENV)/.installed-test node_modules/.installed
	@scripts/setup-system.sh --test

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "briefkit needs Python 3.11 or newer as $(PYTHON)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@scripts/setup-system.sh --test
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Times briefkit beside pandoc 2 + WeasyPrint and pandoc 3 + Typst; about 15 minutes, or
# fewer rounds with BENCH_QUICK=1. Results: the terminal and bench/results.md.
bench: setup $(VENV)/.installed-bench
	@scripts/setup-system.sh --bench
	$(BIN)/python bench/run.py

# Profiles of a cold one-brief build, a ten-brief build and warm PDF renders, into
# bench/profiles/.
bench-profile: setup $(VENV)/.installed-bench
	$(BIN)/python bench/profile.py

$(VENV)/.installed-bench: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[bench]'
	touch $@

# Collect the words briefkit writes into locales/briefkit.pot and add new ones to every catalogue.
messages: setup
	$(BIN)/pybabel extract -F babel.cfg -k pgettext:1c,2 --no-location --sort-output \
		--project=briefkit --copyright-holder="The briefkit developers" -o locales/briefkit.pot .
	$(BIN)/pybabel update -i locales/briefkit.pot -d locales -D briefkit --no-location \
		--width=100 --ignore-obsolete

clean:
	rm -rf out .pytest_cache .mypy_cache .ruff_cache
