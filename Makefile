# houkan - claim files for visiting-nursing stations.
# GNU make.  `make deps` installs what is missing; `make test` and `make demo`
# run it first.  `make DEVELOPER=1` turns warnings into errors.

PREFIX ?= /usr/local
DESTDIR ?=
BUILD ?= build
CC ?= cc
PKGS = libxml-2.0 openssl zlib sqlite3 libcurl
DEB_PKGS = gcc make pkg-config libxml2-dev libssl-dev zlib1g-dev libsqlite3-dev \
           libcurl4-openssl-dev sqlite3 openssl python3 clang libclang-rt-14-dev time

# Lazily evaluated: `make deps` must work before pkg-config knows the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))

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

.PHONY: all deps test unit demo bench golden-update install clean fuzz e2e san

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
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
fuzz:
	$(MAKE) BUILD=$(FUZZ_DIR)/obj CC=$(FUZZ_CC) \
	  CFLAGS="-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)" $(FUZZ_DIR)/obj/libhoukan.a
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) -I. \
	  -o $(FUZZ_DIR)/fuzz_check tests/fuzz/fuzz_check.c $(FUZZ_DIR)/obj/libhoukan.a $(LIBS)
	rm -rf $(FUZZ_DIR)/corpus && mkdir -p $(FUZZ_DIR)/corpus
	cp tests/corpus/check/valid/*.UKE tests/corpus/check/bad/*.UKE $(FUZZ_DIR)/corpus/
	HOUKAN_MASTER_DIR=$(CURDIR)/data/master $(FUZZ_DIR)/fuzz_check -max_total_time=$(FUZZ_SECONDS) \
	  -max_len=65536 -artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_DIR)/corpus
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) -I. \
	  -o $(FUZZ_DIR)/fuzz_elig tests/fuzz/fuzz_elig.c $(FUZZ_DIR)/obj/libhoukan.a $(LIBS)
	rm -rf $(FUZZ_DIR)/corpus_elig && mkdir -p $(FUZZ_DIR)/corpus_elig
	cp tests/corpus/eligibility/good/*.xml tests/corpus/eligibility/hostile/*.xml $(FUZZ_DIR)/corpus_elig/
	$(FUZZ_DIR)/fuzz_elig -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -artifact_prefix=$(FUZZ_DIR)/elig- \
	  $(FUZZ_DIR)/corpus_elig
	$(FUZZ_CC) -std=c11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer $(FUZZ_SAN) -I. \
	  -o $(FUZZ_DIR)/fuzz_returns tests/fuzz/fuzz_returns.c $(FUZZ_DIR)/obj/libhoukan.a $(LIBS)
	rm -rf $(FUZZ_DIR)/corpus_returns && mkdir -p $(FUZZ_DIR)/corpus_returns
	cp tests/corpus/returns/good/* tests/corpus/returns/bad/*.* $(FUZZ_DIR)/corpus_returns/
	$(FUZZ_DIR)/fuzz_returns -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -artifact_prefix=$(FUZZ_DIR)/returns- \
	  $(FUZZ_DIR)/corpus_returns

deps:
	@sh tools/deps.sh $(DEB_PKGS)

unit: $(UNIT)
	$(UNIT)

test: deps
	$(MAKE) all $(UNIT)
	$(MAKE) san
	@BUILD=$(BUILD) sh tests/run.sh

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
