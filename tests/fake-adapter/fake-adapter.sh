#!/bin/sh
# fake-adapter.sh MODE - an exec adapter written for the tests: it speaks
# just enough of docs/exec-protocol.md, by hand, to be a cluster of one
# group ("G", resources "R1" and "R2" on node "n1"), and misbehaves on
# purpose when MODE says so. The mode acts on the first "fail" request:
#   happy    answer everything; a fail sends events around its answer
#   crash    exit 3 instead of answering
#   hang     never answer (sleeps)
#   garbage  answer with a line that is not JSON
#   slow     answer the first fail late: only when the next request arrives,
#            so always after the caller gave up on it (no race with the clock)
#   huge     answer with a 2 MiB line
#   unknown  answer with an id that was never sent
# and at start:
#   nohello  say nothing
#   v9       a hello for protocol version 9 (a future one)
#   noflags  a hello without "fail" and without offline flags
#   exit     exit 5 at once
set -u
mode=${1:-happy}
ops='["list","state","fail","offline","online","move","offline_destination","events"]'
flags='["ignore_resource_status","do_not_update_persistent_state"]'
case $mode in
nohello) exec sleep 30 ;;
exit) exit 5 ;;
v9) echo '{"hello":"faultline-adapter","version":9,"cluster":"fake","ops":[],"offline_flags":[]}' ;;
noflags) echo '{"hello":"faultline-adapter","version":1,"cluster":"fake","ops":["list","state","offline","online"],"offline_flags":[]}' ;;
*) echo "{\"hello\":\"faultline-adapter\",\"version\":1,\"cluster\":\"fake\",\"ops\":$ops,\"offline_flags\":$flags}" ;;
esac
failed=0
late=
fail_answer() {
	echo '{"event":"resource","name":"R2","state":"failed","owner":"n1","at_ms":10}'
	echo "{\"id\":$1,\"ok\":true,\"code\":0}"
	echo '{"event":"resource","name":"R2","state":"online-pending","owner":"n1","at_ms":20}'
	echo '{"event":"resource","name":"R2","state":"online","owner":"n1","at_ms":30}'
}
while IFS= read -r line; do
	if [ -n "$late" ]; then
		fail_answer "$late"
		late=
	fi
	id=$(printf '%s\n' "$line" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
	op=$(printf '%s\n' "$line" | sed -n 's/.*"op":"\([a-z]*\)".*/\1/p')
	case $op in
	list)
		echo "{\"id\":$id,\"ok\":true,\"code\":0,\"nodes\":[{\"name\":\"n1\",\"up\":true},{\"name\":\"n2\",\"up\":true}],\"groups\":[{\"name\":\"G\",\"owner\":\"n1\",\"state\":\"online\"}],\"resources\":[{\"name\":\"R1\",\"type\":\"Disk\",\"group\":\"G\",\"owner\":\"n1\",\"state\":\"online\",\"deps\":[]},{\"name\":\"R2\",\"type\":\"App\",\"group\":\"G\",\"owner\":\"n1\",\"state\":\"online\",\"deps\":[\"R1\"]}]}"
		;;
	state) echo "{\"id\":$id,\"ok\":true,\"code\":0,\"state\":\"online\"}" ;;
	fail)
		if [ "$failed" = 0 ]; then
			failed=1
			case $mode in
			crash) exit 3 ;;
			hang) exec sleep 30 ;;
			garbage) echo "this is not json"; continue ;;
			slow) late=$id; continue ;;
			huge) head -c 2097152 /dev/zero | tr '\0' 'x' 2>/dev/null; echo; continue ;;
			unknown) echo "{\"id\":99,\"ok\":true,\"code\":0}"; continue ;;
			esac
		fi
		fail_answer "$id"
		;;
	online) echo "{\"id\":$id,\"ok\":false,\"code\":5023,\"error\":\"resource \\\"R2\\\": pending\"}" ;;
	*) echo "{\"id\":$id,\"ok\":true,\"code\":997}" ;;
	esac
done
