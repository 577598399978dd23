# Two commands do all the set-up: `make run` and `make test`.
# Each creates .venv from the pinned lock file when it is missing or stale.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck bench lock clean bytecode

# The harness is installed editable as a plain path (editable_mode=compat): setuptools'
# default for this layout is an import finder that every Python process loads at start
# (pathlib and importlib.util with it), about 50 M instructions (15 ms) each; a run of
# the diff starts three (itself, a worker, multiprocessing's resource tracker).
$(STAMP): requirements.lock pyproject.toml Makefile
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e . --config-settings editable_mode=compat
	@touch $(STAMP)

# The harness's own bytecode, compiled once: an editable install is not compiled by
# pip, and with PYTHONDONTWRITEBYTECODE set every command would compile ~90 modules
# again (about 0.15 s of each start). Then the diff's per-pair modules, compiled with
# mypyc (scripts/build_compiled.py): about five minutes the first time (built twice: profile-guided), afterwards only
# when one of them changed; without a C compiler the sources run. Quick when nothing changed.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q harness
	@$(BIN)/python scripts/build_compiled.py

## run: every experiment on seeds/, then every report into reports/
run: $(STAMP) bytecode
	$(BIN)/harness run --all
	$(BIN)/harness report --all

## test: the whole test suite (type check first: mypy strict). The report
## browser test needs Debian's chromium: installed here when missing.
test: $(STAMP) bytecode
	@sh scripts/ensure_chromium.sh
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

## bench: throughput and peak memory next to the reference implementations
bench: $(STAMP) bytecode
	$(BIN)/python -m benchmarks

## lock: re-pin every dependency (needs network; commit requirements.lock)
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --extra ray --python-version 3.11 \
		--generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .hypothesis build *.egg-info
	rm -f harness/wirediff/*.so harness/wirediff/compiled.json
