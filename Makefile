# Two commands on a machine with nothing but Python 3.11+:
#   make run   set up, then load the bundled sample reports and build the marts
#   make test  set up, then run the whole test suite (real Postgres, real dbt)
# Set-up is a virtualenv in .venv, reinstalled only when pyproject.toml changes.
# No Docker and no Postgres needed: nianbao runs its own PostgreSQL in var/
# unless DATABASE_URL points elsewhere.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.nianbao-installed

.DEFAULT_GOAL := help

define STOP_SERVERS
from etl.database import EmbeddedServer, project_home
for sub in ("var", "var/test-pg", "var/bench-pg"):
    if (project_home() / sub / "pgdata" / "PG_VERSION").exists():
        EmbeddedServer(project_home() / sub).stop()
endef
export STOP_SERVERS
.PHONY: help setup run test fuzz lint clean distclean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Editable install: code changes need no reinstall; dependency changes do.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

setup: $(STAMP) ## create .venv and install nianbao with its test tools

# The samples, then the real-report corpus (152 reports of agencies across 27
# provinces, with their source URLs: tests/corpus/files/manifest.jsonl) as demo data.
run: $(STAMP) ## load the sample reports and the real-report corpus, build the marts
	$(BIN)/nianbao run --no-dbt
	$(BIN)/nianbao run tests/corpus/files

test: $(STAMP) ## run the whole test suite
	$(BIN)/pytest

fuzz: $(STAMP) ## the parser's property tests with fresh random draws (what they find becomes an @example)
	NIANBAO_HYPOTHESIS=explore $(BIN)/pytest tests/parse/test_properties.py -q

lint: $(STAMP) ## ruff
	$(BIN)/ruff check .

clean: ## remove caches and build output (keeps .venv and the databases in var/)
	rm -rf build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	rm -rf dbt_project/target dbt_project/logs dbt_project/dbt_packages var/dbt logs
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean ## also stop the embedded servers and delete them and .venv (all loaded data!)
	-[ -x $(BIN)/python ] && $(BIN)/python -c "$$STOP_SERVERS"
	rm -rf var $(VENV)

.PHONY: accuracy bench bench-full

accuracy: $(STAMP) ## score the parser on the real-report corpus (tests/corpus) against its hand-labelled gold
	$(BIN)/python -m bench.accuracy


bench: $(STAMP) ## benchmark at 1,000 and 10,000 reports (minutes): bench/results/, docs/performance.md
	$(BIN)/python -m bench --sizes 1000,10000

bench-full: $(STAMP) ## benchmark at 1,000, 10,000 and 100,000 reports (long; corpora cached in var/bench-corpus)
	$(BIN)/python -m bench --sizes 1000,10000,100000
