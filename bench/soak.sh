#!/usr/bin/env bash
# soak.sh - the agent for real, for a bounded time, with random SIGKILLs.
#
#   bench/soak.sh [SECONDS] [WORKDIR]     (make soak: 600 s; make soak-smoke: 60 s)
#
# 20 plans on 4 simulated clusters (`faultline sim-adapter --listen`, each
# reached through the exec backend), every plan `@every 3s`..`10s`, queued
# per cluster. While it runs: a random child run is SIGKILLed every 4-10 s,
# and the agent itself every SECONDS/5 in the first half (then started again on the same
# state directory: it must adopt what its runs left). The agent's RSS and
# open descriptors are sampled every 2 s. At the end (SIGTERM, then waiting
# for every run the killed agents left behind) it checks, and prints:
#   - faults left: every resource of every cluster online on its node n1;
#   - `faultline restore` finds nothing to restore;
#   - stray processes: none of ours left but the cluster servers;
#   - every plan completed at least once (a results file);
#   - RSS and fds over the longest agent life (after a 20 s warm-up): at rest
#     (lowest of the first and last thirds) and the slope of every sample.
# Exit 0 only if all of that holds (RSS growth < 1 MiB, fds flat). RSS and
# fds are judged only over a measured agent life of at least 60 s: the
# 1-minute smoke's longest life (the agent is killed twice in its first
# half) gives ~12 s, in which runs in flight never let the agent rest and
# a "trend" is noise (CI once read fds 19 -> 22 over 12 s); `make soak`
# (10 minutes) judges them.
set -u
SECS=${1:-600}
WORK=${2:-build/soak}
BIN=$(realpath "${FAULTLINE_BIN:-./faultline}")
TOPO=$(realpath bench/soak-cluster.yaml)
CLUSTERS=4
PLANS=20
rm -rf "$WORK"
mkdir -p "$WORK/plans" "$WORK/state"
WORK=$(realpath "$WORK")
LOG="$WORK/agent.log"
SAMPLES="$WORK/samples"
: >"$SAMPLES"
RANDOM=18 # the same kills every time

say() { printf 'soak: %s\n' "$*"; }

# ---- clusters and plans ----
ADAPTERS=()
for c in $(seq 1 $CLUSTERS); do
	"$BIN" sim-adapter "$TOPO" --no-endpoints --listen "$WORK/c$c.sock" >"$WORK/c$c.log" 2>&1 &
	ADAPTERS+=($!)
done
for c in $(seq 1 $CLUSTERS); do
	for i in $(seq 1 50); do [ -S "$WORK/c$c.sock" ] && break; sleep 0.1; done
done
for p in $(seq 1 $PLANS); do
	c=$(((p - 1) % CLUSTERS + 1))
	every=$((3 + (p * 7) % 8))
	name=$(printf 'p%02d' "$p")
	sed -e "s|@BIN@|$BIN|" -e "s|@SOCKET@|$WORK/c$c.sock|" -e "s|^name: .*|name: $name|" \
		tests/crash/realtime.yaml.in >"$WORK/plans/$name.yaml"
	printf "schedule: { cron: '@every %ds', concurrency: queue }\n" "$every" >>"$WORK/plans/$name.yaml"
done

# ---- the agent ----
AGENT=0
LIFE=0
start_agent() {
	LIFE=$((LIFE + 1))
	"$BIN" agent --plans "$WORK/plans" --state "$WORK/state" --metrics off --keep-runs 0 \
		--stop-timeout 30s >>"$LOG" 2>&1 &
	AGENT=$!
}
children() { pgrep -P "$AGENT" -f ' run ' 2>/dev/null; }

start_agent
T0=$(date +%s)
END=$((T0 + SECS))
NEXT_CHILD_KILL=$((T0 + 4 + RANDOM % 7))
AGENT_KILL_EVERY=$((SECS / 5 > 12 ? SECS / 5 : 12))
NEXT_AGENT_KILL=$((T0 + AGENT_KILL_EVERY))
CHILD_KILLS=0
AGENT_KILLS=0
while [ "$(date +%s)" -lt "$END" ]; do
	now=$(date +%s)
	if [ -r "/proc/$AGENT/status" ]; then
		rss=$(awk '/^VmRSS/ {print $2}' "/proc/$AGENT/status")
		fds=$(ls "/proc/$AGENT/fd" 2>/dev/null | wc -l)
		echo "$LIFE $((now - T0)) $rss $fds" >>"$SAMPLES"
	fi
	if [ "$now" -ge "$NEXT_CHILD_KILL" ]; then
		kids=($(children))
		if [ ${#kids[@]} -gt 0 ]; then
			kill -KILL "${kids[$((RANDOM % ${#kids[@]}))]}" 2>/dev/null && CHILD_KILLS=$((CHILD_KILLS + 1))
		fi
		NEXT_CHILD_KILL=$((now + 4 + RANDOM % 7))
	fi
	# Agent kills in the first half only: the second half is one long life to measure.
	if [ "$now" -ge "$NEXT_AGENT_KILL" ] && [ "$((now - T0))" -lt "$((SECS / 2))" ]; then
		kill -KILL "$AGENT" 2>/dev/null
		wait "$AGENT" 2>/dev/null
		AGENT_KILLS=$((AGENT_KILLS + 1))
		echo "soak: ---- agent SIGKILLed at $((now - T0)) s ----" >>"$LOG"
		start_agent
		NEXT_AGENT_KILL=$((now + AGENT_KILL_EVERY))
	fi
	sleep 2
done

# ---- stop, and wait for what the killed agents left running ----
kill -TERM "$AGENT"
for i in $(seq 1 400); do kill -0 "$AGENT" 2>/dev/null || break; sleep 0.1; done
wait "$AGENT"
AGENT_RC=$?
ours() { pgrep -f -- "$WORK" | grep -v -e "^$$\$" $(printf -- '-e ^%s$ ' "${ADAPTERS[@]}"); }
for i in $(seq 1 300); do [ -z "$(ours)" ] && break; sleep 0.1; done
STRAYS=$(ours | wc -l)
[ "$STRAYS" -gt 0 ] && ps -o pid,args -p "$(ours | paste -sd,)" | sed 's/^/soak: stray: /'

# ---- checks ----
"$BIN" restore --state "$WORK/state" >"$WORK/restore.out" 2>&1
RESTORE_RC=$?
FAULTS=0
for c in $(seq 1 $CLUSTERS); do
	list=$(echo '{"id":1,"op":"list"}' | timeout 5 "$BIN" sim-adapter --connect "$WORK/c$c.sock" | grep '"id":1')
	n=$(printf '%s' "$list" | python3 -c '
import json, sys
r = json.loads(sys.stdin.read())["resources"]
print(sum(1 for x in r if x["state"] != "online" or x["owner"] != "n1"))')
	FAULTS=$((FAULTS + n))
done
kill -TERM "${ADAPTERS[@]}" 2>/dev/null
wait "${ADAPTERS[@]}" 2>/dev/null
RUNS=$(ls "$WORK/state/results/"*.json 2>/dev/null | wc -l)
NEVER=0
MINRUNS=999999
for p in $(seq 1 $PLANS); do
	n=$(ls "$WORK/state/results/$(printf 'p%02d' "$p")"-*.json 2>/dev/null | wc -l)
	[ "$n" -eq 0 ] && NEVER=$((NEVER + 1))
	[ "$n" -lt "$MINRUNS" ] && MINRUNS=$n
done
CRASHED_RESTORED=$(grep -c 'restored; runs may start there again' "$LOG")
ORPHAN_WAITS=$(grep -c 'locked by another process' "$LOG")

# Slope over the longest agent life, after 20 s of warm-up: least squares in kB/h and fds/h.
read -r LONGEST RSS0 RSS1 RSS_SLOPE FD0 FD1 FD_SLOPE SPAN <<<"$(python3 - "$SAMPLES" <<'EOF'
import sys, collections
lives = collections.defaultdict(list)
for line in open(sys.argv[1]):
    life, t, rss, fds = map(int, line.split())
    lives[life].append((t, rss, fds))
life, s = max(lives.items(), key=lambda kv: kv[1][-1][0] - kv[1][0][0])
s = [x for x in s if x[0] - s[0][0] >= 20] or s
def slope(i):
    n = len(s); mt = sum(x[0] for x in s) / n; mv = sum(x[i] for x in s) / n
    d = sum((x[0] - mt) ** 2 for x in s)
    return 0.0 if d == 0 else sum((x[0] - mt) * (x[i] - mv) for x in s) / d * 3600
# RSS and descriptors move with the runs in flight (a child's pipes, its events): "at rest" is the
# lowest sample of the first and of the last third.
k = max(1, len(s) // 3)
rss0, rss1 = min(x[1] for x in s[:k]), min(x[1] for x in s[-k:])
fd0, fd1 = min(x[2] for x in s[:k]), min(x[2] for x in s[-k:])
print(life, rss0, rss1, round(slope(1), 1), fd0, fd1, round(slope(2), 2), s[-1][0] - s[0][0])
EOF
)"

say "$SECS s, $PLANS plans on $CLUSTERS clusters: $RUNS runs reported; $CHILD_KILLS child runs and $AGENT_KILLS agents SIGKILLed"
say "crashed-run restores by the agent: $CRASHED_RESTORED; clusters held for an orphan at start-up: $ORPHAN_WAITS"
say "faults left on the clusters: $FAULTS; faultline restore afterwards: exit $RESTORE_RC ($(tail -n 1 "$WORK/restore.out"))"
say "stray processes: $STRAYS; agent exit on SIGTERM: $AGENT_RC"
say "plans never completed: $NEVER of $PLANS (fewest runs of a plan: $MINRUNS)"
say "agent life $LONGEST ($SPAN s measured): RSS at rest $RSS0 -> $RSS1 kB (least-squares slope of every sample $RSS_SLOPE kB/h); open fds at rest $FD0 -> $FD1 (slope $FD_SLOPE /h)"
RSS_GROWTH=$((RSS1 - RSS0))
OK=1
[ "$FAULTS" -eq 0 ] || OK=0
[ "$RESTORE_RC" -eq 0 ] || OK=0
[ "$STRAYS" -eq 0 ] || OK=0
[ "$NEVER" -eq 0 ] || OK=0
[ "$AGENT_RC" -eq 0 ] || OK=0
MIN_SPAN=60
if [ "$SPAN" -ge "$MIN_SPAN" ]; then
	[ "$RSS_GROWTH" -lt 1024 ] || OK=0
	[ "$FD1" -le "$FD0" ] || OK=0
else
	say "RSS and fd trend NOT judged: the longest agent life was measured for $SPAN s (< $MIN_SPAN s); make soak judges them"
fi
if [ "$OK" -eq 1 ]; then say "PASS"; else say "FAIL (log: $LOG)"; exit 1; fi
