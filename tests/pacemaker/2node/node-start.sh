#!/bin/bash
# node-start.sh NODE - start node fl-nodeI of the two-node cluster again after
# node-kill.sh: the plan's cluster.node_up_command. As up.sh does (node.sh in
# fresh mount and UTS namespaces inside fl-nI), keeping the CIB the node had
# on disk; returns once its corosync is quorate (node.sh waits for that), and
# Pacemaker rejoins in the background: the run measures it.
set -u
NODE=${1:?usage: node-start.sh fl-nodeI}
I=${NODE#fl-node}
case $I in 1 | 2) ;; *) echo "node-start.sh: not a node of the two-node cluster: $NODE" >&2 && exit 2 ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${PCMK2_DIR:-$HERE/../../../build/pcmk-2node}
DIR=$(cd "$DIR" && pwd)
R=$DIR/n$I/run
[ -s "$R/corosync.pid" ] && { echo "node-start.sh: $NODE is running" >&2 && exit 1; }
nsenter -t "$(cat "$DIR/host.pid")" -m -n -- setsid ip netns exec "fl-n$I" unshare --mount --uts \
	--propagation private bash "$HERE/node.sh" "$DIR" "$I" rejoin >>"$DIR/node$I.out" 2>&1 </dev/null &
echo $! >"$DIR/node$I.pid"
for _ in $(seq 1 100); do
	[ -s "$R/pacemakerd.pid" ] && break
	sleep 0.1
done
[ -s "$R/pacemakerd.pid" ] || { echo "node-start.sh: $NODE did not start (see $DIR/node$I.out)" >&2 && exit 1; }
echo "node-start.sh: $NODE started (corosync $(cat "$R/corosync.pid"), pacemakerd $(cat "$R/pacemakerd.pid"))"
