# The two commands of the README. Both work on a fresh machine: they create .venv,
# install the pinned dependencies and the Debian libraries Qt needs, then run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Re-install when the dependency set changes, not on every run.
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: demo test setup setup-test lint clean

demo: setup
	$(BIN)/infusion-station demo

test: setup-test
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

setup: $(STAMP_RUN)
setup-test: $(STAMP_TEST)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): $(BIN)/python pyproject.toml constraints.txt scripts/system-deps.sh
	./scripts/system-deps.sh
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(STAMP_TEST): $(BIN)/python pyproject.toml constraints.txt scripts/system-deps.sh
	./scripts/system-deps.sh $(if $(CI),--with-postgres,)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@ $(STAMP_RUN)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
