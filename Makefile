# refsite — two commands: `make serve` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export NO_MKDOCS_2_WARNING := 1
export PYTHONDONTWRITEBYTECODE := 1
# Playwright drives the system's Chromium; never download a browser.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: serve build test bench csl-suite clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# The pinned test environment, then this checkout as an editable package (the `refsite` plugin).
$(STAMP): requirements-test.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	$(BIN)/python -m pip install --quiet --no-deps --editable .
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/python -m mkdocs serve --dev-addr 127.0.0.1:8000 --livereload

build: $(STAMP)
	$(BIN)/python -m mkdocs build --strict --site-dir site

test: $(STAMP)
	$(BIN)/python -m pytest -n auto

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

# The 845 official CSL processor fixtures (../shared/csl-test-suite): a table per category and
# the closing line "N passed, M failed".
csl-suite: $(STAMP)
	$(BIN)/python benchmarks/csl_suite.py

clean:
	rm -rf site .pytest_cache benchmarks/work
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
