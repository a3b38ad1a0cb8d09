# csat-research: the two commands of the README are `make report` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= data/demo
SEED   ?= 2026
WORKERS ?= 2

.PHONY: report test env system-deps test-deps demo-data lock clean-reports bench

## report: environment + system packages + demo study + the four category reports
report: env system-deps demo-data
	$(BIN)/csat batch params/ --workers $(WORKERS)

## test: environment + system packages + the whole test suite, then again with every shim off
## (csat_research.core.shims: a library upgrade that breaks a shim shows up as a difference)
test: env system-deps test-deps
	$(BIN)/python -m pytest
	CSAT_SHIMS=off $(BIN)/python -m pytest

env: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m compileall -q csat_research  # bytecode ready even where PYTHONDONTWRITEBYTECODE is set
	touch $(STAMP)

system-deps:
	@sh scripts/system-deps.sh

## test-deps: LibreOffice Impress, which renders the PowerPoint decks in the tests (reports do not need it)
test-deps:
	@sh scripts/system-deps.sh --tests

demo-data: env
	$(BIN)/csat demo-data --out $(DEMO) --seed $(SEED)

bench: env system-deps demo-data
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

## lock: re-pin requirements.lock from the current virtualenv
lock: env
	{ echo "# Pinned environment for csat-research (pip freeze of a working venv, Python 3.11)."; \
	  echo "# Regenerate: make lock"; $(BIN)/python -m pip freeze --exclude-editable; } > requirements.lock

clean-reports:
	find reports -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
