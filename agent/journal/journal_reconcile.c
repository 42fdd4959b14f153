/*
 * journal_reconcile.c - undo what a dead process left injected.
 *
 * For every run the journal holds that no live process owns (orphaned by a
 * crash, or ended with something unrestored), reopen its cluster from the
 * recorded configuration and hand restore.c the recorded pre-run states of
 * everything not yet verified. Each outcome is journaled (RESTORED, then
 * RUN_END when all is verified), so a crash during reconciliation is
 * itself recovered by the next one. What cannot be restored is said loudly
 * and keeps its cluster held until an operator acknowledges it (force).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/cmd.h"
#include "faultline/log.h"
#include "faultline/loop.h"
#include "faultline/util.h"
#include "journal_int.h"

struct rc_env {
	const struct reconcile_opts *o;
	struct fl_clock *clk;
	struct loop *loop;
	struct loop_io io;
};

static void say(const struct reconcile_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct reconcile_opts *o, const char *fmt, ...)
{
	if (o->progress == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("restore: ", o->progress);
	vfprintf(o->progress, fmt, ap);
	fputc('\n', o->progress);
	va_end(ap);
	fflush(o->progress);
}

static void progress(void *arg, const char *msg)
{
	const struct reconcile_opts *o = arg;
	fprintf(o->progress, "%s\n", msg); /* restore.c's lines already say "restore" */
	fflush(o->progress);
}

static void on_events(const struct cluster_event *ev, void *arg)
{
	(void)ev;
	(void)arg; /* restore.c works from snapshots; events only need draining */
}

static void on_cluster_fd(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	(void)events;
	struct cluster *cl = arg;
	struct fl_err e;
	/*
	 * Result ignored on purpose: draining only keeps the fd from staying
	 * readable. A backend that stopped answering fails restore.c's next
	 * snapshot, and that failure is what the reconciliation reports.
	 */
	(void)cl->ops->drain(cl, on_events, NULL, &e);
}

static struct cluster *open_cluster(struct rc_env *env, const struct journal_run *r, struct fl_err *e)
{
	const struct reconcile_opts *o = env->o;
	struct cluster *cl;
	if (o->open != NULL) {
		cl = o->open(r, env->clk, o->arg, e);
	} else {
		struct cluster_config cfg;
		journal_run_config(r, &cfg);
		cl = cluster_open(&cfg, env->clk, e);
	}
	int fd = cl != NULL ? cl->ops->notify_fd(cl) : -1;
	if (fd >= 0)
		loop_io_start(env->loop, &env->io, fd, EPOLLIN, on_cluster_fd, cl);
	return cl;
}

static void close_cluster(struct rc_env *env, struct cluster *cl)
{
	loop_io_stop(env->loop, &env->io);
	if (env->o->close != NULL)
		env->o->close(cl, env->o->arg);
	else
		cluster_close(cl);
}

struct rc_record {
	struct journal *j;
	const char *id;
};

/* The restore's own corrective actions are journaled like a run's: a crash mid-restore loses nothing. */
static int record_undo(void *arg, const char *const *items, size_t n, struct fl_err *e)
{
	struct rc_record *rr = arg;
	struct journal_run *r = journal_find(rr->j, rr->id);
	return r == NULL ? err_set(e, "run %s: gone from the journal", rr->id) : journal_undo(rr->j, r, items, n, e);
}

/* Restore r's unverified resources and journal each result; -1 only if the journal failed. */
static int restore_resources(struct journal *j, const char *id, const struct restore_ctx *base, struct fl_err *e)
{
	struct journal_run *r = journal_find(j, id);
	if (r == NULL)
		return 0;
	struct touched *todo = xcalloc(r->ntouched ? r->ntouched : 1, sizeof(*todo));
	size_t n = 0;
	for (size_t i = 0; i < r->ntouched; i++)
		if (!r->verified[i])
			todo[n++] = r->touched[i]; /* borrowed */
	/* r's own list grows as record_undo journals; the restore works on a copy of it */
	struct cluster_undo undo = {0};
	for (size_t i = 0; i < r->undo.n; i++)
		cluster_undo_push(&undo, r->undo.items[i]);
	struct rc_record rcr = {j, id};
	struct restore_ctx c = *base;
	c.undo = &undo;
	c.record = record_undo;
	c.record_arg = &rcr;
	struct run_record rec;
	memset(&rec, 0, sizeof(rec));
	restore_touched(&c, todo, n, &rec);
	cluster_undo_fini(&undo);
	int rc = 0;
	for (size_t i = 0; i < rec.nrestores && rc == 0; i++) {
		struct journal_run *cur = journal_find(j, id); /* the last RESTORED may settle and free it */
		if (cur != NULL)
			rc = journal_restored(j, cur, rec.restores[i].resource, rec.restores[i].ok,
			                      rec.restores[i].detail, e);
	}
	record_fini(&rec);
	free(todo);
	return rc;
}

/*
 * Exec undos first (they need no cluster, and the run's restore runs them
 * first too), then the nodes, then the resources (a group can only go back
 * to a node that is up); each outcome journaled. -1 only if the journal failed.
 */
static int restore_run(struct journal *j, const char *id, struct rc_env *env, struct fl_err *e)
{
	if (journal_reconcile_execs(j, id, env->o->progress, e) < 0)
		return -1;
	struct journal_run *r = journal_find(j, id);
	if (r == NULL)
		return 0;
	struct fl_err ce;
	struct cluster *cl = open_cluster(env, r, &ce);
	if (cl == NULL) {
		log_warnx("run %s: cannot reach its cluster %s: %s; %zu resource(s) and node(s) NOT RESTORED", id,
		          r->key, ce.msg, journal_run_unverified(r));
		return 0;
	}
	struct restore_ctx c = {.cl = cl,
	                        .clk = env->clk,
	                        .loop = env->loop,
	                        .timeout_ns = env->o->timeout_ns,
	                        .progress = env->o->progress ? progress : NULL,
	                        .arg = (void *)env->o};
	int rc = journal_reconcile_nodes(j, id, &c, e);
	if (rc == 0)
		rc = restore_resources(j, id, &c, e);
	close_cluster(env, cl);
	return rc;
}

/* ", N node(s), M exec undo(s)", or "" when it has none. */
static const char *items(const struct journal_run *r)
{
	static char buf[96];
	buf[0] = '\0';
	if (r->nnodes > 0 || r->nexecs > 0)
		snprintf(buf, sizeof(buf), ", %zu node(s), %zu exec undo(s)", r->nnodes, r->nexecs);
	return buf;
}

static void add(char *buf, size_t len, size_t *off, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
	if (*off >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	*off += (size_t)vsnprintf(buf + *off, len - *off, fmt, ap);
	va_end(ap);
}

/* What is not restored, by name (cut at a few hundred bytes): the operator must see which. */
static const char *unverified_names(const struct journal_run *r)
{
	static char buf[512];
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < r->nnodes; i++)
		if (!r->nodes[i].verified)
			add(buf, sizeof(buf), &off, "%snode %s", off ? ", " : "", r->nodes[i].name);
	for (size_t i = 0; i < r->nexecs; i++)
		if (!r->execs[i].ok)
			add(buf, sizeof(buf), &off, "%s%s%s", off ? ", " : "", r->execs[i].key,
			    r->execs[i].ran ? " (ran, failed)" : "");
	for (size_t i = 0; i < r->ntouched; i++)
		if (!r->verified[i])
			add(buf, sizeof(buf), &off, "%s\"%s\"", off ? ", " : "", r->touched[i].resource);
	return buf;
}

/* 0 = settled, 1 = still unrestored, -1 = journal failure. */
static int reconcile_run(struct journal *j, const char *id, struct rc_env *env, struct fl_err *e)
{
	struct journal_run *r = journal_find(j, id);
	say(env->o, "run %s (plan %s, cluster %s): %s; %zu resource(s) touched%s", r->id, r->plan_path, r->key,
	    r->ended ? "ended with resources not restored" : "never finished (the process died)", r->ntouched,
	    items(r));
	if (restore_run(j, id, env, e) < 0)
		return -1;
	r = journal_find(j, id);
	if (r == NULL) {
		say(env->o, "run %s: everything verified", id);
		return 0;
	}
	size_t bad = journal_run_unverified(r);
	if (bad == 0) { /* all verified, the run just never ended */
		say(env->o, "run %s: everything verified", id);
		return journal_end(j, r, FL_EXIT_ABORTED, "reconciled after a crash", e) < 0 ? -1 : 0;
	}
	log_warnx("run %s: %zu item(s) NOT RESTORED on cluster %s (%s); new runs on it are refused until an operator "
	          "acts (faultline restore --force)",
	          id, bad, r->key, unverified_names(r));
	if (env->o->force && journal_ack(j, r, "acknowledged by an operator: faultline restore --force", e) < 0)
		return -1;
	if (env->o->force)
		say(env->o, "run %s: acknowledged (--force); its cluster is released", id);
	return 1;
}

int journal_reconcile(struct journal *j, const struct reconcile_opts *o, struct fl_err *e)
{
	struct rc_env env = {.o = o, .clk = o->clk, .loop = o->loop};
	struct fl_clock *own_clk = env.clk == NULL ? (env.clk = clock_new_real()) : NULL;
	struct loop *own_loop = NULL;
	if (env.loop == NULL && (env.loop = own_loop = loop_new(env.clk, e)) == NULL) {
		clock_free(own_clk);
		return -1;
	}
	/* Settling frees runs: walk a copy of the ids. */
	char **ids = NULL;
	size_t n = 0, cap = 0;
	for (struct journal_run *r = j->runs; r != NULL; r = r->next)
		if (r->orphan || r->ended) {
			XGROW(ids, cap, n + 1);
			ids[n++] = xstrdup(r->id);
		}
	int left = 0;
	for (size_t i = 0; i < n; i++) {
		int rc = left < 0 ? -1 : reconcile_run(j, ids[i], &env, e);
		left = rc < 0 ? -1 : left + rc;
		free(ids[i]);
	}
	free(ids);
	loop_free(own_loop);
	clock_free(own_clk);
	return left;
}
