#!/bin/sh
# node-cmd.sh LOG SOCKET OP NODE - a node_down_command / node_up_command for
# the tests: it appends "OP NODE" to LOG, then asks the cluster served by
# `faultline sim-adapter --listen SOCKET` to do it (OP: node_down or node_up)
# through the stdio bridge, and exits 0 only if the cluster accepted it.
# OP "refuse" records the call and fails (exit 3) without touching anything.
# OP "slow_down" crashes the node as node_down does, then takes 1 s more
# before it exits (node-start.sh waits like that, for its node to start).
# OP "hang" writes its process group id to LOG.pgid and never ends (its
# child neither): the timeout must kill them all.
set -eu
log=$1 sock=$2 op=$3 node=$4
echo "$op $node" >>"$log"
if [ "$op" = refuse ]; then
	echo "no power switch for $node"
	exit 3
fi
if [ "$op" = hang ]; then
	ps -o pgid= $$ | tr -d ' ' >"$log.pgid"
	sleep 30 &
	wait
fi
[ "$op" = slow_down ] && call=node_down || call=$op
answer=$(printf '{"id":1,"op":"%s","node":"%s"}\n' "$call" "$node" | ./faultline sim-adapter --connect "$sock")
case $answer in
*'"id":1,"ok":true'*)
	[ "$op" = slow_down ] && sleep 1
	exit 0
	;;
esac
echo "refused: $answer"
exit 1
