# Two commands do all the set-up: `make run` and `make test`. Both build .venv themselves.
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip==25.3
	$(VENV)/bin/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The pinned CDK CLI, for the `cdk synth` test and deployments.
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

# Debian's chromium for the browser tests (Playwright drives it; no browser download), and CJK fonts so that
# zh-CN pages render in screenshots.
CHROMIUM := /usr/lib/chromium/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk

.PHONY: install run test bench screenshots
install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/interviews local

# In TEST_PROCESSES processes (pytest-xdist), a test file whole in one of them (tests/conftest.py says why).
TEST_PROCESSES ?= 3
test: $(STAMP) $(NODE_STAMP) $(CHROMIUM)
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1 $(VENV)/bin/pytest -n $(TEST_PROCESSES)

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/handlers.py
	$(VENV)/bin/python benchmarks/cold_start.py

# The README's pictures in six languages (docs/screenshots/i18n), taken by the browser test that checks them.
screenshots: $(STAMP) $(CHROMIUM)
	SCREENSHOTS=1 $(VENV)/bin/pytest -q -p no:cacheprovider tests/e2e/test_browser_languages.py
