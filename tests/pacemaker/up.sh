#!/bin/bash
# up.sh RUNDIR - bring up a single-node Corosync 3 + Pacemaker 2.1 cluster on
# loopback, without systemd, for faultline's end-to-end test.
#
# Everything it starts is recorded by PID in RUNDIR (down.sh stops exactly
# those). It writes a fresh seeded CIB to /var/lib/pacemaker/cib (the path is
# compiled into Debian's packages), so it refuses to run when a corosync or
# pacemakerd it did not start is already running.
# Exit: 0 up; 77 cannot run Pacemaker here (said loudly); 1 failed.
set -euo pipefail

RUN=${1:?usage: up.sh RUNDIR}
HERE=$(cd "$(dirname "$0")" && pwd)
NODE=$(uname -n)
T0=$(date +%s%N)
ts() { printf '[%5d ms] %s\n' $(( ($(date +%s%N) - T0) / 1000000 )) "$*"; }
skip() { echo "SKIP: cannot run Pacemaker here: $*" >&2; exit 77; }
# every CLI call under a deadline: some hang before a DC exists
t() { timeout "$@"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (corosync and pacemakerd run as root)"
for b in corosync pacemakerd cibadmin crm_mon crm_attribute corosync-quorumtool; do
	command -v "$b" >/dev/null || [ -x "/usr/sbin/$b" ] || skip "$b is not installed"
done
getent group haclient >/dev/null || skip "group haclient missing (pacemaker package incomplete)"
for p in $(pgrep -x corosync || true) $(pgrep -x pacemakerd || true); do
	skip "a corosync/pacemakerd not started by this test is running (pid $p); not touching it"
done

mkdir -p "$RUN"
RUN=$(cd "$RUN" && pwd)
# the daemons run as hacluster and write their log here
chown root:haclient "$RUN"
chmod 0775 "$RUN"
rm -f "$RUN"/*.pid "$RUN"/*.log
mkdir -p /run/resource-agents /var/lib/pacemaker/cib /var/lib/pacemaker/pengine /var/lib/corosync /var/log/pacemaker
chown hacluster:haclient /var/lib/pacemaker/cib /var/lib/pacemaker/pengine

# Seed the CIB offline through the file backend. dc-deadtime: a lone
# controller otherwise waits 20 s before electing itself DC (never 0: then
# no DC is ever elected). No fencing device on one node: STONITH off.
rm -f /var/lib/pacemaker/cib/cib* /var/lib/pacemaker/pengine/pe-*
cibadmin --empty >/var/lib/pacemaker/cib/cib.xml
chown hacluster:haclient /var/lib/pacemaker/cib/cib.xml
CIB_file=/var/lib/pacemaker/cib/cib.xml crm_attribute --type crm_config --name dc-deadtime --update 500ms
CIB_file=/var/lib/pacemaker/cib/cib.xml crm_attribute --type crm_config --name stonith-enabled --update false

sed -e "s/@NODE@/$NODE/" -e "s#@RUN@#$RUN#" "$HERE/corosync.conf.in" >"$RUN/corosync.conf"
corosync -t -c "$RUN/corosync.conf" >/dev/null || skip "corosync refuses the config (corosync -t)"

corosync -f -c "$RUN/corosync.conf" >"$RUN/corosync.stdout" 2>&1 </dev/null &
echo $! >"$RUN/corosync.pid"
ts "corosync started, pid $(cat "$RUN/corosync.pid")"
for _ in $(seq 1 200); do # 20 s
	t 2 corosync-quorumtool -s 2>/dev/null | grep -q '^Quorate: *Yes' && break
	kill -0 "$(cat "$RUN/corosync.pid")" 2>/dev/null || { cat "$RUN/corosync.stdout" >&2; skip "corosync died at start"; }
	sleep 0.1
done
t 2 corosync-quorumtool -s 2>/dev/null | grep -q '^Quorate: *Yes' || skip "corosync not quorate after 20 s"
ts "corosync quorate"

export PCMK_logfile="$RUN/pacemaker.log" PCMK_logfacility=none PCMK_debug=no
: >"$PCMK_logfile"
chown hacluster:haclient "$PCMK_logfile"
setsid /usr/sbin/pacemakerd >"$RUN/pacemakerd.stdout" 2>&1 </dev/null &
echo $! >"$RUN/pacemakerd.pid"
ts "pacemakerd started, pid $(cat "$RUN/pacemakerd.pid")"

ok=
for _ in $(seq 1 300); do # 30 s
	X=$(t 5 crm_mon -1 --output-as=xml 2>/dev/null || true)
	if grep -q "<current_dc present=\"true\".* name=\"$NODE\"" <<<"$X" &&
		grep -q "<node name=\"$NODE\" id=\"1\" online=\"true\"" <<<"$X"; then
		ok=1
		break
	fi
	kill -0 "$(cat "$RUN/pacemakerd.pid")" 2>/dev/null || { echo "pacemakerd died" >&2; exit 1; }
	sleep 0.1
done
# record pacemakerd's children now so that down.sh can make sure they are gone
ps -o pid= --ppid "$(cat "$RUN/pacemakerd.pid")" | tr -d ' ' >"$RUN/pacemaker-children.pids"
[ -n "$ok" ] || { echo "no DC after 30 s" >&2; exit 1; }
ts "DC elected, node $NODE online"
for _ in $(seq 1 100); do # 10 s: the first scheduler run follows the election
	t 3 crmadmin -S "$NODE" 2>/dev/null | grep -q S_IDLE && break
	sleep 0.1
done
ps -o pid= --ppid "$(cat "$RUN/pacemakerd.pid")" | tr -d ' ' >"$RUN/pacemaker-children.pids"
ts "controller S_IDLE"

t 10 cibadmin --modify --scope resources --xml-file "$HERE/resources.xml"
for _ in $(seq 1 100); do # 10 s
	n=$(t 5 crm_mon -1 --output-as=xml 2>/dev/null | grep -c '<resource id="fl-[a-z0-9]*".* role="Started"' || true)
	[ "$n" -eq 4 ] && break
	sleep 0.1
done
[ "$n" -eq 4 ] || { echo "resources not Started after 10 s" >&2; t 5 crm_mon -1 >&2 || true; exit 1; }
ts "4 Dummy resources Started; cluster ready"
