#!/bin/bash
# bench.sh - the accuracy bench's real-Pacemaker rows (a step of `make
# bench`): on the two-node cluster (2node/up.sh), 2node/bench.yaml fails
# fl-r1 30 times; each recovery faultline's cluster probe measured is
# compared with the node's own log of that start's result (bench_truth.py),
# with CIB notifications and then polling. Does not install anything: where
# Pacemaker is not installed it says so loudly and exits 77.
# Writes build/pcmk-bench.json. Exit: 0 ran, 1 failed, 77 SKIPPED.
set -uo pipefail
cd "$(dirname "$0")/../.."
DIR=${PCMK2_DIR:-$PWD/build/pcmk-bench}
H=tests/pacemaker/2node
skip() {
	printf '\n!!!! SKIPPED: the real-Pacemaker accuracy rows were NOT measured: %s !!!!\n\n' "$*" >&2
	exit 77
}
for b in corosync pacemakerd crm_mon python3 ip unshare nsenter; do
	command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || skip "$b is not installed (make test-pacemaker installs it)"
done
[ "$(id -u)" -eq 0 ] || skip "needs root"
mkdir -p "$DIR"
trap '$H/down.sh "$DIR" >/dev/null' EXIT
$H/up.sh "$DIR" >"$DIR/up.out" 2>&1
rc=$?
[ $rc -eq 77 ] && skip "$(tail -1 "$DIR/up.out")"
[ $rc -eq 0 ] || { cat "$DIR/up.out"; echo "bench.sh: up.sh exit $rc" >&2; exit 1; }
out=build/pcmk-bench.json
echo "{" >"$out"
for mode in notifications polling; do
	poll=0
	[ $mode = polling ] && poll=1
	FAULTLINE_PCMK_POLL=$poll $H/nx.sh "$DIR" 1 timeout 200 ./faultline run "$H/bench.yaml" \
		--json "$DIR/$mode.json" >"$DIR/$mode.out" 2>&1 || { cat "$DIR/$mode.out"; exit 1; }
	printf 'real Pacemaker, two nodes, %-13s ' "$mode:"
	python3 tests/pacemaker/bench_truth.py "$DIR/$mode.json" "$DIR/n2/log-pcmk/pacemaker.log" fl-r1 fl-node2 \
		>"$DIR/$mode.truth" || exit 1
	head -1 "$DIR/$mode.truth"
	printf '  "%s": %s%s\n' "$mode" "$(tail -1 "$DIR/$mode.truth")" "$([ $mode = notifications ] && echo ,)" >>"$out"
done
echo "}" >>"$out"
echo "(written to $out)"
