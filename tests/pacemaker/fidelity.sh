#!/bin/bash
# fidelity.sh - the simulator's fidelity against the real two-node Pacemaker
# (`make test-fidelity`, and a step of `make bench`; issue 14). On the
# cluster of 2node/up.sh it runs 2node/fidelity-once.yaml and right after it
# 2node/fidelity.yaml: fail -> restart, fail at migration-threshold=1 ->
# failover, move, offline plain / do_not_update_persistent_state /
# ignore_resource_status / both, and a migration-threshold stop, each
# repeated fault twice its trials. Run A is the odd trials of each fault of
# fidelity.yaml's run, run B the even ones and fidelity-once.yaml's (the
# faults that run once per run): the two halves interleaved in time, so a
# change of the machine's load between them does not pass for the
# simulator's error. Then `faultline calibrate --trials odd`s
# 2node/topology.yaml (the same cluster, policy: pacemaker) from run A,
# runs both plans (cluster section swapped by --set) against the simulator
# in virtual time with FIDELITY_SEEDS seeds, and compares with run B
# (fidelity.py): outcomes identical per trial (every real trial), median
# recovery per fault within 10 % of run B's. Takes
# /tmp/faultline-pacemaker.lock around the cluster.
# FIDELITY_GATE=all (the default) gates both; FIDELITY_GATE=outcomes (CI,
# .ci/run) gates the outcomes and the medians of the faults listed in
# FIDELITY_GATE_MEDIANS (comma-separated: those repeated runs showed
# reliable) and prints every other median's verdict loudly
# (docs/simulator.md, "Fidelity": which, and why).
# Exit: 0 passed, 1 failed, 77 SKIPPED (this machine cannot run it).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
DIR=${PCMK2_DIR:-$PWD/build/pcmk-fidelity}
H=tests/pacemaker/2node
SEEDS=${FIDELITY_SEEDS:-25}
GATE=${FIDELITY_GATE:-all}
GATE_MEDIANS=${FIDELITY_GATE_MEDIANS:-}
T0=$(date +%s)
skip() {
	printf '\n!!!! SKIPPED: the fidelity check against a real Pacemaker did NOT run: %s !!!!\n\n' "$*" >&2
	exit 77
}
fail() {
	echo "FAIL (fidelity): $*" >&2
	exit 1
}
for b in corosync pacemakerd crm_mon jq python3 ip unshare nsenter flock; do
	command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || skip "$b is not installed (make test-pacemaker installs it)"
done
[ "$(id -u)" -eq 0 ] || skip "needs root"
[ -x ./faultline ] || fail "./faultline not built"
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
rm -f "$DIR"/*.json "$DIR"/*.out "$DIR"/calibrated.yaml
exec 9>/tmp/faultline-pacemaker.lock
flock -w 900 9 || skip "another cluster test held /tmp/faultline-pacemaker.lock for 15 minutes"
[ $(($(date +%s) - T0)) -gt 1 ] && echo "fidelity: waited $(($(date +%s) - T0)) s for /tmp/faultline-pacemaker.lock"
T0=$(date +%s)
trap '$H/down.sh "$DIR" >"$DIR/down.out" 2>&1' EXIT
$H/up.sh "$DIR" >"$DIR/up.out" 2>&1
rc=$?
[ $rc -eq 77 ] && skip "$(tail -1 "$DIR/up.out")"
[ $rc -eq 0 ] || { cat "$DIR/up.out"; fail "up.sh exit $rc"; }
echo "fidelity: two-node cluster up in $(($(date +%s) - T0)) s"
# fidelity-once first: its move-web and fail-svc (run B) just before fidelity.yaml's (run A)
for plan in fidelity-once fidelity; do
	t=$(date +%s)
	$H/nx.sh "$DIR" 1 timeout 300 ./faultline run --quiet "$H/$plan.yaml" --json "$DIR/real-$plan.json" \
		>"$DIR/real-$plan.out" 2>&1
	code=$?
	# exit 1: fail-solo is not meant to recover
	[ $code -eq 0 ] || [ $code -eq 1 ] || { cat "$DIR/real-$plan.out"; fail "$plan: faultline run exit $code"; }
	jq -e '(.restore | length) > 0 and all(.restore[]; .ok)' "$DIR/real-$plan.json" >/dev/null ||
		fail "$plan: restore: $(jq -c .restore "$DIR/real-$plan.json")"
	echo "fidelity: real run of $plan.yaml in $(($(date +%s) - t)) s"
done
$H/down.sh "$DIR" >"$DIR/down.out" 2>&1 || fail "down.sh: $(cat "$DIR/down.out")"
trap - EXIT
flock -u 9
./faultline calibrate "$H/topology.yaml" "$DIR/real-fidelity.json" --trials odd -o "$DIR/calibrated.yaml" \
	>"$DIR/calibrate.out" 2>&1 ||
	{ cat "$DIR/calibrate.out"; fail "faultline calibrate"; }
sims=()
for seed in $(seq 1 "$SEEDS"); do
	for plan in fidelity fidelity-once; do
		./faultline run --quiet --virtual-time --seed "$seed" --set cluster.backend=sim \
			--set cluster.topology="$DIR/calibrated.yaml" --json "$DIR/sim-$seed-$plan.json" "$H/$plan.yaml" \
			>"$DIR/sim-$seed-$plan.out" 2>&1
		code=$?
		[ $code -eq 0 ] || [ $code -eq 1 ] ||
			{ cat "$DIR/sim-$seed-$plan.out"; fail "simulator, $plan.yaml, seed $seed: exit $code"; }
	done
	sims+=("$DIR/sim-$seed-fidelity.json+$DIR/sim-$seed-fidelity-once.json")
done
echo "fidelity: real two-node Pacemaker (run B: even trials) vs the simulator calibrated from run A (odd trials):"
python3 tests/pacemaker/fidelity.py --gate "$GATE" --gate-medians "$GATE_MEDIANS" \
	"$DIR/real-fidelity.json+$DIR/real-fidelity-once.json" "${sims[@]}" | tee "$DIR/table.txt"
rc=${PIPESTATUS[0]}
echo "fidelity: $(($(date +%s) - T0)) s in all (calibration: $DIR/calibrate.out)"
exit "$rc"
