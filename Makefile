# Top-level wrapper around CMake. Every target installs missing Debian
# packages first (scripts/install-deps is idempotent and quick when all is there).
BUILD      ?= build
CHECK      ?= build-check
FUZZBUILD  ?= build-fuzz
JOBS       ?= $(shell nproc)
SHARED     ?= $(CURDIR)/../shared/data

.PHONY: all deps build check run demo bench bench-hub quality fuzz format clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DLIMEN_TESTS=OFF >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

# The whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer.
check: deps
	@cmake -S . -B $(CHECK) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DLIMEN_SANITIZE=ON >/dev/null
	@cmake --build $(CHECK) -j $(JOBS)
	@cd $(CHECK) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# limen's main job on its embedded default: the demo hub on 127.0.0.1:8080
# (four agencies, their users and tokens, 3,018 demo alerts, a curl example).
run: build
	@scripts/run-hub $(BUILD)

# Screening from the command line: example travellers against the demo
# alerts and the OFAC list.
demo: build
	@scripts/demo $(BUILD)/limen

bench: build
	@scripts/bench $(BUILD)

# The hub under wrk at the demo size and at 1M synthetic alerts (bench/hub_wrk.sh;
# HUB_BENCH_SIZES, HUB_BENCH_SECONDS).
bench-hub: build
	@bench/hub_wrk.sh $(BUILD)

quality: build
	@bench/quality.sh $(BUILD)

fuzz: deps
	@CC=clang cmake -S . -B $(FUZZBUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIMEN_FUZZ=ON >/dev/null
	@cmake --build $(FUZZBUILD) -j $(JOBS)
	@for f in $(FUZZBUILD)/fuzz_*; do \
	  n=$$(basename $$f | sed 's/^fuzz_//'); c=fuzz/corpus/$$n; mkdir -p $(FUZZBUILD)/work-$$(basename $$f); \
	  d=; case $$n in entity|entity_scan|request) d=-dict=fuzz/dict/json.dict;; esac; \
	  echo "== $$f ($(or $(FUZZ_SECONDS),60) s)"; \
	  $$f -max_total_time=$(or $(FUZZ_SECONDS),60) -max_len=65536 $$d $(FUZZBUILD)/work-$$(basename $$f) $$c || exit 1; \
	done

format:
	@clang-format -i include/limen/*.h src/*/*.c src/*/*.h tests/unit/*.c fuzz/*.c bench/*.c

clean:
	rm -rf $(BUILD) $(CHECK) $(FUZZBUILD)
