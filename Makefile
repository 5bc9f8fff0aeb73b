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

.PHONY: install run test bench
install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/interviews local

test: $(STAMP) $(NODE_STAMP)
	JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=1 $(VENV)/bin/pytest

bench: $(STAMP)
	$(VENV)/bin/python benchmarks/handlers.py
