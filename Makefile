# Two commands: `make demo` (install, build the index, open the chat) and `make test` (install, run everything).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
# llama.cpp's server is only needed by the LLM-backend tests; build it with both cores and without extras.
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2
export CMAKE_ARGS ?= -DLLAVA_BUILD=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install install-test index demo test lint clean bench-xquad

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# torch is pinned to the CPU wheel (torch==2.13.0) inside the `st` extra, installed in the same resolve.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install -q -e '.[st,milvus]'
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PY) -m pip install -q -e '.[st,milvus,test]' 'llama-cpp-python[server]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

index: install
	$(BIN)/policyqa ingest --corpus corpus --index index

demo: index
	$(BIN)/policyqa serve

test: install-test
	$(PY) -m pytest -q

# XQuAD (../shared/benchmarks/xquad or XQUAD=dir): 4 directions x dense/bm25/hybrid, about 3 minutes.
XQUAD ?= ../shared/benchmarks/xquad
bench-xquad: install
	$(PY) eval/benchmarks/run_xquad.py --data $(XQUAD) --work .cache/xquad \
		--results eval/benchmarks/results/xquad.json --markdown eval/benchmarks/results/xquad.md

lint: install-test
	$(BIN)/ruff check src tests eval bench

clean:
	rm -rf $(VENV) build index/builds index/CURRENT
