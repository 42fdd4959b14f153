/*
 * test_probe_clock.c - probe transitions are recorded on the run's clock
 * (t = 0 at the start), like trials, in a real-time run too: the HTML
 * probe lanes and the trials share one time axis.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "faultline/cmd.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/run.h"
#include "faultline/util.h"
#include "port_fixture.h"

Test(probe_clock, real_time_transitions_share_the_trials_clock, .timeout = 30)
{
	char dir[] = "/tmp/faultline-pc-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	unsigned port = free_port();
	copy_with_port("tests/data/run/topo.yaml", dir, "topo.yaml", 24330, port);
	copy_with_port("tests/data/run/realtime.yaml", dir, "realtime.yaml", 24330, port);
	char *path = xasprintf("%s/realtime.yaml", dir);
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	diag_fini(&d);
	cr_assert_not_null(p);
	struct run_record rec;
	memset(&rec, 0, sizeof(rec));
	struct run_opts o = {0};
	int code = run_execute(p, &o, &rec);
	char *rm = xasprintf("rm -rf %s", dir);
	cr_assert_eq(system(rm), 0);
	free(rm);
	free(path);
	cr_assert_eq(code, FL_EXIT_OK, "%s", rec.reason_detail);
	const struct rec_measure *m = &rec.trials[0].measures[0];
	const struct rec_probe *pr = &rec.probes[0];
	cr_assert(m->outage_observed && m->recovered);
	bool down = false, up = false;
	for (size_t i = 0; i < pr->nchanges; i++) {
		cr_assert_leq(pr->changes[i].at, rec.duration_ns, "change %zu at %llu is past the run's end %llu", i,
		              (unsigned long long)pr->changes[i].at, (unsigned long long)rec.duration_ns);
		down = down || (pr->changes[i].status == PROBE_DOWN && pr->changes[i].at == m->down_at);
		up = up || (pr->changes[i].status == PROBE_UP && pr->changes[i].at == m->up_at);
	}
	cr_assert(down, "the outage's down transition is at the trial's down_at %llu", (unsigned long long)m->down_at);
	cr_assert(up, "the recovery's up transition is at the trial's up_at %llu", (unsigned long long)m->up_at);
	record_fini(&rec);
	plan_free(p);
}
