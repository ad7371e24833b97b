# Two entry points: `make run` (set up, ingest the sample corpus, search it) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LANTAI := $(VENV)/bin/lantai
DATA ?= data

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export GRADIO_ANALYTICS_ENABLED := False
export ORT_DISABLE_TELEMETRY := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run demo ingest-sample test test-fast lint lock setup setup-test corpus eval bench clean

# Every dependency comes at the version pinned in requirements.lock (all extras: ocr, st, test), so a
# developer, CI and a deployment install the same thing. The runtime takes only what it needs from it.
$(VENV)/.runtime: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[ocr]'
	touch $@

$(VENV)/.testing: $(VENV)/.runtime
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q -e . --no-deps
	touch $@

setup: $(VENV)/.runtime
setup-test: $(VENV)/.testing

corpus: setup
	$(PY) -m corpus.build

ingest-sample: corpus
	$(LANTAI) ingest corpus/docs --data-dir $(DATA)

# The web app (chat, documents, metrics) and the REST API on http://127.0.0.1:7860 .
run: ingest-sample
	$(LANTAI) serve --data-dir $(DATA)

# The same knowledge base from the command line: a search and a question.
demo: ingest-sample
	$(LANTAI) stats --data-dir $(DATA)
	$(LANTAI) search "2024年进馆人数是多少？同比变化多少？" -k 3 --data-dir $(DATA)
	$(LANTAI) ask "青川区图书馆去年进馆人数多少？同比？" --data-dir $(DATA)

test: setup-test
	$(PY) -m pytest -q

# The quick tier for the edit-test loop: no OCR, browser, LibreOffice or multi-second tests. CI runs `make test`.
test-fast: setup-test
	$(PY) -m pytest -q -m "not slow and not ocr and not browser and not office"

# The static checks CI runs before the tests: lint, formatting, types.
lint: setup-test
	$(VENV)/bin/ruff check ingest index assistant ui corpus eval tests
	$(VENV)/bin/ruff format --check ingest index assistant ui corpus eval tests
	$(VENV)/bin/mypy

# Pins again after a dependency changed in pyproject.toml; pins already in the lock are kept. Add
# UPGRADE=--upgrade to move every pin to the newest release. The CPU build's local label (+cpu) is
# dropped so the pin names the release, whichever build of it the machine's index offers.
lock: setup-test
	$(VENV)/bin/pip-compile -q $(UPGRADE) --extra ocr,st,test --strip-extras --allow-unsafe \
		--no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	sed -i 's/^torch==\([0-9.]*\)+cpu$$/torch==\1/' requirements.lock

eval: setup-test
	$(PY) -m eval.fidelity
	$(PY) -m eval.retrieval
	$(PY) -m eval.figures
	$(PY) -m eval.answers

bench: setup-test
	$(PY) -m eval.bench

clean:
	rm -rf $(DATA) build *.egg-info
