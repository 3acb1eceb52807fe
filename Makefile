# Two commands: `make demo` (install, build the index, open the chat) and `make test` (install, run everything).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

# llama.cpp's server is only needed by the LLM-backend tests. It is built from source, portably: never
# -march=native (a wheel built natively on one machine dies with SIGILL on another), never Intel AMX
# (its tile kernels crashed the first batched prompt on AMX Xeons), and on x86-64 the x86-64-v3 level
# (AVX2, FMA, F16C, BMI2; every Intel CPU since Haswell, every AMD since Zen, all CI and developer
# machines). GGML_CPU_ALL_VARIANTS would pick the best kernels at run time, but it needs GGML_BACKEND_DL,
# whose backends llama-cpp-python never loads (abetlen/llama-cpp-python#2069), and builds the CPU
# backend eight times. Set LLAMA_ISA to override the instruction sets (LLAMA_ISA= gives plain x86-64).
LLAMA_CPP_VERSION ?= 0.3.36
ifeq ($(shell uname -m),x86_64)
LLAMA_ISA ?= -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON \
	-DGGML_AVX_VNNI=OFF -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF \
	-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
endif
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF $(LLAMA_ISA) -DGGML_CPU_ALL_VARIANTS=OFF -DGGML_BACKEND_DL=OFF \
	-DLLAVA_BUILD=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TESTS=OFF \
	-DLLAMA_BUILD_SERVER=OFF
# The wheel is built once per (version, flags, Python) and kept outside the repo, so `make clean` and a
# fresh clone on the same machine reuse it. pip's own wheel cache is keyed by the download URL, not by
# the flags, so the build skips it (--no-cache-dir) and the install refuses anything but this wheel.
LLAMA_KEY    := $(shell printf '%s' '$(LLAMA_CPP_VERSION) $(LLAMA_CMAKE_ARGS) $(shell $(PYTHON) -V 2>&1)' \
	| sha256sum | cut -c1-16)
LLAMA_WHEELS := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/policyqa/llama-cpp-python/$(LLAMA_KEY)

.PHONY: install install-test llama-wheel index demo test lint clean bench-xquad reproduce

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# torch is pinned to the CPU wheel (torch==2.13.0) inside the `st` extra, installed in the same resolve.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install -q -e '.[st,milvus]'
	touch $@

# The test extras in one resolve with the core (a superset of .installed, which it marks done too).
$(VENV)/.installed-extras: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install -q -e '.[st,milvus,test]'
	touch $(VENV)/.installed $@

# Needs only pip, so under `make -j2` it builds while the extras install (pip mostly unpacks wheels).
$(LLAMA_WHEELS)/.built: | $(BIN)/activate
	mkdir -p $(@D)
	CMAKE_ARGS='$(LLAMA_CMAKE_ARGS)' CMAKE_BUILD_PARALLEL_LEVEL=2 $(PY) -m pip wheel -q --no-deps \
		--no-cache-dir --no-binary llama-cpp-python -w $(@D) 'llama-cpp-python==$(LLAMA_CPP_VERSION)'
	touch $@

llama-wheel: $(LLAMA_WHEELS)/.built

# The server extra's packages, then this wheel over whatever llama-cpp-python of the same version was
# there (pip would keep a natively built one, since its version matches).
$(VENV)/.installed-test: $(VENV)/.installed-extras $(LLAMA_WHEELS)/.built
	$(PY) -m pip install -q --find-links $(LLAMA_WHEELS) --only-binary llama-cpp-python \
		'llama-cpp-python[server]==$(LLAMA_CPP_VERSION)'
	$(PY) -m pip install -q --no-deps --force-reinstall $(LLAMA_WHEELS)/llama_cpp_python-*.whl
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

index: install
	$(BIN)/policyqa ingest --corpus corpus --index index

demo: index
	$(BIN)/policyqa serve

# Two jobs: the llama.cpp build (CPU) overlaps the extras install (mostly unpacking wheels). Then the
# suite in two pytest-xdist workers, whole files each (module fixtures such as the servers start once):
# while one worker waits on a server, a browser or a one-thread LLM, the other has the second core.
TEST_WORKERS ?= 2
test:
	$(MAKE) --no-print-directory -j2 install-test
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
