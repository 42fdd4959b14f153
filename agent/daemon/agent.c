/*
 * agent.c - the agent's life: set up the loop, the plan set, the control
 * socket and the metrics server; reload on SIGHUP; on SIGTERM/SIGINT stop
 * scheduling, stop the runs (each restores and reports), wait for them
 * within a bound, exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_int.h"
#include "faultline/agent_sched.h"
#include "faultline/cmd.h"
#include "faultline/control.h"
#include "faultline/journal.h"
#include "faultline/log.h"
#include "faultline/metrics.h"
#include "faultline/util.h"

struct outstanding {
	const struct agent *a;
	unsigned runs, faults;
};

/*
 * A journal no live child of ours writes: what it still has out is open
 * for real (an orphan's faults, a crashed run's). Read without its lock, so
 * counting never makes a starting run find its journal busy.
 */
static int peek_one(const char *dir, void *arg)
{
	struct outstanding *o = arg;
	for (const struct agent_run *r = o->a->runs; r; r = r->next)
		if (strcmp(r->journal_dir, dir) == 0)
			return 0; /* live: its events count */
	struct journal_peek p;
	struct fl_err e;
	if (journal_peek(dir, &p, &e) == 0) {
		o->runs += p.runs;
		o->faults += p.faults;
	}
	return 0;
}

void agent_faults_open_changed(struct agent *a)
{
	struct outstanding o = {.a = a};
	unsigned n = 0;
	for (struct agent_run *r = a->runs; r; r = r->next)
		n += r->nopen;
	journal_state_each(a->o->state_dir, peek_one, &o);
	a->faults_open = n + o.faults;
	a->pending_restores = o.runs;
	metrics_set(a->m, "faultline_faults_open", a->faults_open, NULL);
	metrics_set(a->m, "faultline_journal_pending_restores", a->pending_restores, NULL);
}

char *agent_journal_dir(const struct agent *a, const struct plan *p)
{
	struct cluster_config cfg;
	plan_cluster_config(p, &cfg);
	return journal_cluster_dir(a->o->state_dir, &cfg);
}

#define ERRORS_LOGGED 10 /* a broken 80,000-fault plan must not flood the log */

/* One summary line, then the first few errors, each saying what they refused. */
static void log_errors(const char *what, const char *dir, const struct agent_errors *e)
{
	log_warnx("%s: %zu error(s) in %s%s", what, e->n, dir, e->n > ERRORS_LOGGED ? "; the first 10 follow" : "");
	for (size_t i = 0; i < e->n && i < ERRORS_LOGGED; i++)
		log_warnx("%s", e->lines[i]);
}

/* Carry what the agent knows about each plan from the old set to the new one. */
static void carry_over(struct agent *a, struct agent_planset *next)
{
	for (size_t i = 0; i < next->n; i++) {
		struct agent_plan *n = &next->items[i], *o = agent_planset_find(&a->set, n->plan->name);
		if (o != NULL) {
			n->last_run = o->last_run;
			n->queued = o->queued;
			n->served = o->served;
			n->last_exit = o->last_exit;
			n->last_verdict = o->last_verdict;
			o->last_verdict = NULL;
		}
		agent_plan_first(n, agent_wall());
		n->queued = n->queued && n->plan->schedule.concurrency == CONCURRENCY_QUEUE;
	}
}

static void reload(struct agent *a)
{
	struct agent_planset next = {0};
	struct agent_errors errs = {0};
	if (agent_plans_load(a->o->plans_dir, &next, &errs) < 0) {
		log_errors("reload refused, keeping the current plans", a->o->plans_dir, &errs);
		/* Not only in the log: status and metrics say the running set is not the files'. */
		free(a->reload_error);
		a->reload_error = xstrdup(errs.n > 0 ? errs.lines[0] : "the plans directory could not be read");
		metrics_set(a->m, "faultline_config_last_reload_successful", 0, NULL);
		agent_errors_fini(&errs);
		return;
	}
	free(a->reload_error);
	a->reload_error = NULL;
	metrics_set(a->m, "faultline_config_last_reload_successful", 1, NULL);
	carry_over(a, &next);
	for (size_t i = 0; i < a->set.n; i++)
		if (agent_planset_find(&next, a->set.items[i].plan->name) == NULL)
			metrics_forget(a->m, "faultline_slo_verdict", "plan", a->set.items[i].plan->name);
	agent_planset_fini(&a->set);
	a->set = next;
	log_info("reload: %zu scheduled plan(s) from %s; runs in progress continue", a->set.n, a->o->plans_dir);
	agent_reschedule(a);
}

static void on_stop_timeout(void *arg)
{
	struct agent *a = arg;
	for (struct agent_run *r = a->runs; r; r = r->next)
		log_warnx("run %s (pid %d) is still restoring after the stop timeout; leaving it to finish on its own",
		          r->id, (int)r->pid);
	a->exit_code = FL_EXIT_BACKEND;
	loop_stop(a->loop);
}

static void stop(struct agent *a, int signo)
{
	if (a->stopping)
		return;
	a->stopping = true;
	clock_timer_stop(a->clk, &a->tick);
	log_info("%s: stopping: no new runs; %s", strsignal(signo),
	         a->runs ? "stopping the runs in progress (they restore and report)" : "nothing in progress");
	if (a->runs == NULL) {
		loop_stop(a->loop);
		return;
	}
	for (struct agent_run *r = a->runs; r; r = r->next)
		agent_child_abort(r);
	clock_timer_start(a->clk, &a->stop_timer, clock_now(a->clk) + a->o->stop_timeout_ns, on_stop_timeout, a);
}

static void on_signal(int signo, void *arg)
{
	struct agent *a = arg;
	if (signo == SIGHUP)
		reload(a);
	else
		stop(a, signo);
}

static int make_dir(const char *dir)
{
	if (mkdir(dir, 0750) == 0 || errno == EEXIST)
		return 0;
	log_warn("cannot create %s", dir);
	return -1;
}

/*
 * One state directory, one agent: two would schedule the same runs under
 * the same ids. The lock is held for the agent's life (closed on exit);
 * its file says who holds it. Failing to create it (read-only, not ours)
 * is an environment error like any other.
 */
static int lock_state(struct agent *a)
{
	char *path = xasprintf("%s/agent.lock", a->o->state_dir);
	a->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW, 0600);
	int rc = -1;
	if (a->lockfd < 0) {
		log_warn("agent: cannot create %s (the state directory must be writable)", path);
	} else if (flock(a->lockfd, LOCK_EX | LOCK_NB) < 0) {
		char pid[32] = "";
		ssize_t n = pread(a->lockfd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? strcspn(pid, "\n") : 0] = '\0';
		log_warnx("agent: the state directory %s is in use by another agent (pid %s); one agent per state "
		          "directory",
		          a->o->state_dir, pid[0] ? pid : "unknown");
	} else {
		char pid[32];
		int n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (ftruncate(a->lockfd, 0) < 0 || pwrite(a->lockfd, pid, (size_t)n, 0) != n)
			log_warn("agent: %s: writing the pid", path);
		rc = 0;
	}
	free(path);
	return rc;
}

static int load_plans(struct agent *a)
{
	struct agent_errors errs = {0};
	if (agent_plans_load(a->o->plans_dir, &a->set, &errs) < 0) {
		log_errors("not starting", a->o->plans_dir, &errs);
		agent_errors_fini(&errs);
		return -1;
	}
	agent_state_load(a->o->state_dir, &a->set);
	for (size_t i = 0; i < a->set.n; i++)
		agent_plan_first(&a->set.items[i], agent_wall());
	if (a->set.n == 0)
		log_warnx("%s: no plan with a schedule: the agent will idle until a reload brings one",
		          a->o->plans_dir);
	return 0;
}

static int open_services(struct agent *a)
{
	struct fl_err e;
	int sigs[] = {SIGTERM, SIGINT, SIGHUP};
	if (loop_signal_start(a->loop, &a->sig, sigs, 3, on_signal, a, &e) < 0) {
		log_warnx("signals: %s", e.msg);
		return -1;
	}
	if ((a->ctl = control_start(a->loop, a->control_path, agent_ctl_request, a, &e)) == NULL) {
		log_warnx("%s", e.msg);
		return -1;
	}
	const char *maddr = a->o->metrics ? a->o->metrics : "127.0.0.1:9464";
	if (strcmp(maddr, "off") != 0 && (a->http = metrics_http_start(a->loop, a->m, maddr, &e)) == NULL) {
		log_warnx("%s", e.msg);
		return -1;
	}
	if (a->http != NULL)
		log_info("metrics: http://%s/metrics (port %u)", maddr, metrics_http_port(a->http));
	return 0;
}

static void init_metrics(struct agent *a)
{
	a->m = metrics_new();
	metrics_set(a->m, "faultline_build_info", 1, "version", FAULTLINE_VERSION, "revision", FAULTLINE_GITREV, NULL);
	metrics_set(a->m, "faultline_faults_open", 0, NULL);
	metrics_set(a->m, "faultline_journal_pending_restores", 0, NULL);
	metrics_set(a->m, "faultline_agent_paused", 0, NULL);
	metrics_set(a->m, "faultline_config_last_reload_successful", 1, NULL);
}

/*
 * One journal directory: restore what a dead run left behind. A journal
 * still locked belongs to a run a previous agent left alive: its cluster is
 * held (no runs there) and restored as soon as that run lets go.
 */
static int reconcile_one(const char *dir, void *arg)
{
	struct agent *a = arg;
	if (agent_journal_locked(dir)) {
		agent_hold_start(a, dir);
		return 0;
	}
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	if (j == NULL) {
		log_warnx("agent: journal %s: %s", dir, e.msg);
		return 1;
	}
	struct reconcile_opts ro = {.progress = stderr};
	int left = journal_reconcile(j, &ro, &e);
	if (left < 0)
		log_warnx("agent: journal %s: %s", journal_file(j), e.msg);
	else if (left > 0)
		log_warnx("agent: %d run(s) in %s are NOT restored: their cluster is held until an operator runs "
		          "`faultline restore --state %s` (or --force)",
		          left, journal_file(j), a->o->state_dir);
	journal_close(j);
	return left == 0 ? 0 : 1;
}

/*
 * Before scheduling anything: every fault a previous agent or run left
 * injected (it was killed, the host rebooted) is restored now.
 */
static void reconcile_at_start(struct agent *a)
{
	if (journal_state_each(a->o->state_dir, reconcile_one, a) != 0)
		log_warnx("agent: some faults could not be restored at start; runs on those clusters will refuse to "
		          "start");
	agent_faults_open_changed(a); /* what orphans still hold counts from the start */
}

static int setup(struct agent *a, const struct agent_opts *o)
{
	a->o = o;
	a->exit_code = FL_EXIT_OK;
	a->results_dir = o->results_dir ? xstrdup(o->results_dir) : xasprintf("%s/results", o->state_dir);
	a->control_path = o->control ? xstrdup(o->control) : xasprintf("%s/control.sock", o->state_dir);
	a->run_bin = xstrdup(o->run_bin ? o->run_bin : "/proc/self/exe");
	clock_timer_init(&a->tick);
	clock_timer_init(&a->stop_timer);
	init_metrics(a);
	struct fl_err e;
	if (make_dir(o->state_dir) < 0 || lock_state(a) < 0 || make_dir(a->results_dir) < 0)
		return FL_EXIT_BACKEND;
	if (load_plans(a) < 0)
		return FL_EXIT_INVALID;
	a->clk = clock_new_real();
	if ((a->loop = loop_new(a->clk, &e)) == NULL) {
		log_warnx("%s", e.msg);
		return FL_EXIT_BACKEND;
	}
	reconcile_at_start(a); /* holds need the loop */
	return open_services(a) < 0 ? FL_EXIT_BACKEND : FL_EXIT_OK;
}

static void teardown(struct agent *a)
{
	while (a->runs != NULL) /* only after the stop timeout: they go on without us */
		agent_child_forget(a->runs);
	agent_holds_forget(a);
	control_stop(a->ctl);
	metrics_http_stop(a->http);
	if (a->loop != NULL) {
		clock_timer_stop(a->clk, &a->tick);
		clock_timer_stop(a->clk, &a->stop_timer);
		loop_signal_stop(a->loop, &a->sig);
	}
	loop_free(a->loop);
	clock_free(a->clk);
	metrics_free(a->m);
	agent_planset_fini(&a->set);
	free(a->results_dir);
	free(a->reload_error);
	free(a->control_path);
	free(a->run_bin);
	if (a->lockfd >= 0)
		close(a->lockfd);
}

int agent_main(const struct agent_opts *o)
{
	struct agent a;
	memset(&a, 0, sizeof(a));
	a.lockfd = -1;
	int code = setup(&a, o);
	if (code == FL_EXIT_OK) {
		log_info("agent: %zu scheduled plan(s) from %s; control %s; results %s", a.set.n, o->plans_dir,
		         a.control_path, a.results_dir);
		agent_reschedule(&a);
		if (loop_run(a.loop) == LOOP_EXIT_ERROR)
			a.exit_code = FL_EXIT_BACKEND;
		code = a.exit_code;
		log_info("agent: stopped");
	}
	teardown(&a);
	return code;
}
