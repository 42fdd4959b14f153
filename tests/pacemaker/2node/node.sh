#!/bin/bash
# node.sh DIR I [rejoin] - one cluster node. Runs INSIDE `ip netns exec fl-nI unshare
# --mount --uts --propagation private` (up.sh): private /var/lib/pacemaker,
# /var/lib/corosync, /run, /var/log/pacemaker, /etc/corosync (bind mounts of
# DIR/nI/*) and /dev/shm (tmpfs), hostname fl-nodeI; seeds the CIB, starts
# corosync and pacemakerd (PIDs in DIR/nI/run/, i.e. /run here) and waits.
# rejoin (node-start.sh, after node-kill.sh): keep the CIB the node has on disk.
set -u
DIR=$1 I=$2 REJOIN=${3:-} HERE=$(cd "$(dirname "$0")" && pwd)
B=$DIR/n$I
hostname "fl-node$I"
for d in lib-pcmk lib-coro run log-pcmk etc-coro; do mkdir -p "$B/$d"; done
mount --bind "$B/lib-pcmk" /var/lib/pacemaker
mount --bind "$B/lib-coro" /var/lib/corosync
mount --bind "$B/run" /run
mount --bind "$B/log-pcmk" /var/log/pacemaker
mount --bind "$B/etc-coro" /etc/corosync
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mkdir -p /run/resource-agents /run/crm /var/lib/pacemaker/cib /var/lib/pacemaker/pengine \
	/var/lib/pacemaker/cores /var/lib/pacemaker/blackbox
chown -R hacluster:haclient /var/lib/pacemaker /run/crm
chown root:haclient /var/log/pacemaker
chmod 0775 /var/log/pacemaker
cp "$HERE/corosync.conf" /etc/corosync/corosync.conf
if [ -z "$REJOIN" ]; then
	cibadmin --empty >/var/lib/pacemaker/cib/cib.xml
	chown hacluster:haclient /var/lib/pacemaker/cib/cib.xml
	# dc-deadtime 2 s: the nodes find each other well within it; no fencing device here
	CIB_file=/var/lib/pacemaker/cib/cib.xml crm_attribute --type crm_config --name dc-deadtime --update 2s
	CIB_file=/var/lib/pacemaker/cib/cib.xml crm_attribute --type crm_config --name stonith-enabled --update false
fi
corosync -f -c /etc/corosync/corosync.conf >/var/log/pacemaker/corosync.stdout 2>&1 </dev/null &
echo $! >/run/corosync.pid
for _ in $(seq 1 100); do
	timeout 2 corosync-quorumtool -s 2>/dev/null | grep -q '^Quorate: *Yes' && break
	sleep 0.1
done
export PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none PCMK_debug=no
: >"$PCMK_logfile"
chown hacluster:haclient "$PCMK_logfile"
/usr/sbin/pacemakerd >/var/log/pacemaker/pacemakerd.stdout 2>&1 </dev/null &
echo $! >/run/pacemakerd.pid
echo "node $I: corosync $(cat /run/corosync.pid), pacemakerd $(cat /run/pacemakerd.pid)"
wait
