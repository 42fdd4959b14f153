# fuzz.mk - libFuzzer harnesses (included by the Makefile).
#
#   make fuzz SECONDS=N    build every harness with clang, run each for N s
#   make fuzz-build        build them only (build-fuzz/fuzz_*)
#
# The library is rebuilt into build-fuzz/ with ASan+UBSan and fuzzer
# coverage. Harnesses: the plan and topology loaders, the adapter protocol,
# the journal reader, JSON run records, crm_mon XML, schedules (cron,
# duration, time zone) and the agent's control requests. Seeds: real
# examples from plans/ and tests/data/, and fuzz/seeds/<harness>/ (protocol
# lines, a journal written by a killed run, control requests, schedules);
# what the fuzzer finds is kept in build-fuzz/corpus-*, crashes in
# build-fuzz/crash-*. CI runs each for 20 s (8 harnesses: under 3 minutes).
SECONDS     ?= 20
FUZZ_BUILD  := build-fuzz
FUZZ_SAN    := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS := $(CSTD) $(WARN) -O1 -g -fno-omit-frame-pointer -Iinclude -Ifuzz $(PKG_CFLAGS) $(FUZZ_SAN)
FUZZ_NAMES  := plan topology proto journal record crm sched control
FUZZ_BINS   := $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)

.PHONY: fuzz fuzz-build fuzz-lib

fuzz-lib:
	@sh scripts/ensure-deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang OPT='-O1 -g -fno-omit-frame-pointer' \
		SANFLAGS='$(FUZZ_SAN) -fsanitize=fuzzer-no-link' $(FUZZ_BUILD)/libfaultline.a

$(FUZZ_BUILD)/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_file.c fuzz/fuzz_file.h fuzz-lib
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ fuzz/fuzz_$*.c fuzz/fuzz_file.c \
		$(FUZZ_BUILD)/libfaultline.a $(LIBS)

fuzz-build: $(FUZZ_BINS)

# -timeout: one input taking over 10 s is a hang worth reporting. Run from
# the repo root: the harness links plans/clusters next to its scratch file.
FUZZ_RUN = ASAN_OPTIONS=detect_leaks=1 $(FUZZ_BUILD)/$(1) -max_total_time=$(SECONDS) -timeout=10 \
	-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/crash-$(1)- \
	$(FUZZ_BUILD)/corpus-$(1) $(2) >$(FUZZ_BUILD)/$(1).log 2>&1 \
	|| { tail -n 60 $(FUZZ_BUILD)/$(1).log; echo "$(1): FAILED (log: $(FUZZ_BUILD)/$(1).log)"; exit 1; }; \
	grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss)' $(FUZZ_BUILD)/$(1).log; echo "$(1): clean for $(SECONDS) s"

fuzz: fuzz-build
	@mkdir -p $(FUZZ_NAMES:%=$(FUZZ_BUILD)/corpus-fuzz_%)
	@$(call FUZZ_RUN,fuzz_plan,plans tests/data)
	@$(call FUZZ_RUN,fuzz_topology,plans/clusters tests/data/topology)
	@$(call FUZZ_RUN,fuzz_proto,fuzz/seeds/proto)
	@$(call FUZZ_RUN,fuzz_journal,fuzz/seeds/journal)
	@$(call FUZZ_RUN,fuzz_record,tests/data/report)
	@$(call FUZZ_RUN,fuzz_crm,tests/data/pacemaker)
	@$(call FUZZ_RUN,fuzz_sched,fuzz/seeds/sched)
	@$(call FUZZ_RUN,fuzz_control,fuzz/seeds/control)
