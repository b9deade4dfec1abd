# Thi đua — the only entry point for people and CI (`make help`).

SHELL := /bin/bash

PY ?= python3.11
VENV ?= .venv
THIDUA_NATS_URL ?= nats://127.0.0.1:4222
export THIDUA_NATS_URL

# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k ballot -x"`.
PYTEST_ARGS ?=

PACKAGES := contracts services/kit services/submissions services/scoring \
            services/nominations services/reporting services/audit
SOURCES := contracts/src services/kit/src services/submissions/src services/scoring/src \
           services/nominations/src services/reporting/src services/audit/src
PYPROJECTS := pyproject.toml $(addsuffix /pyproject.toml,$(PACKAGES))
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help venv nats nats-stop office provision demo bench bench-small lint schemas test format clean distclean

help:
	@echo "make venv       create $(VENV) and install every package (editable) with constraints.txt"
	@echo "make nats       make sure NATS with JetStream answers at THIDUA_NATS_URL ($(THIDUA_NATS_URL))"
	@echo "make nats-stop  stop a nats-server that 'make nats' started"
	@echo "make office     LibreOffice (headless) and poppler for the PDF rendering test (root + apt)"
	@echo "make provision  create the streams (idempotent)"
	@echo "make demo       run every service and the sample movement; documents go to out/"
	@echo "make bench      the province-scale benchmark (long); results in bench/results/"
	@echo "make bench-small  the same at about 1/20 of the size"
	@echo "make lint       ruff, ruff format --check, mypy (strict), import-linter"
	@echo "make schemas    regenerate contracts/schemas/"
	@echo "make test       lint, then the whole pytest suite (needs NATS)"
	@echo "make format     ruff format and ruff check --fix"
	@echo "make clean      remove .run/ out/ and caches; distclean also removes $(VENV)"

venv: $(STAMP)

# Python 3.11+ is required: $(PY) if present, else python3. A venv made by an older or
# missing interpreter is rebuilt.
$(STAMP): constraints.txt requirements-dev.txt $(PYPROJECTS)
	@set -e; \
	py="$(PY)"; \
	if ! command -v "$$py" >/dev/null 2>&1; then py=python3; fi; \
	if ! command -v "$$py" >/dev/null 2>&1; then \
	  echo "make venv: neither $(PY) nor python3 found; install Python 3.11 or set PY=..." >&2; exit 1; fi; \
	if ! "$$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
	  echo "make venv: $$py is $$("$$py" -V 2>&1); Python 3.11 or newer is needed (set PY=...)" >&2; exit 1; fi; \
	if [ -e "$(VENV)" ] && ! "$(VENV)/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then \
	  echo "make venv: $(VENV) is broken or older than Python 3.11; recreating it"; rm -rf "$(VENV)"; fi; \
	if [ ! -e "$(VENV)/bin/python" ]; then echo "make venv: creating $(VENV) with $$py ($$("$$py" -V 2>&1))"; "$$py" -m venv "$(VENV)"; fi
	$(VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar off --upgrade pip
	$(VENV)/bin/python -m pip install --disable-pip-version-check --progress-bar off \
	    -c constraints.txt -r requirements-dev.txt $(addprefix -e ,$(PACKAGES))
	@touch $@

nats:
	@deploy/scripts/ensure-nats.sh

nats-stop:
	@deploy/scripts/stop-nats.sh

office:
	@deploy/scripts/ensure-office.sh

provision: venv nats
	$(VENV)/bin/thidua admin provision

demo: venv nats
	$(VENV)/bin/thidua demo

# Extra arguments for the benchmark, e.g. `make bench BENCH_ARGS="--backends sqlite"`.
BENCH_ARGS ?=

bench: venv nats
	$(VENV)/bin/python -m bench $(BENCH_ARGS)

bench-small: venv nats
	$(VENV)/bin/python -m bench --small $(BENCH_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(SOURCES)
	$(VENV)/bin/lint-imports

schemas: venv
	$(VENV)/bin/python -m thidua_contracts.schemas write

# pytest's exit code is make's: failures, errors and "no tests collected" (5) all fail.
test: venv nats lint office
	$(VENV)/bin/pytest $(PYTEST_ARGS)

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	@deploy/scripts/stop-nats.sh
	rm -rf .run out .mypy_cache .ruff_cache .pytest_cache .import_linter_cache build dist
	find . \( -path ./.git -o -path './$(VENV)' \) -prune -o \
	    \( -name __pycache__ -o -name '*.egg-info' -o -name .pytest_cache \) -type d -prune \
	    -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
