# aistore-c build. `make` builds build/aisnode and build/libais.a; `make test` runs every test.
# Plain GNU make; auto-dependencies via -MMD -MP.
CC      ?= cc
BUILD   ?= build
OPT     ?= -O2 -g
SAN     ?=
LLHTTP_SRC ?= /usr/share/llhttp
LLHTTP_INC ?= /usr/share/include/llhttp

CPPFLAGS += -D_GNU_SOURCE -Isrc -I$(LLHTTP_INC)
CFLAGS   += -std=c17 -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -fno-strict-aliasing $(OPT) $(SAN) -MMD -MP -pthread
LDFLAGS  += $(SAN) -pthread
LDLIBS   += -lcurl -ljwt -ljansson -lxxhash -lssl -lcrypto -lisal -lexpat -larchive -llz4 -lz -lmsgpackc -lm

SRCS     := $(sort $(wildcard src/*/*.c))
OBJS     := $(SRCS:%.c=$(BUILD)/%.o)
LLHTTP_OBJS := $(BUILD)/llhttp/llhttp.o $(BUILD)/llhttp/api.o $(BUILD)/llhttp/http.o
LIB      := $(BUILD)/libais.a
CMDS     := $(patsubst cmd/%/main.c,%,$(wildcard cmd/*/main.c))
BINS     := $(CMDS:%=$(BUILD)/%)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))

.PHONY: all test unit unit-bins asan asan-bins e2e e2e-https e2e-asan fuzz fuzz-build fuzz-bins clean cluster cluster-stop deps bench check-layers
all: $(LIB) $(BINS)

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/llhttp/%.o: $(LLHTTP_SRC)/%.c
	@mkdir -p $(dir $@)
	$(CC) -I$(LLHTTP_INC) -O2 -g $(SAN) -w -c $< -o $@

$(LIB): $(OBJS) $(LLHTTP_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%: cmd/%/main.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LDFLAGS) $(LIB) $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LDFLAGS) $(LIB) $(LDLIBS) -lcriterion

unit-bins: $(UNIT_BINS)

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t --jobs 1; done

# unit tests under AddressSanitizer + UndefinedBehaviorSanitizer, in their own build dir
ASAN_MAKE = $(MAKE) BUILD=build-asan OPT="-O1 -g" SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
asan-bins:
	$(ASAN_MAKE) unit-bins build-asan/aisnode build-asan/aisauth

asan:
	$(ASAN_MAKE) unit

# libFuzzer drivers (clang): the library is built once with fuzzer instrumentation in
# build-fuzz/, each tests/fuzz/fuzz_<name>.c is linked against it (in parallel with -j) and run
# for FUZZ_SECONDS, FUZZ_JOBS drivers at a time, on its seed corpus.
FUZZ_SECONDS ?= 20
FUZZ_JOBS    ?= 2
FUZZ_BINS    := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/%)
FUZZ_MAKE     = $(MAKE) BUILD=build-fuzz CC=clang OPT="-O1 -g" SAN="-fsanitize=fuzzer-no-link,address,undefined"

$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(LIB)
	$(CC) $(CPPFLAGS) -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined $< $(LIB) $(LDLIBS) -pthread -o $@

fuzz-bins: $(FUZZ_BINS)

fuzz-build:
	$(FUZZ_MAKE) fuzz-bins

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) bash scripts/run-fuzz.sh $(FUZZ_JOBS) $(FUZZ_SRCS)

# e2e modules run E2E_JOBS at a time (pytest-xdist, one module per worker: each starts its own
# cluster on free ports); E2E_JOBS=1 runs them one after another
E2E_JOBS ?= 3
E2E_PAR := $(if $(filter-out 1,$(E2E_JOBS)),-n $(E2E_JOBS) --dist loadfile)
e2e: all
	/usr/bin/python3 -m pytest -q $(E2E_PAR) tests/e2e $(PYTEST_ARGS)

# the end-to-end suite with TLS on: every test cluster is HTTPS (a CA per run; docs/https.md)
e2e-https: all
	AIS_E2E_HTTPS=1 /usr/bin/python3 -m pytest -q $(E2E_PAR) tests/e2e $(PYTEST_ARGS)

# the end-to-end suite once more against an ASan+UBSan aisnode: any sanitizer report (nodes log
# them under build-asan/san-logs/) fails the run
SANLOG := $(CURDIR)/build-asan/san-logs
E2E_ASAN_SEL ?= tests/e2e
e2e-asan:
	$(ASAN_MAKE) build-asan/aisnode build-asan/aisauth
	@rm -rf $(SANLOG); mkdir -p $(SANLOG)
	ASAN_OPTIONS=detect_leaks=1:log_path=$(SANLOG)/asan UBSAN_OPTIONS=print_stacktrace=1:log_path=$(SANLOG)/ubsan \
	  AIS_BIN=$(CURDIR)/build-asan/aisnode /usr/bin/python3 -m pytest -q $(E2E_PAR) $(E2E_ASAN_SEL) $(PYTEST_ARGS)
	@if [ -n "$$(ls -A $(SANLOG))" ]; then echo "sanitizer reports:"; head -n 60 $(SANLOG)/*; exit 1; fi

# the include rules between src/ folders (docs/architecture.md "Layers")
check-layers:
	@/usr/bin/python3 scripts/check-layers.py

# everything CI runs: the layer check; the unit tests, ASan+UBSan build and fuzz drivers built
# side by side; unit tests plain and sanitized; each fuzz driver FUZZ_SECONDS (default 3 here);
# the end-to-end suite, plain and with TLS on; then E2E_ASAN_TESTS (a fast subset over every data path) against an
# ASan+UBSan aisnode (`make e2e-asan` alone runs the whole suite that way)
E2E_ASAN_TESTS ?= tests/e2e/test_objects.py tests/e2e/test_obj_core.py tests/e2e/test_bad_input.py \
	tests/e2e/test_s3_api.py tests/e2e/test_s3_object_attrs.py tests/e2e/test_mpu.py \
	tests/e2e/test_list_cursor.py tests/e2e/test_transport.py tests/e2e/test_shards.py tests/e2e/test_getbatch.py \
	tests/e2e/test_s3_versioning.py tests/e2e/test_prefix_keys.py tests/e2e/test_security.py tests/e2e/test_auth.py \
	tests/e2e/test_mirror.py tests/e2e/test_ec.py tests/e2e/test_s3_versions_reb.py tests/e2e/test_authn.py tests/e2e/test_auth_matrix.py \
	tests/e2e/test_https.py tests/e2e/test_ckey_rotation.py
test: all
	$(MAKE) check-layers
	$(MAKE) -j2 unit-bins asan-bins fuzz-build
	$(MAKE) unit
	$(MAKE) asan
	$(MAKE) fuzz FUZZ_SECONDS=$${FUZZ_SECONDS:-3}
	$(MAKE) e2e
	$(MAKE) e2e-https
	$(MAKE) e2e-asan E2E_ASAN_SEL="$(E2E_ASAN_TESTS)"

deps:
	@bash scripts/install-deps.sh

cluster:
	@bash scripts/install-deps.sh
	@$(MAKE) --no-print-directory all
	@bash scripts/playground.sh start

cluster-stop:
	@bash scripts/playground.sh stop

bench: all
	@bash bench/get.sh

clean:
	rm -rf build build-asan build-fuzz

-include $(OBJS:.o=.d) $(UNIT_BINS:=.d)
