# The two commands: `make run` and `make test`. Everything else is a helper.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
PORT ?= 8080
DB ?= sqlite:lotse.db

.PHONY: run test deps build demo-db bench bench-casework bench-portal bench-capacity bench-templates format clean

deps:
	@bash scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# Fresh demo database on every `make run`, so the printed sign-ins always work.
run: build
	@rm -f lotse.db lotse.db-wal lotse.db-shm lotse.db-reads lotse.db-reads-wal lotse.db-reads-shm
	@$(BUILD_DIR)/lotse migrate --database $(DB)
	@$(BUILD_DIR)/lotse demo --database $(DB)
	@$(BUILD_DIR)/lotse serve --database $(DB) --port $(PORT) --print-demo-logins

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j 2 --timeout 900

bench: build
	@bash bench/run.sh

# Case page, inbox and person search at PERSONS synthetic persons (default
# 1,000,000; generating them takes minutes), see bench/README.md.
bench-casework: build
	@BUILD_DIR=$(BUILD_DIR) bash bench/casework.sh

# The youth portal: alliance start page and a "Was brauchst du?" search on a
# fresh demo database, next to a hello-world baseline (bench/README.md).
bench-portal: build
	@BUILD_DIR=$(BUILD_DIR) bash bench/portal.sh

# The latency a page of a given CPU cost can have on this machine at 32
# connections: hello_world spending a fixed time per request (bench/README.md).
bench-capacity: build
	@BUILD_DIR=$(BUILD_DIR) bash bench/capacity.sh

# Page rendering: our compiled Template against kainjow (the engine it
# replaced) on the case page and the Posteingang, Google Benchmark.
bench-templates: build
	@$(BUILD_DIR)/bench/template_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

format:
	@clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	@rm -rf $(BUILD_DIR)
