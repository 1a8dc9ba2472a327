# Nephos developer commands. `make run` right after cloning installs what is missing first.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
# uv from PATH, else the module that `make install` puts in with pip.
UV ?= $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
# Stamp of the last `uv sync`: redone when the workspace's dependencies change.
VENV_STAMP := .venv/.nephos-installed
MEMBER_PROJECTS := $(wildcard libs/*/pyproject.toml services/*/pyproject.toml)

# e.g. make run ARGS="--only metering,monitoring"
ARGS ?=
TENANT ?= demo
ROLE ?= admin
SUBJECT ?= dev@nephos.local

.PHONY: help install uv run demo token test lint format bench clean clean-data

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-11s %s\n", $$1, $$2}'

uv:
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv \
		|| $(PYTHON) -m pip install --quiet --break-system-packages uv

$(VENV_STAMP): pyproject.toml uv.lock $(MEMBER_PROJECTS)
	@$(MAKE) --no-print-directory install

install: uv ## Install every package and the dev tools into .venv
	$(UV) sync --all-packages --group dev
	@touch $(VENV_STAMP)

run: $(VENV_STAMP) ## Start PostgreSQL, NATS and the four services (Ctrl-C stops all)
	$(UV) run --no-sync python -m nephos_devstack run $(ARGS)

demo: $(VENV_STAMP) ## Like run, plus a fake AWS estate (moto) registered and discovered
	$(UV) run --no-sync python -m nephos_devstack demo $(ARGS)

token: $(VENV_STAMP) ## Print a dev token (TENANT=demo ROLE=admin|operator|viewer SUBJECT=...)
	@$(UV) run --no-sync python -m nephos_devstack token --tenant "$(TENANT)" --role "$(ROLE)" --subject "$(SUBJECT)"

test: $(VENV_STAMP) ## Run the test suite
	$(UV) run --no-sync pytest

lint: $(VENV_STAMP) ## ruff (lint + format check) and mypy
	$(UV) run --no-sync ruff check . && $(UV) run --no-sync ruff format --check . && $(UV) run --no-sync mypy

format: $(VENV_STAMP) ## Format and auto-fix with ruff
	$(UV) run --no-sync ruff format . && $(UV) run --no-sync ruff check --fix .

bench: $(VENV_STAMP) ## Run the benchmarks
	$(UV) run --no-sync python -m bench

clean: ## Remove caches and benchmark output (keeps .venv and .data)
	rm -rf .pytest_cache .mypy_cache .ruff_cache bench/results bench/out .coverage htmlcov
	find . -path ./.venv -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +

clean-data: ## Delete the local stack's data (databases, NATS store, dev secrets); stop it first
	rm -rf .data
