/*
 * record.c - the run record's lifetime and the names of its enums (but
 * probe_status_str, the probe core's: probes/probe.c).
 *
 * In report/ with the renderings rather than in run/ with its producer: the
 * journal and every report use the record, and run/ uses the live view, so
 * a record in run/ tied run/ to both in loops.
 */
#include "faultline/record.h"

#include <stdlib.h>
#include <string.h>

#include "faultline/util.h"

static void rec_trial_fini(struct rec_trial *t)
{
	free(t->fault_name);
	free(t->action);
	free(t->resource);
	free(t->group);
	free(t->node_before);
	free(t->node_after);
	free(t->error);
	free(t->measures);
}

static void rec_probe_fini(struct rec_probe *p)
{
	free(p->name);
	free(p->kind);
	free(p->target);
	for (size_t i = 0; i < p->nchanges; i++)
		free(p->changes[i].reason);
	free(p->changes);
}

void record_fini(struct run_record *r)
{
	for (size_t i = 0; i < r->ntrials; i++)
		rec_trial_fini(&r->trials[i]);
	free(r->trials);
	for (size_t i = 0; i < r->nprobes; i++)
		rec_probe_fini(&r->probes[i]);
	free(r->probes);
	for (size_t i = 0; i < r->nevents; i++) {
		free(r->events[i].resource);
		free(r->events[i].node);
	}
	free(r->events);
	for (size_t i = 0; i < r->nslos; i++) {
		free(r->slos[i].name);
		free(r->slos[i].kind);
		free(r->slos[i].detail);
	}
	free(r->slos);
	for (size_t i = 0; i < r->nrestores; i++) {
		free(r->restores[i].resource);
		free(r->restores[i].action);
		free(r->restores[i].detail);
	}
	free(r->restores);
	for (size_t i = 0; i < r->nexecs; i++) {
		free(r->execs[i].name);
		free(r->execs[i].command);
		free(r->execs[i].target);
		free(r->execs[i].error);
		free(r->execs[i].output);
	}
	free(r->execs);
	free(r->plan_name);
	free(r->plan_path);
	free(r->plan_sha256);
	free(r->backend);
	free(r->version);
	free(r->abort_reason);
	free(r->reason_detail);
	free(r->plan_description);
	memset(r, 0, sizeof(*r));
}

struct rec_trial *record_add_trial(struct run_record *r)
{
	XGROW(r->trials, r->captrials, r->ntrials + 1);
	struct rec_trial *t = &r->trials[r->ntrials++];
	memset(t, 0, sizeof(*t));
	return t;
}

struct rec_event *record_add_event(struct run_record *r)
{
	XGROW(r->events, r->capevents, r->nevents + 1);
	struct rec_event *ev = &r->events[r->nevents++];
	memset(ev, 0, sizeof(*ev));
	return ev;
}

struct rec_restore *record_add_restore(struct run_record *r)
{
	XGROW(r->restores, r->caprestores, r->nrestores + 1);
	struct rec_restore *rs = &r->restores[r->nrestores++];
	memset(rs, 0, sizeof(*rs));
	return rs;
}

const char *trial_outcome_str(enum trial_outcome o)
{
	static const char *const names[] = {"pending", "recovered", "not_recovered", "inject_failed", "aborted"};
	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

const char *cluster_outcome_str(enum cluster_outcome o)
{
	static const char *const names[] = {"none", "restart", "failover", "stays_failed", "offline"};
	return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}

const char *slo_verdict_str(enum slo_verdict v)
{
	static const char *const names[] = {"pass", "fail", "inconclusive"};
	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}
