#!/bin/bash
# nx.sh DIR I CMD... - run CMD inside node I's network, mount and UTS namespaces
# (entered through the PID of that node's corosync, recorded by node.sh), in
# the current directory.
DIR=$1 I=$2
shift 2
P=$(cat "$DIR/n$I/run/corosync.pid" 2>/dev/null) || { echo "nx.sh: node $I is not up" >&2; exit 1; }
exec nsenter -t "$P" -n -m -u --wd="$PWD" "$@"
