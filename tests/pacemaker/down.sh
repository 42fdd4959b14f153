#!/bin/bash
# down.sh RUNDIR - stop exactly what up.sh started, by the PIDs it recorded
# (never by name). pacemakerd on SIGTERM stops every resource and its child
# daemons (2-5 s); it is SIGKILLed after a timeout, then any recorded child
# that survived, then corosync. Safe to run twice and after a failed up.sh.
RUN=${1:?usage: down.sh RUNDIR}

gone() { # pid seconds
	local n=$(($2 * 10))
	while [ $n -gt 0 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	! kill -0 "$1" 2>/dev/null
}
# is pid still the program we started (pids get reused)?
is() { grep -qa "$2" "/proc/$1/cmdline" 2>/dev/null; }

if [ -f "$RUN/pacemakerd.pid" ]; then
	P=$(cat "$RUN/pacemakerd.pid")
	if is "$P" pacemakerd; then
		ps -o pid= --ppid "$P" | tr -d ' ' >>"$RUN/pacemaker-children.pids"
		kill -TERM "$P"
		gone "$P" "${PCMK_STOP_TIMEOUT:-30}" || { echo "down: pacemakerd $P did not stop, SIGKILL"; kill -KILL "$P"; }
	fi
	rm -f "$RUN/pacemakerd.pid"
fi
if [ -f "$RUN/pacemaker-children.pids" ]; then
	for c in $(sort -u "$RUN/pacemaker-children.pids"); do
		if is "$c" pacemaker; then
			kill -TERM "$c"
			gone "$c" 10 || kill -KILL "$c"
		fi
	done
	rm -f "$RUN/pacemaker-children.pids"
fi
if [ -f "$RUN/corosync.pid" ]; then
	C=$(cat "$RUN/corosync.pid")
	if is "$C" corosync; then
		kill -TERM "$C"
		gone "$C" 30 || { echo "down: corosync $C did not stop, SIGKILL"; kill -KILL "$C"; }
	fi
	rm -f "$RUN/corosync.pid"
fi
echo "down: stopped what up.sh started"
