# faultline - chaos testing for failover clusters.
#
#   make            build ./faultline
#   make demo       install missing packages (as root), then run the demo
#   make test       install missing packages (as root), then run the test suite
#   make asan       build and run the tests under AddressSanitizer + UBSan
#   make windows    cross-build build/windows/faultline-wsfc.exe (mingw-w64)
#   make format     clang-format every source file
#   make install    PREFIX=/usr/local DESTDIR=
#   make clean

# bash for `set -o pipefail` in recipes that pipe test output through tee.
SHELL    := /bin/bash
CC       ?= cc
PREFIX   ?= /usr/local
BINDIR   ?= $(PREFIX)/bin
DATADIR  ?= $(PREFIX)/share/faultline
SYSTEMDDIR ?= /etc/systemd/system
SYSCONFDIR ?= /etc
MANDIR   ?= $(PREFIX)/share/man
BUILD    ?= build
PKGS     := yaml-0.1 libpcre2-8 jansson nettle libcurl libxml-2.0 libmicrohttpd
# Pacemaker CIB notifications when pacemaker-dev is installed; without it the
# pacemaker backend polls crm_mon (docs/backends.md).
PCMK_CIB := $(shell pkg-config --exists pacemaker-cib 2>/dev/null && echo yes)
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
LIBS = $(PKG_LIBS) $(LIBS_PCMK) -lm

# Every .c under agent/ (in its subsystem folders) and probes/, but main.
LIB_SRC  := $(sort $(shell find agent probes -name '*.c'))
LIB_SRC  := $(filter-out agent/cmd/main.c,$(LIB_SRC))
ifeq ($(PCMK_CIB),yes)
LIB_SRC  := $(filter-out agent/cluster/pacemaker/pacemaker_watch_none.c,$(LIB_SRC))
# its headers stay out of every other file, and out of our warnings
$(BUILD)/agent/cluster/pacemaker/pacemaker_watch.o: ALL_CFLAGS += $(patsubst -I%,-isystem %,$(shell pkg-config --cflags pacemaker-cib))
LIBS_PCMK := $(shell pkg-config --libs pacemaker-cib) -lpthread
else
LIB_SRC  := $(filter-out agent/cluster/pacemaker/pacemaker_watch.c,$(LIB_SRC))
endif
TEST_SRC := $(sort $(wildcard tests/test_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_OBJ := $(TEST_SRC:%.c=$(BUILD)/%.o)

# `make V=1` shows the full compiler command lines.
Q        := $(if $(V),,@)
BIN      := faultline
TESTBIN  := $(BUILD)/faultline-tests

.PHONY: all demo test check check-demo-html check-demo-html-png asan format format-check install uninstall clean deps test-deps test-pacemaker test-pacemaker-2node test-fidelity test-wsfc windows
.DEFAULT_GOAL := all

all: $(BIN)

# Rebuilt from scratch so an object whose source is gone cannot linger in it.
$(BUILD)/libfaultline.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

$(BIN): $(BUILD)/agent/cmd/main.o $(BUILD)/libfaultline.a
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) $(TEST_CFLAGS) -c -o $@ $<

$(TESTBIN): $(TEST_OBJ) $(BUILD)/libfaultline.a
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) $(TEST_LIBS)

# faultline-wsfc.exe, the WSFC exec adapter, cross-built with Debian's
# mingw-w64 (gcc-mingw-w64-x86-64). Its protocol code is the same
# agent/proto*.c the Linux side runs and tests; CLUSAPI.dll is loaded at run
# time, so nothing links against clusapi. agent/core/cluster_names.c brings the
# state and flag names, which travel on the wire. MinGW's ANSI stdio gives the
# C99 printf (%zu) at run time; -Wno-format because to mingw gcc
# format(printf) means the MS dialect: the same formats are checked by the
# Linux build of the very same files.
WIN_CC   ?= x86_64-w64-mingw32-gcc
WIN_EXE  := $(BUILD)/windows/faultline-wsfc.exe
WIN_SRC  := $(wildcard tools/wsfc/*.c) $(wildcard agent/proto/proto*.c) agent/proto/snapshot.c agent/core/cluster_names.c \
	agent/core/err.c agent/core/util.c agent/core/log.c

windows:
	@sh scripts/ensure-deps.sh windows
	@$(MAKE) --no-print-directory $(WIN_EXE)

$(WIN_EXE): $(WIN_SRC) $(wildcard tools/wsfc/*.h agent/proto/*.h) include/faultline/proto.h include/faultline/cluster.h
	@mkdir -p $(@D)
	$(Q)$(WIN_CC) -std=c11 $(WARN) -Wno-format -D__USE_MINGW_ANSI_STDIO=1 -D_POSIX_THREAD_SAFE_FUNCTIONS -O2 -municode -Iinclude -o $@ $(WIN_SRC) -static -lpthread

# The ClusAPI test double (tests/wsfc/): a CLUSAPI.dll written from
# Microsoft's documentation, placed beside a copy of the adapter.
WSFC_DOUBLE := $(BUILD)/wsfc/clusapi.dll

$(WSFC_DOUBLE): $(wildcard tests/wsfc/*.c tests/wsfc/*.h)
	@mkdir -p $(@D)
	$(Q)$(WIN_CC) -std=c11 $(WARN) -O2 -shared -static-libgcc -o $@ $(filter %.c,$^)

# faultline-wsfc.exe under Wine against the double: protocol tests and plans
# (installs wine64 as root; exit 77 = SKIPPED: this machine cannot run it).
test-wsfc:
	bash tests/wsfc/run.sh

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
	./$(BIN) run plans/demo.yaml --json $(BUILD)/demo.json --junit $(BUILD)/demo.xml --html $(BUILD)/demo.html
	@echo "manual pages before make install: man ./man/faultline.1, man ./man/faultline-plan.5, man ./man/faultline-agent.8"

# The demo's real-time HTML report, rendered by headless Chromium: its probe
# lanes must be drawn (probe times on the run's clock). About 35 s;
# check-demo-html-png only renders and checks the report `make demo` wrote.
check-demo-html: $(BIN)
	@mkdir -p $(BUILD)
	./$(BIN) run plans/demo.yaml --quiet --html $(BUILD)/demo.html
	@$(MAKE) --no-print-directory check-demo-html-png

check-demo-html-png:
	chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1600 \
		--screenshot=$(BUILD)/demo.png file://$(CURDIR)/$(BUILD)/demo.html 2>/dev/null
	python3 scripts/check-probe-lanes.py $(BUILD)/demo.png

test: test-deps
	@$(MAKE) --no-print-directory check

# Run the suite (assumes the packages are there). Tests run from the repo root.
check: $(BIN) $(TESTBIN)
	FAULTLINE_BIN=./$(BIN) ./$(TESTBIN) -j2 $(TESTFLAGS)

# The Pacemaker backend against a real single-node Pacemaker (root; installs
# pacemaker when missing). Exit 77 = SKIPPED: this machine cannot run it.
# One real cluster per machine at a time: both targets take the same lock.
test-pacemaker:
	flock /tmp/faultline-pacemaker.lock bash tests/pacemaker/run.sh

# only the two-node part (installs Pacemaker like test-pacemaker when missing)
test-pacemaker-2node:
	flock /tmp/faultline-pacemaker.lock bash tests/pacemaker/run.sh 2node

# The simulator calibrated from half of a real two-node Pacemaker run (the odd
# trials of each fault) against the other half, interleaved in time (issue
# 14): outcomes per trial, median recovery per fault within 10 %.
# Root and Pacemaker installed; exit 77 = SKIPPED elsewhere (installs nothing).
test-fidelity: $(BIN)
	bash tests/pacemaker/fidelity.sh

# Criterion runs each test in a worker whose leak report would not fail the
# test: the log is searched for any sanitizer report as well.
asan: test-deps
	@mkdir -p build-asan
	@set -o pipefail; \
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0 \
	$(MAKE) --no-print-directory BUILD=build-asan CC=clang OPT='-O1 -g -fno-omit-frame-pointer' \
		SANFLAGS='-fsanitize=address,undefined -fno-sanitize-recover=all' BIN=build-asan/faultline check \
		2>&1 | tee build-asan/tests.log; rc=$$?; \
	if grep -aq 'ERROR: [A-Za-z]*Sanitizer\|runtime error:' build-asan/tests.log; then \
		echo "asan: sanitizer reports above (build-asan/tests.log)"; exit 1; fi; exit $$rc

# Every C file of the project: one style, checked by format-check.
FORMAT_SRC = $(sort $(shell find agent probes include tools bench fuzz tests -name '*.[ch]'))

format:
	clang-format -i $(FORMAT_SRC)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_SRC)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/plans/clusters
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/faultline
	install -m 0644 plans/*.yaml $(DESTDIR)$(DATADIR)/plans/
	install -m 0644 plans/clusters/*.yaml $(DESTDIR)$(DATADIR)/plans/clusters/
	install -d $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(SYSCONFDIR)/default $(DESTDIR)$(SYSCONFDIR)/faultline/plans
	sed 's|/usr/local/bin/faultline|$(BINDIR)/faultline|' dist/faultline-agent.service \
		> $(DESTDIR)$(SYSTEMDDIR)/faultline-agent.service
	test -e $(DESTDIR)$(SYSCONFDIR)/default/faultline-agent || \
		install -m 0644 dist/faultline-agent.default $(DESTDIR)$(SYSCONFDIR)/default/faultline-agent
	install -d $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 man/faultline.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/faultline-plan.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/faultline-agent.8 $(DESTDIR)$(MANDIR)/man8/

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/faultline
	rm -rf $(DESTDIR)$(DATADIR)
	rm -f $(DESTDIR)$(SYSTEMDDIR)/faultline-agent.service
	rm -f $(DESTDIR)$(MANDIR)/man1/faultline.1 $(DESTDIR)$(MANDIR)/man5/faultline-plan.5 \
		$(DESTDIR)$(MANDIR)/man8/faultline-agent.8

clean:
	rm -rf build build-asan $(BIN)

include bench/bench.mk
include fuzz/fuzz.mk

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/agent/cmd/main.d
