# Crossdock — every command a developer or CI needs. CI runs `make test` verbatim (.ci/run).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CDK ?= npx --yes aws-cdk@2
ALERT_EMAIL ?=
REPORT_EMAIL ?=  # daily digest and purchase suggestions (default: ALERT_EMAIL)
CONTEXT ?=  # more -c key=value for synth and deploy, e.g. CONTEXT='-c "schedule:suppliers-planner=rate(30 minutes)"'
LAYER_STAMP := build/.layer-stamp
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help venv lint test test-unit test-integration test-infra test-e2e demo bench lock layer synth deploy clean

help:
	@echo "make demo   - run the whole system locally (moto + sandboxes), no AWS account needed; KEEP=1 leaves it up"
	@echo "make test   - lint, type-check and every test tier"
	@echo "make bench  - handler cold imports, order pull, stock push (daily and change path), sale latency by notice and by pull, tracking and supplier benchmarks"
	@echo "make synth  - CloudFormation templates into cdk.out/ (no Docker; network only for the first layer build)"
	@echo "make deploy - cdk deploy (needs AWS credentials; see README)"
	@echo "make lock   - re-resolve the layer's dependencies into infra/layer.lock (needs the package index)"

$(STAMP): pyproject.toml
	@echo "== virtualenv $(VENV) (first run: about 3 minutes; pip prints each package as it goes)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "== pip itself"
	$(BIN)/python -m pip install --progress-bar on --upgrade pip
	@echo "== crossdock and its dev tools: boto3, moto, PynamoDB, Powertools, aws-cdk-lib, rich, playwright, ..."
	$(BIN)/python -m pip install --progress-bar on -e ".[dev]"
	touch $(STAMP)

venv: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports  # the rules of the house: .importlinter, ARCHITECTURE.md

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests/unit

test-integration: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests/integration

test-infra: $(STAMP)
	$(BIN)/python -m pytest -q tests/infra

test-e2e: $(STAMP)
	$(BIN)/python -m pytest -q tests/e2e

test: lint
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests/unit tests/integration tests/e2e
	$(BIN)/python -m pytest -q tests/infra

# KEEP=1 leaves the demo's stack up in the background for every README command (`crossdock local down` stops it).
demo: $(STAMP)
	$(BIN)/crossdock local $(if $(KEEP),--keep)

bench: $(STAMP)
	$(BIN)/python -m bench.imports
	$(BIN)/python -m bench.orders
	$(BIN)/python -m bench.stock
	$(BIN)/python -m bench.stock_changes
	$(BIN)/python -m bench.stock_latency
	$(BIN)/python -m bench.sale_latency
	$(BIN)/python -m bench.tracking
	$(BIN)/python -m bench.suppliers
	$(BIN)/python -m bench.cost

# The layer's dependencies, resolved once: arm64 wheels for the Lambda Python, pinned with their sha256
# in infra/layer.lock (commit it). Run after changing [project.dependencies] or infra/runtime.py.
lock: $(STAMP)
	$(BIN)/python -m infra.layer_lock

# The layer: the locked wheels plus the crossdock package; rebuilt only when they change. The wheels
# come from build/wheels: only a first build (or one after `make clean`) downloads them from the
# package index, and says so; pip then installs offline, hash-checked.
$(LAYER_STAMP): $(STAMP) pyproject.toml infra/layer.lock infra/build_layer.py infra/layer_lock.py infra/runtime.py $(shell find shared/crossdock -name '*.py')
	$(BIN)/python -m infra.build_layer --out build/layer
	touch $@

layer: $(LAYER_STAMP)

# Hermetic once the layer is built: no AWS credentials, lookups, Docker or network. cdk-nag findings
# fail the synth.
synth: layer
	$(BIN)/python infra/app.py -o cdk.out $(if $(ALERT_EMAIL),-c alertEmail=$(ALERT_EMAIL)) $(if $(REPORT_EMAIL),-c reportEmail=$(REPORT_EMAIL)) $(CONTEXT)

# The CDK CLI runs cdk.json's app (the synth above, cdk-nag enforced) with this context, then deploys
# what it synthesized (once per account/region first: $(CDK) bootstrap). `$(CDK) deploy -c key=value`
# works the same way. Not `--app cdk.out`: that deploys an assembly as synthesized, ignoring any -c.
deploy: layer
	$(CDK) deploy --require-approval broadening $(if $(ALERT_EMAIL),-c alertEmail=$(ALERT_EMAIL)) $(if $(REPORT_EMAIL),-c reportEmail=$(REPORT_EMAIL)) $(CONTEXT)

clean:
	rm -rf cdk.out build .pytest_cache .mypy_cache .ruff_cache outbox
