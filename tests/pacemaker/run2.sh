#!/bin/bash
# run2.sh - faultline against a genuine two-node Pacemaker cluster (`make
# test-pacemaker-2node`, and the second half of `make test-pacemaker`).
# Brings up 2node/up.sh (two nodes in network + mount + UTS namespaces, a
# group with an IPaddr2 virtual IP and a TCP service on it), runs every
# faultline command inside node 1's namespaces, and asserts from the CIB
# itself (cibsnap.py: constraints, meta attributes, fail counts, node
# attributes, placement) that each run leaves it exactly as it found it:
#   restart-failover.yaml  fail -> restart; fail at migration-threshold=1 -> failover
#   offline.yaml           offline with each accepted flag (+ online_after);
#                          do_not_update_persistent_state stops, never moves
#   move-stays.yaml        move to a named node; migration-threshold stop ->
#                          stays_failed, the next trial refused at once
#   crash.yaml             SIGKILL of `faultline run --state` at every kill
#                          point, then `faultline restore`: CIB diff empty
#   node-pause.yaml        node_pause (drain) = standby, node_resume: fl-web
#                          leaves fl-node1 and comes back; standby undone
#   node-crash.yaml        a real node crash (2node/node-kill.sh, run from
#                          fl-node2): fl-web fails over to fl-node2 (seen in
#                          fl-node2's crm_mon), node-start.sh brings fl-node1
#                          back, the restore puts fl-web back: CIB diff empty
#   node-crash.yaml again  `faultline run --state` SIGKILLed while fl-node1 is
#                          down; `faultline restore --state` brings fl-node1
#                          back (the journaled node_up_command) and fl-web
#                          with it: CIB diff empty, both nodes online
#   node-both-down.yaml    the run-time quorum guard: crash fl-node1 (allowed:
#                          two_node keeps quorum with one node), then fl-node2
#                          (refused: no vote would be left; corosync's count,
#                          read before each node_down); restore: CIB diff empty
# Tears down by PID (2node/down.sh, also on failure).
# Exit: 0 passed, 1 failed, 77 SKIPPED (this machine cannot run it).
set -uo pipefail
cd "$(dirname "$0")/../.."
DIR=${PCMK2_DIR:-$PWD/build/pcmk-2node}
H=tests/pacemaker/2node
SKIP=77
T0=$(date +%s)
skip() {
	printf '\n!!!! SKIPPED: the two-node Pacemaker test did NOT run: %s !!!!\n\n' "$*" >&2
	exit $SKIP
}
fail() {
	echo "FAIL (two nodes): $*" >&2
	exit 1
}
for b in corosync pacemakerd crm_mon jq python3 ip unshare nsenter; do
	command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || skip "$b is not installed (tests/pacemaker/run.sh installs it)"
done
[ -x ./faultline ] || fail "./faultline not built"
mkdir -p "$DIR"
trap '$H/down.sh "$DIR"' EXIT
echo $$ >"$DIR/host.pid" # the namespaces node-kill.sh / node-start.sh act from
export PCMK2_DIR=$DIR
$H/up.sh "$DIR"
rc=$?
[ $rc -eq $SKIP ] && skip "up.sh could not start two nodes (see above)"
[ $rc -eq 0 ] || fail "up.sh exit $rc"
nx() { $H/nx.sh "$DIR" 1 "$@"; }
snap() { nx python3 tests/pacemaker/cibsnap.py snap "$1" || fail "cibsnap snap $1"; }
same_cib() { # what
	snap "$DIR/after.json"
	python3 tests/pacemaker/cibsnap.py diff "$DIR/before.json" "$DIR/after.json" ||
		fail "$1: the CIB differs from the snapshot before the run (above)"
}
snap "$DIR/before.json"

plan() { # name expected-exit [node to run faultline on]
	local json=$DIR/$1.json code
	echo "---- two nodes: $1"
	$H/nx.sh "$DIR" "${3:-1}" timeout 150 ./faultline run "$H/$1.yaml" --json "$json" >"$DIR/$1.out" 2>&1
	code=$?
	[ "$code" -eq "$2" ] || { cat "$DIR/$1.out"; fail "$1: faultline run exit $code, expected $2"; }
	jq -e '(.restore | length) > 0 and all(.restore[]; .ok)' "$json" >/dev/null ||
		fail "$1: restore: $(jq -c .restore "$json")"
	same_cib "$1"
}
trials() { jq -c "[.trials[] | $2]" "$DIR/$1.json"; }
want() { # plan jq-filter-on-trials expected what
	local got
	got=$(trials "$1" "$2")
	[ "$got" = "$3" ] || fail "$1: $4: got $got, expected $3"
}

plan restart-failover 0
want restart-failover '{o: .outcome, c: .cluster_outcome, n: .node_after}' \
	'[{"o":"recovered","c":"restart","n":"fl-node2"},{"o":"recovered","c":"failover","n":"fl-node2"}]' \
	"fail -> restart, fail at migration-threshold=1 -> failover"

plan offline 0
want offline '{f: .fault, o: .outcome, before: .node_before, after: .node_after, fo: .failovers}' \
	'[{"f":"off-plain","o":"recovered","before":"fl-node2","after":"fl-node2","fo":0},{"f":"off-dnups","o":"recovered","before":"fl-node2","after":"fl-node2","fo":0},{"f":"off-irs","o":"recovered","before":"fl-node1","after":"fl-node1","fo":0}]' \
	"offline with each flag, back where it was"
# stopped where it ran, never started elsewhere: fl-r1 is never seen on fl-node1
[ "$(jq '[.events[] | select(.resource == "fl-r1" and .node == "fl-node1")] | length' "$DIR/offline.json")" -eq 0 ] ||
	fail "offline: do_not_update_persistent_state moved fl-r1: $(jq -c '[.events[] | select(.resource == "fl-r1")]' "$DIR/offline.json")"

# exit 1: fail-solo #1 does not recover (it is not meant to), #2 cannot be injected
plan move-stays 1
want move-stays '{o: .outcome, c: .cluster_outcome}' \
	'[{"o":"recovered","c":"failover"},{"o":"not_recovered","c":"stays_failed"},{"o":"inject_failed","c":"none"}]' \
	"move, then migration-threshold stop"
jq -e '.slos[] | select(.name == "solo-stays-failed") | .verdict == "pass"' "$DIR/move-stays.json" >/dev/null ||
	fail "move-stays: expect stays_failed: $(jq -c .slos "$DIR/move-stays.json")"
# refused as soon as the first trial closed, not held to run.deadline
jq -e '.trials[2].closed_at - .trials[1].closed_at < 2000' "$DIR/move-stays.json" >/dev/null ||
	fail "move-stays: the refused trial was held: $(jq -c '[.trials[] | .closed_at]' "$DIR/move-stays.json")"

# The crash test's kill points (tests/test_crash.c), at each of crash.yaml's injections.
points="run-start:1"
for i in 1 2 3 4; do points="$points before-intent:$i intent:$i injected:$i"; done
points="$points restore-undo:1 restore-action:1 restored:1"
n=0
for kp in $points; do
	st=$DIR/state-${kp/:/-}
	rm -rf "$st"
	FAULTLINE_TEST_KILL_AT=$kp nx timeout 150 ./faultline run "$H/crash.yaml" --state "$st" >"$st.run.out" 2>&1
	code=$?
	# 137: killed there; 0: that point never came (e.g. nothing left for a restore action)
	[ "$code" -eq 137 ] || [ "$code" -eq 0 ] || { cat "$st.run.out"; fail "kill at $kp: run exit $code"; }
	nx timeout 150 ./faultline restore --state "$st" >"$st.restore.out" 2>&1 ||
		{ cat "$st.restore.out"; fail "kill at $kp: faultline restore exit $?"; }
	same_cib "kill at $kp (run exit $code)"
	n=$((n + 1))
	echo "  kill at $kp: run exit $code, restore verified, CIB identical"
done
# and `faultline restore` itself killed in its corrective move (the group
# on fl-node2 since move-web, killed before the 4th injection), then run again
st=$DIR/state-restore-killed
rm -rf "$st"
FAULTLINE_TEST_KILL_AT=before-intent:4 nx timeout 150 ./faultline run "$H/crash.yaml" --state "$st" >"$st.run.out" 2>&1
FAULTLINE_TEST_KILL_AT=restore-action:1 nx timeout 150 ./faultline restore --state "$st" >"$st.restore1.out" 2>&1
code=$?
[ "$code" -eq 137 ] || { cat "$st.restore1.out"; fail "restore killed in its move back: exit $code, expected 137"; }
nx timeout 150 ./faultline restore --state "$st" >"$st.restore.out" 2>&1 ||
	{ cat "$st.restore.out"; fail "restore after a killed restore: exit $?"; }
same_cib "restore killed at restore-action:1, then restore"
echo "  restore killed at restore-action:1, restored again: CIB identical"
echo "two-node crash test: $n kill points, CIB identical to the snapshot after each restore"

# node_pause with drain = standby: fl-web leaves fl-node1, the restore brings it back
T1=$(date +%s)
plan node-pause 0
want node-pause '{f: .fault, o: .outcome, before: .node_before, after: .node_after}' \
	'[{"f":"pause-n1","o":"recovered","before":"fl-node1","after":"fl-node2"},{"f":"resume-n1","o":"recovered","before":"fl-node1","after":"fl-node1"}]' \
	"standby moves fl-web to fl-node2"
echo "  node pause/resume: $(($(date +%s) - T1)) s"

# A real node crash, observed from the node that survives: fl-node2's crm_mon
# every 0.3 s while faultline (also on fl-node2) crashes fl-node1 and starts it again.
T1=$(date +%s)
: >"$DIR/watch2.txt"
touch "$DIR/watching"
(
	while [ -f "$DIR/watching" ]; do
		$H/nx.sh "$DIR" 2 timeout 5 crm_mon -1 --output-as=xml 2>/dev/null | python3 -c '
import sys, xml.etree.ElementTree as ET
m = ET.fromstring(sys.stdin.read())
n1 = [n.get("online") for n in m.iter("node") if n.get("name") == "fl-node1"]
web = [r.findall("node")[0].get("name") for r in m.iter("resource")
       if r.get("id") == "fl-svc" and r.get("role") == "Started" and r.findall("node")]
print("fl-node1-online=%s fl-web-on=%s" % (n1[0] if n1 else "?", web[0] if web else "-"))' >>"$DIR/watch2.txt" 2>/dev/null
		sleep 0.3
	done
) &
WATCH=$!
plan node-crash 0 2
rm -f "$DIR/watching"
wait $WATCH
want node-crash '{f: .fault, o: .outcome, c: .cluster_outcome, before: .node_before, after: .node_after}' \
	'[{"f":"crash-n1","o":"recovered","c":"failover","before":"fl-node1","after":"fl-node2"},{"f":"up-n1","o":"recovered","c":"none","before":"fl-node1","after":"fl-node1"}]' \
	"node crash: fl-web fails over to fl-node2"
grep -q 'fl-node1-online=false fl-web-on=fl-node2' "$DIR/watch2.txt" ||
	fail "node-crash: fl-node2's crm_mon never showed fl-node1 offline with fl-web on fl-node2: $(sort "$DIR/watch2.txt" | uniq -c)"
echo "  node crash: fl-node2 saw: $(uniq "$DIR/watch2.txt" | tr '\n' ';')"
echo "  node crash: recovery $(jq -c '[.trials[] | {f: .fault, recovery_ms: .recovery_ms}]' "$DIR/node-crash.json"), $(($(date +%s) - T1)) s"

# The same crash with faultline SIGKILLed right after it (the node_down's
# INJECTED record: fl-node1 is down, fl-web on fl-node2): only the journal
# knows how to bring fl-node1 back. Run from fl-node2, like the plan above.
T1=$(date +%s)
st=$DIR/state-node-crash
rm -rf "$st"
FAULTLINE_TEST_KILL_AT=injected:1 $H/nx.sh "$DIR" 2 timeout 150 ./faultline run "$H/node-crash.yaml" --state "$st" \
	>"$st.run.out" 2>&1
code=$?
[ "$code" -eq 137 ] || { cat "$st.run.out"; fail "node crash killed after node_down: run exit $code, expected 137"; }
nodes_online() { # node: "fl-node1=true fl-node2=true" as that node's crm_mon sees them
	$H/nx.sh "$DIR" "$1" timeout 10 crm_mon -1 --output-as=xml 2>/dev/null | python3 -c '
import sys, xml.etree.ElementTree as ET
m = ET.fromstring(sys.stdin.read())
print(" ".join("%s=%s" % (n.get("name"), n.get("online")) for n in sorted(m.find("nodes"), key=lambda n: n.get("name"))))'
}
# control: the kill left the fault in place (fl-node2 notices within corosync's token timeout)
for _ in $(seq 1 60); do
	[ "$(nodes_online 2)" = "fl-node1=false fl-node2=true" ] && break
	sleep 0.5
done
[ "$(nodes_online 2)" = "fl-node1=false fl-node2=true" ] ||
	fail "node crash killed after node_down: expected fl-node1 down, crm_mon on fl-node2 says: $(nodes_online 2)"
$H/nx.sh "$DIR" 2 timeout 150 ./faultline restore --state "$st" >"$st.restore.out" 2>&1 ||
	{ cat "$st.restore.out"; fail "node crash killed after node_down: faultline restore exit $?"; }
grep -q 'restore node "fl-node1": node up: accepted' "$st.restore.out" ||
	{ cat "$st.restore.out"; fail "node crash killed after node_down: the restore did not start fl-node1"; }
grep -q 'RESTORED .* "node fl-node1" 1 "verified: up' <($H/nx.sh "$DIR" 2 ./faultline restore --state "$st" --show) ||
	fail "node crash killed after node_down: no verified RESTORED for fl-node1 in the journal"
same_cib "node crash killed after node_down, then restore"
[ "$(nodes_online 1)" = "fl-node1=true fl-node2=true" ] ||
	fail "node crash killed after node_down: after the restore crm_mon on fl-node1 says: $(nodes_online 1)"
echo "  node crash, run killed while fl-node1 was down: restore brought it and fl-web back, CIB identical ($(($(date +%s) - T1)) s)"

# The run-time quorum guard: crash fl-node1, then ask for fl-node2 too. The
# first is allowed (two_node: 1 vote of 2 is quorate), the second refused
# from corosync's own count, and nothing of fl-node2 is touched.
T1=$(date +%s)
plan node-both-down 1 2
want node-both-down '{f: .fault, o: .outcome, c: .cluster_outcome}' \
	'[{"f":"crash-n1","o":"recovered","c":"failover"},{"f":"crash-n2","o":"inject_failed","c":"none"}]' \
	"the first node crash is allowed, the second refused"
guard='quorum guard: with node "fl-node2" down only 0 of 2 quorum votes remain, 1 needed (the cluster'"'"'s own count, two_node): the cluster would lose quorum (guards.allow_quorum_loss: true allows it)'
[ "$(jq -r '.trials[1].error' "$DIR/node-both-down.json")" = "$guard" ] ||
	fail "node-both-down: the second crash was not refused by the quorum guard: $(jq -c '.trials[1]' "$DIR/node-both-down.json")"
echo "  quorum guard: fl-node1 crash allowed, fl-node2 crash refused, restored: $(($(date +%s) - T1)) s"
echo "two-node Pacemaker: PASSED in $(($(date +%s) - T0)) s"
