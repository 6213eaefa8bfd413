# Dropday: `make dev` runs it locally, `make test` runs the test suite.
# Both create .venv and install what they need; nothing else has to be on the machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: dev test lint browser-deps clean translations

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

# After changing fan-facing words: update every catalogue from the code, translate the new
# entries in translations/*/LC_MESSAGES/messages.po, then compile (the .mo files are committed,
# so a fresh clone needs no step; tests/test_translations.py checks they match).
translations: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l --add-comments=TRANSLATORS: --no-location \
		--project=Dropday -w 100 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -w 100
	$(BIN)/pybabel compile -d translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
