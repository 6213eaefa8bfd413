# Dropday: `make dev` runs it locally, `make test` runs the test suite.
# Both create .venv and install what they need; nothing else has to be on the machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: dev test lint browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,test]'
	touch $@ $(VENV)/.installed-dev

dev: $(VENV)/.installed-dev
	DROPDAY_ENV=development $(BIN)/flask --app app dev

# Browser tests drive Debian's Chromium; install it when we can (as root on Debian).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

test: $(VENV)/.installed-test browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
