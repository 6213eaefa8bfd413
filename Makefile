# Dropday: `make dev` runs it locally, `make test` runs the test suite.
# Both create .venv and install what they need; nothing else has to be on the machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# npm trusts the system's certificate store too (a network with a TLS proxy signs with its own
# CA, which Debian's bundle holds and Node's built-in list does not).
NPM := NODE_EXTRA_CA_CERTS=$${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt} npm

UV_VERSION := 0.13.8

.PHONY: dev test lint lock browser-deps marks translations clean

# The venv installs exactly what requirements.lock pins (hashes checked), through uv, itself
# pinned, so a new release of any dependency cannot break a fresh clone overnight. Bytecode is
# compiled once here: where PYTHONDONTWRITEBYTECODE is set, every process (each worker the
# tests start, a restarted worker) would otherwise compile every dependency again (~5 s).
$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml requirements.lock | $(BIN)/uv
	$(BIN)/uv pip install --quiet --system-certs --compile-bytecode --python $(BIN)/python --require-hashes -r requirements.lock
	$(BIN)/uv pip install --quiet --system-certs --python $(BIN)/python --no-deps -e .
	touch $@

# After changing pyproject.toml's dependencies: pin them (and theirs) again, with hashes.
# Versions already locked stay unless pyproject.toml excludes them; `make lock UPGRADE=1`
# moves everything to the newest versions the bounds allow.
lock: | $(BIN)/uv
	$(BIN)/uv pip compile --quiet --system-certs pyproject.toml --extra dev --extra test --universal \
		--python-version 3.11 --generate-hashes --custom-compile-command "make lock" \
		$(if $(UPGRADE),--upgrade) -o requirements.lock

dev: $(VENV)/.installed
	DROPDAY_ENV=development $(BIN)/flask --app app dev

# Browser tests drive Debian's Chromium; install it when we can (as root on Debian).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@# Lighthouse for tests/browser/test_lighthouse.py, in the project's own .node/ (needs node).
	@if command -v npm >/dev/null && [ ! -x .node/node_modules/.bin/lighthouse ]; then \
		echo "Installing lighthouse@12.2.3 into .node/ ..."; \
		mkdir -p .node && $(NPM) install --prefix .node --no-audit --no-fund --silent -E lighthouse@12.2.3; \
	fi

# Rebuild the platform-marks sprite (static/vendor/simple-icons-*/) from the npm package.
marks: | $(BIN)/python
	mkdir -p .node && $(NPM) install --prefix .node --no-audit --no-fund --silent -E \
		simple-icons@$$($(BIN)/python -c 'from app.platforms.marks import SIMPLE_ICONS_VERSION as v; print(v)')
	$(BIN)/python tools/marks_sprite.py .node/node_modules/simple-icons

test: $(VENV)/.installed browser-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest --durations=15

# After changing fan-facing words: update every catalogue from the code, translate the new
# entries in translations/*/LC_MESSAGES/messages.po, then compile (the .mo files are committed,
# so a fresh clone needs no step; tests/test_translations.py checks they match).
translations: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l --add-comments=TRANSLATORS: --no-location \
		--project=Dropday -w 100 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -w 100
	$(BIN)/pybabel compile -d translations --statistics

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
