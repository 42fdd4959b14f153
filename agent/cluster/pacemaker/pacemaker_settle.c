/*
 * pacemaker_settle.c - wait until the cluster has nothing left to do.
 *
 * A node that rejoins (after a crash, a node_up) makes the DC integrate it:
 * the CIB is synced, the node is probed, and for a second or two crm_mon
 * shows a status that is about to change (resources on the node where the
 * rejoining node's stale CIB last saw them, or stopped). A restore that
 * verifies in that window says "verified" of a state the cluster is about
 * to leave. So the restore waits for `crm_resource --wait` (the DC idle,
 * no transition pending) before it judges.
 */
#include <inttypes.h>
#include <stdio.h>

#include "faultline/clock.h"
#include "pacemaker_int.h"

#define SETTLE_SLACK_NS (2 * NSEC_PER_SEC) /* crm_resource's own timeout fires first */

int pcmk_settle(struct cluster *c, uint64_t timeout_ns, struct fl_err *e)
{
	(void)c;
	char t[32];
	uint64_t s = (timeout_ns + NSEC_PER_SEC - 1) / NSEC_PER_SEC;
	snprintf(t, sizeof(t), "--timeout=%" PRIu64 "s", s ? s : 1);
	char *argv[] = {"crm_resource", "--wait", t, NULL};
	struct pcmk_out o;
	if (pcmk_cli_run(argv, timeout_ns + SETTLE_SLACK_NS, &o, e) < 0)
		return -1;
	int rc = o.status == 0 ? 0
	                       : err_set(e, "crm_resource --wait %s: exit %d: %s", t, o.status,
	                                 o.err[0] ? o.err : "(no message)");
	pcmk_out_fini(&o);
	return rc;
}
