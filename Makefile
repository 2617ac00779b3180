# Market-intelligence ingest pipeline: the one Makefile.
#
#   make                  build every binary into bin/
#   make test             install missing packages, build strictly, run the whole suite
#   make demo             install missing packages, run the nightly pipeline on the fixtures
#   make install PREFIX=/usr/local DESTDIR=
#   make fuzz             build the fuzz targets and run each for FUZZ_SECONDS
#   make bench-NAME       run bench/NAME.sh (bench-tmk, bench-parse, bench-load, ...)
#   make check-style      banned functions, tabs, trailing blanks, floors, include circles
#
# Knobs: DEVELOPER=1 (strict warnings, -Werror), SANITIZE=address,undefined
# (a separate build tree, build-san/), SANITIZE=thread (ThreadSanitizer, its own
# tree build-tsan/: its objects cannot mix with AddressSanitizer's), PATTERN=load
# (make test runs only the tests whose name holds it), CC, CFLAGS, LDFLAGS,
# PREFIX, DESTDIR.

PREFIX ?= /usr/local
DATADIR = $(PREFIX)/share/market-intel
CC ?= cc
PKG_CONFIG ?= pkg-config

# Libraries found through pkg-config; libcsv has no .pc file.
PKGS = libcurl libxml-2.0 libpq libpcre2-8 json-c inih zlib libcrypto
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lcsv -lm -lpthread
TEST_CFLAGS := $(shell $(PKG_CONFIG) --cflags criterion 2>/dev/null)
TEST_LIBS := $(shell $(PKG_CONFIG) --libs criterion 2>/dev/null)

CFLAGS ?= -O2 -g
# pipeline/ has three floors, each depending only on those below it:
# common (helpers) <- normalize (TMK, ids, addresses, owners, values) <- stages
# (fetch, load, score, leads, ... and the orchestrator).
PIPELINE_FLOORS = common normalize stages
STD_CFLAGS = -std=c11 -D_GNU_SOURCE $(addprefix -Ipipeline/,$(PIPELINE_FLOORS)) -Iparsers -MMD -MP \
	-DMI_DATADIR='"$(DATADIR)"'
WARN = -Wall -Wextra -Wno-format-truncation
ifeq ($(DEVELOPER),1)
WARN += -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes -Wmissing-prototypes \
	-Wvla -Wformat=2 -Wno-format-nonliteral -Wimplicit-fallthrough -Wundef
endif

ifneq ($(findstring thread,$(SANITIZE)),)
BUILD = build-tsan
BIN = build-tsan/bin
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
else ifneq ($(SANITIZE),)
BUILD = build-san
BIN = build-san/bin
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD = build
BIN = bin
SAN_FLAGS =
endif

ALL_CFLAGS = $(STD_CFLAGS) $(WARN) $(SAN_FLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

# The binaries: one thin cmd/mi-*.c each.
PROGRAMS := $(patsubst cmd/%.c,%,$(wildcard cmd/mi-*.c))
LIB_SRC := $(foreach f,$(PIPELINE_FLOORS),$(wildcard pipeline/$(f)/*.c)) $(wildcard parsers/*.c)
LIB_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRC))
LIB := $(BUILD)/libmi.a
TEST_SRC := $(wildcard tests/test_*.c)
TEST_BINS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
TEST_HELPER_SRC := $(wildcard tests/helpers/*.c)
TEST_HELPER_OBJ := $(patsubst %.c,$(BUILD)/obj/%.o,$(TEST_HELPER_SRC))
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
BENCH_SRC := $(wildcard bench/*.c)
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)

.PHONY: all deps test test-build demo install fuzz fuzz-build check-style clean bench-% schema-docs
.DEFAULT_GOAL := all

all: $(addprefix $(BIN)/,$(PROGRAMS))

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BIN)/%: $(BUILD)/obj/cmd/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BUILD)/tests/%: tests/%.c $(LIB) $(TEST_HELPER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -Itests/helpers $(ALL_LDFLAGS) -o $@ $< \
		$(TEST_HELPER_OBJ) $(LIB) $(TEST_LIBS) $(PKG_LIBS)

$(BUILD)/tools/%: tests/tools/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(PKG_LIBS)

# Install the Debian packages the build, the tests and the demo need (as
# root), or print the exact command (otherwise).
deps:
	@sh scripts/deps.sh

test-build: all $(TEST_BINS) $(TOOL_BINS) $(BUILD)/bench/gen_world

# The whole suite: unit tests, integration tests on a throwaway PostgreSQL,
# golden-file runners and shell tests.  Strict warnings are always on here.
test: deps
	@$(MAKE) --no-print-directory DEVELOPER=1 test-build
	@MI_BUILD=$(BUILD) MI_BIN=$(BIN) sh tests/run.sh $(PATTERN)

demo: deps
	@$(MAKE) --no-print-directory all $(TOOL_BINS)
	@MI_BUILD=$(BUILD) MI_BIN=$(BIN) sh scripts/demo.sh

schema-docs: all
	@MI_BUILD=$(BUILD) MI_BIN=$(BIN) sh scripts/schema-docs.sh

bench-%: all $(BENCH_BINS) $(TOOL_BINS)
	@MI_BUILD=$(BUILD) MI_BIN=$(BIN) sh bench/$*.sh

# Fuzz targets need clang's libFuzzer: the library is built once more with
# coverage instrumentation and sanitizers (build-fuzz/), then each target links it.
FUZZ_SECONDS ?= 20
FUZZ_CC ?= clang
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS = $(STD_CFLAGS) $(PKG_CFLAGS) -g -O1 $(FUZZ_SAN)
FUZZ_LIB_OBJ := $(patsubst %.c,build-fuzz/obj/%.o,$(LIB_SRC))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(FUZZ_SRC))

build-fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/libmi.a: $(FUZZ_LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c build-fuzz/libmi.a
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< build-fuzz/libmi.a $(PKG_LIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@sh tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/sql $(DESTDIR)$(DATADIR)/data \
		$(DESTDIR)$(DATADIR)/config
	install -m 755 $(addprefix $(BIN)/,$(PROGRAMS)) $(DESTDIR)$(PREFIX)/bin/
	cp -R sql/. $(DESTDIR)$(DATADIR)/sql/
	if [ -d data ]; then cp -R data/. $(DESTDIR)$(DATADIR)/data/; fi
	cp -R config/. $(DESTDIR)$(DATADIR)/config/

check-style:
	@sh scripts/check-style.sh

clean:
	rm -rf build build-san build-tsan build-fuzz bin

-include $(shell find build build-san build-tsan -name '*.d' 2>/dev/null)
