# crawlsift — two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.crawlsift-installed
DEMO ?= demo
WORKERS ?= 2
BEAM_LOCAL := --runner DirectRunner --direct_running_mode multi_processing --direct_num_workers $(WORKERS)

.PHONY: help setup demo test lint format bench bench-dedup bench-store bench-layers bench-faults bench-index clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s "$$(printf '\t')"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,notebook,gcp]'
	# bytecode for the project's own modules, as pip writes it for installed packages: the driver
	# and every local worker process import them, also where PYTHONDONTWRITEBYTECODE is set
	$(PY) -m compileall -q pipelines transforms metadata_store bench > /dev/null
	touch $(STAMP)

setup: $(STAMP)  ## create .venv and install crawlsift with its dev extras

demo: setup  ## build a sample crawl, run the pipeline on it with 2 local workers, print the summary and the report's path
	rm -rf $(DEMO)
	$(PY) -m pipelines.demo --output $(DEMO)
	$(PY) -m pipelines.crawl_to_shards \
	    --input '$(DEMO)/crawl/warc/*.warc.gz' \
	    --input '$(DEMO)/crawl/html/*.html' \
	    --input '$(DEMO)/crawl/jsonl/*.jsonl' \
	    --output $(DEMO)/out $(BEAM_LOCAL)
	$(PY) -m pipelines.report $(DEMO)/out

test: setup  ## the test suite (pure functions, composites, end-to-end runs)
	$(PY) -m pytest -q

lint: setup  ## ruff check and ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup  ## apply ruff's formatting and safe fixes
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup  ## throughput vs a plain loop and datatrove, memory, stage shares; then the other benchmarks
	$(PY) -m bench.bench_throughput
	$(MAKE) --no-print-directory bench-dedup bench-store bench-layers bench-faults bench-index

bench-dedup: setup  ## dedup benchmark: precision/recall vs exact Jaccard and datasketch, speed, 10k groups
	$(PY) -m bench.bench_dedup

bench-store: setup  ## metadata store at 1e5, 1e6, 1e7 records: bulk-load rate, size, lookup p50/p99
	$(PY) -m bench.bench_store

bench-layers: setup  ## lookups after 1, 8, 32 runs: one layer per run against the driver's merges
	$(PY) -m bench.bench_layers

bench-faults: setup  ## hostile inputs at full size (30 MB page, 1 GiB gzip bomb...): outcome, peak RSS, seconds
	$(PY) -m bench.bench_faults

bench-index: setup  ## --index_only on 300,000 small HTML files, 2 workers: files/s vs a plain loop, peak RSS
	$(PY) -m bench.bench_index

clean:  ## remove the demo output and caches (keeps .venv)
	rm -rf $(DEMO) bench-out .pytest_cache .ruff_cache
