#!/bin/bash
# up.sh DIR - a genuine two-node Corosync 3 + Pacemaker 2.1 cluster on this
# one machine. Nodes fl-node1/fl-node2 live in network namespaces fl-n1/fl-n2,
# joined by a bridge inside a third namespace (fl-br), so nothing touches the
# host's network: 10.213.0.0/24 exists only inside them. Each node also has
# its own mount and UTS namespace (node.sh). Loads resources.xml (a group
# with an IPaddr2 virtual IP and a TCP service on it, two standalone Dummy
# resources). Everything is recorded by PID under DIR for down.sh.
# Exit: 0 up; 77 cannot run here (said loudly); 1 failed.
set -uo pipefail
DIR=${1:?usage: up.sh DIR}
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$(date +%s%N)
ts() { printf '[%5d ms] %s\n' $((($(date +%s%N) - T0) / 1000000)) "$*"; }
skip() {
	echo "SKIP: cannot run a two-node Pacemaker here: $*" >&2
	exit 77
}
fail() {
	echo "up.sh: $*" >&2
	exit 1
}
[ "$(id -u)" -eq 0 ] || skip "needs root"
for b in ip unshare nsenter corosync pacemakerd cibadmin crm_mon python3; do
	command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || skip "$b is not installed"
done
for a in IPaddr2 anything Dummy; do
	[ -x "/usr/lib/ocf/resource.d/heartbeat/$a" ] || skip "resource agent ocf:heartbeat:$a missing"
done
for ns in fl-n1 fl-n2 fl-br; do
	ip netns list | grep -qw "$ns" && skip "network namespace $ns exists already (not ours to touch)"
done
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
rm -rf "$DIR"/n1 "$DIR"/n2 "$DIR"/www
mkdir -p "$DIR/www"
echo ok >"$DIR/www/index.html"

ip netns add fl-br || skip "cannot create network namespaces"
ip netns exec fl-br ip link add br0 type bridge || skip "no bridge support"
ip netns exec fl-br ip link set br0 up
for I in 1 2; do
	ip netns add fl-n$I
	ip link add fl-v$I netns fl-br type veth peer name eth0 netns fl-n$I || skip "no veth support"
	ip netns exec fl-br ip link set fl-v$I master br0 up
	ip netns exec fl-n$I ip addr add 10.213.0.$I/24 dev eth0
	ip netns exec fl-n$I ip link set eth0 up
	ip netns exec fl-n$I ip link set lo up
done
ts "namespaces fl-n1, fl-n2 joined by bridge in fl-br"
for I in 1 2; do
	setsid ip netns exec fl-n$I unshare --mount --uts --propagation private bash "$HERE/node.sh" "$DIR" $I \
		>"$DIR/node$I.out" 2>&1 </dev/null &
	echo $! >"$DIR/node$I.pid"
done
nx() { "$HERE/nx.sh" "$DIR" "$@"; }
for _ in $(seq 1 100); do # 10 s for both corosyncs to record their PID
	[ -s "$DIR/n1/run/corosync.pid" ] && [ -s "$DIR/n2/run/corosync.pid" ] && break
	sleep 0.1
done
[ -s "$DIR/n2/run/corosync.pid" ] || { cat "$DIR"/node*.out >&2; fail "corosync did not start"; }
for _ in $(seq 1 300); do # 30 s: a DC, both nodes online
	x=$(nx 1 timeout 5 crm_mon -1 --output-as=xml 2>/dev/null) &&
		grep -q 'current_dc present="true"' <<<"$x" &&
		[ "$(grep -c '<node name="fl-node[12]".* online="true"' <<<"$x")" -eq 2 ] && break
	sleep 0.2
done
[ "$(grep -c '<node name="fl-node[12]".* online="true"' <<<"${x:-}")" -eq 2 ] ||
	{ cat "$DIR"/node*.out >&2; fail "no DC with both nodes online after 30 s"; }
ts "DC elected, both nodes online"
# stickiness, as HA clusters are usually set up: a resource stays where it
# is once moved, so a restore must move it back itself
nx 1 timeout 10 crm_attribute --type rsc_defaults --name resource-stickiness --update 100 || fail "stickiness"
sed "s#@WWW@#$DIR/www#" "$HERE/resources.xml" >"$DIR/resources.xml"
nx 1 timeout 10 cibadmin --modify --scope resources --xml-file "$DIR/resources.xml" || fail "cannot load resources"
nx 1 timeout 10 cibadmin --modify --scope constraints --xml-file "$HERE/constraints.xml" || fail "cannot load constraints"
for _ in $(seq 1 150); do # 30 s for everything to start where the constraints put it
	x=$(nx 1 timeout 5 crm_mon -1 --output-as=xml 2>/dev/null)
	[ "$(grep -c '<resource id="fl-[a-z0-9]*".* role="Started".* failed="false"' <<<"$x")" -eq 4 ] && break
	sleep 0.2
done
[ "$(grep -c '<resource id="fl-[a-z0-9]*".* role="Started".* failed="false"' <<<"$x")" -eq 4 ] ||
	fail "resources not started after 30 s: $(nx 1 timeout 5 crm_mon -1)"
for _ in $(seq 1 50); do # and the service answers on the virtual IP
	nx 1 timeout 2 python3 -c 'import socket; socket.create_connection(("10.213.0.100", 8080), 1)' 2>/dev/null && break
	sleep 0.2
done
nx 1 timeout 2 python3 -c 'import socket; socket.create_connection(("10.213.0.100", 8080), 1)' ||
	fail "no TCP service on 10.213.0.100:8080"
ts "resources started; 10.213.0.100:8080 answers; cluster ready"
nx 1 timeout 5 crm_mon -1 | sed -n '/Full List of Resources\|Active Resources/,$p'
