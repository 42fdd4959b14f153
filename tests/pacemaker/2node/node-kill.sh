#!/bin/bash
# node-kill.sh NODE - crash node fl-nodeI of the two-node cluster (up.sh): the
# plan's cluster.node_down_command. SIGKILL, by PID, its corosync, its
# pacemakerd and pacemakerd's children, then every other process left in its
# network namespace fl-nI (the resources' processes die with a crashed node),
# and drop the addresses a resource added to its eth0 (IPaddr2's virtual IP
# would otherwise still answer there). Its CIB on disk stays, as on a real
# node. Runs from anywhere (faultline runs it inside the other node's
# namespaces): namespace operations go through the namespaces of run2.sh,
# recorded in DIR/host.pid. DIR: $PCMK2_DIR, else build/pcmk-2node.
set -u
NODE=${1:?usage: node-kill.sh fl-nodeI}
I=${NODE#fl-node}
case $I in 1 | 2) ;; *) echo "node-kill.sh: not a node of the two-node cluster: $NODE" >&2 && exit 2 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${PCMK2_DIR:-$HERE/../../../build/pcmk-2node}
host() { nsenter -t "$(cat "$DIR/host.pid")" -m -n -- "$@"; }
is() { grep -qa "$2" "/proc/$1/cmdline" 2>/dev/null; }
R=$DIR/n$I/run
C=$(cat "$R/corosync.pid" 2>/dev/null) && is "$C" corosync || { echo "node-kill.sh: $NODE is not up" >&2 && exit 1; }
P=$(cat "$R/pacemakerd.pid" 2>/dev/null) && is "$P" pacemakerd || P=
kids=${P:+$(ps -o pid= --ppid "$P")}
kill -KILL "$C" $P $kids 2>/dev/null
for p in $(host ip netns pids "fl-n$I"); do kill -KILL "$p" 2>/dev/null; done
for a in $(host ip -n "fl-n$I" -o -4 addr show dev eth0 | awk '{print $4}'); do
	[ "$a" = "10.213.0.$I/24" ] || host ip -n "fl-n$I" addr del "$a" dev eth0
done
rm -f "$R/corosync.pid" "$R/pacemakerd.pid"
echo "node-kill.sh: $NODE crashed (corosync $C, pacemakerd ${P:-none} and the rest of fl-n$I SIGKILLed)"
