# The two commands of the README. Both create .venv with Python 3.12 when it is missing.
# Mesa 3.5 needs Python >= 3.12; `python3.12` may be a pyenv shim that is not activated,
# so the first interpreter that really runs is used.
PYTHON ?= $(shell for p in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	$$p -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
export SOLARA_TELEMETRY_MIXPANEL_ENABLE := False

.PHONY: run test fuzz lint bench findings clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "error: Python 3.12 not found (needed by Mesa 3.5); install python3.12" >&2; exit 2; }
	@echo "negsim: creating the virtualenv $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	@echo "negsim: installing negsim with its viz, png, cluster and analysis extras into $(VENV)"
	@echo "        (about 2 minutes the first time)"
	@$(BIN)/python -m pip install --progress-bar off -e '.[viz,png,cluster,analysis]' | grep -E '^(Successfully|ERROR)' ; \
	$(BIN)/python -c 'import negsim, mesa, solara, kaleido, dask, ema_workbench, pyabc' 2>/dev/null \
	|| { echo "error: the install failed; rerun: $(BIN)/python -m pip install -e '.[viz,png,cluster,analysis]'" >&2; exit 1; }
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	@echo "negsim: installing negsim with its test extras into $(VENV) (about 2 minutes the first time)"
	@$(BIN)/python -m pip install --progress-bar off -e '.[test]' | grep -E '^(Successfully|ERROR)' ; \
	$(BIN)/python -c 'import negsim, mesa, solara, kaleido, dask, ema_workbench, pyabc, nbclient, pytest' 2>/dev/null \
	|| { echo "error: the install failed; rerun: $(BIN)/python -m pip install -e '.[test]'" >&2; exit 1; }
	@touch $(VENV)/.installed $@

# The browser tests drive Debian's Chromium; a browser download by playwright cannot work offline.
/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: /usr/bin/chromium missing and not root: browser tests will be skipped" >&2; fi

# The baseline sweep (resumes if interrupted, on all cores), its outcome statistics, its report.
run: $(VENV)/.installed
	@echo "negsim: the baseline sweep, 1,000 runs (resumes if interrupted)"
	$(BIN)/negsim sweep experiments/baseline.toml --no-summary
	$(BIN)/negsim summary results/baseline
	$(BIN)/negsim report results/baseline

test: $(VENV)/.installed-test /usr/bin/chromium
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -q

# The long fuzz run of the cast and spec loaders and --set: 1,500 inputs for each of the 8
# fuzz tests (12,000 in all, about 2-3 minutes); `make test` tries 150 each.
fuzz: $(VENV)/.installed-test
	NEGSIM_FUZZ_EXAMPLES=1500 $(BIN)/python -m pytest tests/test_fuzz_inputs.py -q --hypothesis-show-statistics

# Runs per second of the runner on 1 and 2 workers, and against mesa.batch_run.
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/bench_runner.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

clean:
	rm -rf $(VENV) build *.egg-info
