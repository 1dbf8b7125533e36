# houkan - claim files for visiting-nursing stations.
# GNU make.  `make deps` installs what is missing; `make test` and `make demo`
# run it first.  `make DEVELOPER=1` turns warnings into errors.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
PKGS = libxml-2.0 openssl zlib sqlite3 libcurl
# What building and running need (make deps, make demo), and what only the tests
# add (clang and libFuzzer for the fuzzers; make test-deps, make test).
DEB_PKGS = gcc make pkg-config libxml2-dev libssl-dev zlib1g-dev libsqlite3-dev \
           libcurl4-openssl-dev sqlite3 openssl python3 time
DEB_TEST_PKGS = clang libclang-rt-14-dev

# Lazily evaluated: `make deps` must work before pkg-config knows the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))
# SQLite is linked from the static archive libsqlite3-dev ships beside the
# shared library (found through pkg-config's libdir): calls inside the shared
# library go through its PLT, and the claim run spends a third of its CPU in
# SQLite; the archive saves 5-7% of a build's CPU.  SQLITE_STATIC=0, or no
# archive, links the shared library as before.
SQLITE_STATIC ?= 1
SQLITE_A = $(shell pkg-config --variable=libdir sqlite3)/libsqlite3.a
ifeq ($(SQLITE_STATIC),1)
PKG_LIBS = $(if $(wildcard $(SQLITE_A)),$(filter-out -lsqlite3,$(shell pkg-config --libs $(PKGS))) \
           $(SQLITE_A) $(filter-out -lsqlite3,$(shell pkg-config --static --libs sqlite3)) -ldl,$(shell pkg-config --libs $(PKGS)))
endif

OPT ?= -O2
CFLAGS ?= $(OPT) -g
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
ifeq ($(DEVELOPER),1)
WARN += -Werror -Wformat=2 -Wformat-security -Wnull-dereference -Wvla -Wpointer-arith \
        -Wundef -Wcast-qual -Wwrite-strings
endif
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) -I. $(PKG_CFLAGS) \
             -DHK_MASTER_ROOT='"$(PREFIX)/share/houkan/master"'
LIBS = $(PKG_LIBS) -lm -pthread

LIB_DIRS = base receipt master claims switchover certs
LIB_SRC = $(filter-out claims/main.c,$(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/*.c)
UNIT_OBJ = $(UNIT_SRC:%.c=$(BUILD)/%.o)

HOUKAN = $(BUILD)/houkan
LIBHOUKAN = $(BUILD)/libhoukan.a
UNIT = $(BUILD)/unit-tests

.PHONY: all deps test-deps test unit demo bench golden-update install clean fuzz fuzz-build e2e san

all: $(HOUKAN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIBHOUKAN): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(HOUKAN): $(BUILD)/claims/main.o $(LIBHOUKAN)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(UNIT): $(UNIT_OBJ) $(LIBHOUKAN)
	$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(BUILD)/claims/main.d

e2e: all ; @sh tools/e2e.sh $(HOUKAN)

# Sanitizer build of everything, in its own tree.
san:
	$(MAKE) BUILD=$(BUILD)/san OPT=-O1 \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	  $(BUILD)/san/houkan $(BUILD)/san/unit-tests

# libFuzzer target for the checker (tests/fuzz/fuzz_check.c): builds
# build/fuzz/fuzz_check with clang and runs it for FUZZ_SECONDS on a copy of
# tests/corpus/check.  Not part of `make test`.  Crashes land in build/fuzz/.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_DIR = build/fuzz
FUZZERS = check elig returns
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
fuzz-build:
	$(MAKE) BUILD=$(FUZZ_DIR)/obj CC=$(FUZZ_CC) \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_DIR)/obj/libhoukan.a
	for f in $(FUZZERS); do \
	  $(FUZZ_CC) -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) -I. \
	    -o $(FUZZ_DIR)/fuzz_$$f tests/fuzz/fuzz_$$f.c $(FUZZ_DIR)/obj/libhoukan.a $(LIBS) || exit 1; \
	done

# Each fuzzer runs FUZZ_SECONDS on a copy of its corpus (tests/fuzz/run.sh).
fuzz: fuzz-build
	@FUZZ_DIR=$(FUZZ_DIR) sh tests/fuzz/run.sh $(FUZZ_SECONDS)

deps:
	@sh tools/deps.sh $(DEB_PKGS)

test-deps:
	@sh tools/deps.sh $(DEB_PKGS) $(DEB_TEST_PKGS)

unit: $(UNIT)
	$(UNIT)

# CI runs this: unit tests (normal and ASan/UBSan), command-line tests, golden
# scenarios, and each fuzzer briefly (check 60 s as issue 3 asks, the others less).
test: test-deps
	$(MAKE) all $(UNIT)
	$(MAKE) san
	$(MAKE) fuzz-build
	@BUILD=$(BUILD) FUZZ_DIR=$(FUZZ_DIR) FUZZ_PLAN="check:60 elig:20 returns:20" sh tests/run.sh

demo: deps all
	@sh tools/demo.sh $(HOUKAN)

bench: deps all
	@sh tools/bench.sh $(HOUKAN)

golden-update: all
	@sh tests/golden.sh --update $(HOUKAN)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/houkan/master
	install -m 0755 $(HOUKAN) $(DESTDIR)$(PREFIX)/bin/houkan
	cp -R data/master/. $(DESTDIR)$(PREFIX)/share/houkan/master/

clean:
	rm -rf build
