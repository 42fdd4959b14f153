#!/usr/bin/env bash
# faultline plans through faultline-wsfc.exe under Wine, against the ClusAPI
# test double; part of `make test-wsfc` (tests/wsfc/run.sh sets up Wine).
# usage: plans.sh WINE DIR
# Each plan must pass, and the double's call log must show exactly the
# ClusAPI calls the plan means (flags included): the truth comes from the
# double, not from faultline's own report.
set -euo pipefail
WINE=$1 DIR=$2
LOG=$DIR/plan-calls.log
fails=0

run_plan() { # name, CLUSDOUBLE, plan, then the expected call log lines
	local name=$1 double=$2 plan=$3
	shift 3
	rm -f "$LOG"
	local start=$(date +%s%N) rc=0
	CLUSDOUBLE=$double CLUSDOUBLE_LOG=$LOG timeout 120 ./faultline run --quiet "$plan" \
		--json "$DIR/$name.json" >"$DIR/$name.out" 2>&1 || rc=$?
	local ms=$((($(date +%s%N) - start) / 1000000))
	local want got
	want=$(printf '%s\n' "$@")
	got=$(grep -v '^CreateClusterNotifyPortV2' "$LOG" 2>/dev/null || true)
	local notrec
	notrec=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print(" ".join("%s#%d:%s" % (t["fault"], t["index"] + 1, t["outcome"]) for t in d["trials"] if t["outcome"] != "recovered"))' \
		"$DIR/$name.json" 2>&1 || echo "no report")
	if [ $rc -ne 0 ]; then
		echo "FAIL plan $name: exit $rc (${ms} ms)"
		cat "$DIR/$name.out"
		fails=$((fails + 1))
	elif [ -n "$notrec" ]; then
		echo "FAIL plan $name: trials not recovered although the double recovered: $notrec"
		cat "$DIR/$name.out"
		fails=$((fails + 1))
	elif [ "$got" != "$want" ]; then
		echo "FAIL plan $name: ClusAPI calls differ"
		diff <(echo "$want") <(echo "$got") || true
		fails=$((fails + 1))
	else
		echo "PASS plan $name (${ms} ms)"
	fi
}

SQL="SQL Server (MSSQLSERVER)"
run_plan faults step_ms=30 tests/wsfc/plan-faults.yaml \
	"FailClusterResource $SQL -> 0" \
	"OfflineClusterResourceEx $SQL flags=0x5 -> 997" \
	"OnlineClusterResourceEx $SQL flags=0x0 -> 997" \
	"MoveClusterGroupEx $SQL node=node-b flags=0x6 -> 997" \
	"MoveClusterGroupEx $SQL node=node-a flags=0x0 -> 997"
# the drain targets the group's three resources (three moves, as the plan says); the restore moves it back once
run_plan restore step_ms=30 tests/wsfc/plan-restore.yaml \
	"MoveClusterGroupEx $SQL node=node-b flags=0x2 -> 997" \
	"MoveClusterGroupEx $SQL node=node-b flags=0x2 -> 997" \
	"MoveClusterGroupEx $SQL node=node-b flags=0x2 -> 997" \
	"MoveClusterGroupEx $SQL node=node-a flags=0x0 -> 997"
# bug 3 of issue 13: the notification port breaks for 1.5 s at the first fault; the adapter polls with
# resync, reopens the port; both trials are measured by the probe and close recovered
run_plan outage step_ms=50,outage_on_fail=1500 tests/wsfc/plan-outage.yaml \
	"FailClusterResource $SQL -> 0" \
	"FailClusterResource $SQL -> 0"

# issue 16: node_pause with drain (PauseClusterNodeEx; the double moves both of node-a's groups to node-b),
# then node_resume with immediate failback (ResumeClusterNodeEx; both come back); nothing left to restore
run_plan node step_ms=20 tests/wsfc/plan-node.yaml \
	"PauseClusterNodeEx node-a drain=1 flags=0x0 target=(none) -> 0" \
	"drain $SQL node-a -> node-b" \
	"drain Available Storage node-a -> node-b" \
	"ResumeClusterNodeEx node-a failback=1 -> 0" \
	"failback $SQL node-b -> node-a" \
	"failback Available Storage node-b -> node-a"
# the same with the pause's first 21 changes lost (node-a paused, the whole SQL Server move and the Available
# Storage move), then CLUSTER_LOST_NOTIFICATIONS_V2: the adapter says resync, both group trials go blind and
# close when a read shows their group online (Available Storage is a group, not a resource: read as a group)
run_plan node-lost step_ms=20,lose_on_pause=21 tests/wsfc/plan-node.yaml \
	"PauseClusterNodeEx node-a drain=1 flags=0x0 target=(none) -> 0" \
	"drain $SQL node-a -> node-b" \
	"drain Available Storage node-a -> node-b" \
	"ResumeClusterNodeEx node-a failback=1 -> 0" \
	"failback $SQL node-b -> node-a" \
	"failback Available Storage node-b -> node-a"
# the plan leaves node-a paused and drained: the restore resumes it (no failback), then moves each group back once
run_plan node-restore step_ms=20 tests/wsfc/plan-node-restore.yaml \
	"PauseClusterNodeEx node-a drain=1 flags=0x0 target=(none) -> 0" \
	"drain $SQL node-a -> node-b" \
	"drain Available Storage node-a -> node-b" \
	"ResumeClusterNodeEx node-a failback=0 -> 0" \
	"MoveClusterGroupEx $SQL node=node-a flags=0x0 -> 997" \
	"MoveClusterGroupEx Available Storage node=node-a flags=0x0 -> 997"

[ $fails -eq 0 ] && echo "all plans passed" || { echo "$fails plan(s) failed"; exit 1; }
