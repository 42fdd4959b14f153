# faultline - chaos testing for failover clusters.
#
#   make            build ./faultline
#   make demo       install missing packages (as root), then run the demo
#   make test       install missing packages (as root), then run the test suite
#   make asan       build and run the tests under AddressSanitizer + UBSan
#   make format     clang-format every source file
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

CC       ?= cc
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/faultline
MANDIR   ?= $(PREFIX)/share/man
BUILD    ?= build
PKGS     := yaml-0.1 libpcre2-8 jansson libcrypto libcurl
TESTPKGS := criterion

VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GITREV   := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
CSTD     := -std=c11 -D_GNU_SOURCE
OPT      ?= -O2 -g
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
TEST_CFLAGS = $(shell pkg-config --cflags $(TESTPKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

ALL_CFLAGS = $(CSTD) $(WARN) $(OPT) -Iinclude -MMD -MP \
	-DFAULTLINE_VERSION='"$(VERSION)"' -DFAULTLINE_GITREV='"$(GITREV)"' $(PKG_CFLAGS) $(CFLAGS) $(SANFLAGS)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS = $(PKG_LIBS) -lm

LIB_SRC  := $(sort $(wildcard agent/*.c agent/cluster/*.c probes/*.c))
LIB_SRC  := $(filter-out agent/main.c,$(LIB_SRC))
TEST_SRC := $(sort $(wildcard tests/test_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

# `make V=1` shows the full compiler command lines.
Q        := $(if $(V),,@)
BIN      := faultline
TESTBIN  := $(BUILD)/faultline-tests

.PHONY: all demo test check asan format format-check install uninstall clean deps test-deps
.DEFAULT_GOAL := all

all: $(BIN)

# Rebuilt from scratch so an object whose source is gone cannot linger in it.
$(BUILD)/libfaultline.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BIN): $(BUILD)/agent/main.o $(BUILD)/libfaultline.a
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -c -o $@ $<

$(TESTBIN): $(TEST_OBJ) $(BUILD)/libfaultline.a
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

# The README's two commands: each installs what is missing, then works.
deps:
	@sh scripts/ensure-deps.sh build
test-deps:
	@sh scripts/ensure-deps.sh test

# The demo: check every shipped plan, then run plans/demo.yaml for real
# (about 35 s) against the embedded simulator, with loopback endpoints.
demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	./$(BIN) validate plans/*.yaml
	@mkdir -p $(BUILD)
	./$(BIN) run plans/demo.yaml --json $(BUILD)/demo.json --junit $(BUILD)/demo.xml

test: test-deps
	@$(MAKE) --no-print-directory check

# Run the suite (assumes the packages are there). Tests run from the repo root.
check: $(BIN) $(TESTBIN)
	FAULTLINE_BIN=./$(BIN) ./$(TESTBIN) -j2 $(TESTFLAGS)

asan: test-deps
	@$(MAKE) --no-print-directory BUILD=build-asan CC=clang OPT='-O1 -g -fno-omit-frame-pointer' \
		SANFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all' BIN=build-asan/faultline check

format:
	clang-format -i $(LIB_SRC) agent/main.c $(TEST_SRC) $(wildcard include/faultline/*.h agent/*.h agent/cluster/*.h probes/*.h)

format-check:
	clang-format --dry-run -Werror $(LIB_SRC) agent/main.c $(TEST_SRC) $(wildcard include/faultline/*.h agent/*.h agent/cluster/*.h probes/*.h)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/plans/clusters
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/faultline
	install -m 0644 plans/*.yaml $(DESTDIR)$(DATADIR)/plans/
	install -m 0644 plans/clusters/*.yaml $(DESTDIR)$(DATADIR)/plans/clusters/
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/faultline.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/faultline-plan.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/faultline-agent.8 $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/faultline
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/faultline.1 $(DESTDIR)$(MANDIR)/man5/faultline-plan.5 \
		$(DESTDIR)$(MANDIR)/man8/faultline-agent.8

clean:
	rm -rf build build-asan $(BIN)

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/agent/main.d
