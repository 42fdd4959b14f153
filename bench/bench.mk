# bench.mk - benchmarks (included by the Makefile).
#
#   make bench         full size: prints the table, writes bench/results.json (about 4-5 minutes),
#                      then the real-Pacemaker rows where Pacemaker is installed (tests/pacemaker/bench.sh,
#                      about 2 minutes; skipped loudly elsewhere), and the simulator's fidelity table
#                      against it (tests/pacemaker/fidelity.sh, about 2 minutes; skipped loudly elsewhere;
#                      printed, not judged here: make test-fidelity judges it)
#   make bench-smoke   tiny size, for CI: proves every section still works (results in build/)
#   make soak          the agent for SOAK_SECONDS (600) with random SIGKILLs (bench/soak.sh); make bench runs it too
#   make soak-smoke    the same for 60 s (CI)
BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_OBJ := $(BENCH_SRC:%.c=$(BUILD)/%.o)
BENCH_BIN := $(BUILD)/faultline-bench
# Runs each timed child so that its peak RSS is its own (see the file).
RUSAGE_BIN := $(BUILD)/faultline-rusage

.PHONY: bench bench-smoke soak soak-smoke
SOAK_SECONDS ?= 600

$(BENCH_BIN): $(BENCH_OBJ) $(BUILD)/libfaultline.a
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(RUSAGE_BIN): bench/rusage/faultline-rusage.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) $(OPT) -o $@ $<

bench: $(BIN) $(BENCH_BIN) $(RUSAGE_BIN)
	$(BENCH_BIN) --faultline ./$(BIN) --workdir $(BUILD)/bench --json bench/results.json
	bash tests/pacemaker/bench.sh || [ $$? -eq 77 ]
	bash tests/pacemaker/fidelity.sh; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 77 ] || \
		echo "bench: the fidelity check missed a criterion (exit $$rc; table above); make test-fidelity judges it"
	bench/soak.sh $(SOAK_SECONDS) $(BUILD)/soak

soak: $(BIN)
	bench/soak.sh $(SOAK_SECONDS) $(BUILD)/soak

soak-smoke: $(BIN)
	bench/soak.sh 60 $(BUILD)/soak-smoke

bench-smoke: $(BIN) $(BENCH_BIN) $(RUSAGE_BIN)
	$(BENCH_BIN) --smoke --faultline ./$(BIN) --workdir $(BUILD)/bench-smoke --json $(BUILD)/bench-smoke.json

-include $(BENCH_OBJ:.o=.d)
