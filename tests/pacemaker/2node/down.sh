#!/bin/bash
# down.sh DIR - stop exactly what up.sh started, by recorded PID: each node's
# pacemakerd (it stops the resources first), its surviving children, its
# corosync, the node.sh holding its namespaces; then whatever still runs in
# the network namespaces up.sh created (only our processes can be there),
# then the namespaces themselves. Safe to run twice and after a failed up.sh.
DIR=${1:?usage: down.sh DIR}
gone() { # pid seconds
	local n=$(($2 * 10))
	while [ $n -gt 0 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	! kill -0 "$1" 2>/dev/null
}
is() { grep -qa "$2" "/proc/$1/cmdline" 2>/dev/null; }
stop_pcmk() { # node
	local R=$DIR/n$1/run P kids c
	P=$(cat "$R/pacemakerd.pid" 2>/dev/null) || return 0
	if is "$P" pacemakerd; then
		kids=$(ps -o pid= --ppid "$P")
		kill -TERM "$P"
		gone "$P" 30 || { echo "down: node $1: pacemakerd $P did not stop, SIGKILL"; kill -KILL "$P"; }
		for c in $kids; do is "$c" pacemaker && { kill -TERM "$c"; gone "$c" 10 || kill -KILL "$c"; }; done
	fi
	rm -f "$R/pacemakerd.pid"
}
# both pacemakerds at once: each waits for its peer's shutdown otherwise
stop_pcmk 1 &
stop_pcmk 2 &
wait
for I in 1 2; do
	R=$DIR/n$I/run
	C=$(cat "$R/corosync.pid" 2>/dev/null) && is "$C" corosync && { kill -TERM "$C"; gone "$C" 20 || kill -KILL "$C"; }
	N=$(cat "$DIR/node$I.pid" 2>/dev/null) && { gone "$N" 5 || kill -KILL "$N"; }
done
for ns in fl-n1 fl-n2; do
	for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
done
for ns in fl-n1 fl-n2 fl-br; do ip netns del "$ns" 2>/dev/null; done
rm -f "$DIR"/n?/run/corosync.pid "$DIR"/node?.pid
echo "down: stopped what up.sh started (two nodes)"
