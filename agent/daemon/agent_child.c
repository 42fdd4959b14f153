/*
 * agent_child.c - each run is a child `faultline run`, supervised here.
 *
 * A run blocks in its own loop and may crash; in a child it can do neither
 * to the agent. The child writes JSON lines on descriptor 3 (run
 * --events-fd 3): they keep the agent's view of open trials and verdicts,
 * and its metrics, current. Its exit is seen through a pidfd: no SIGCHLD,
 * no blocking wait. Abort is SIGTERM, on which `run` restores and reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent_int.h"
#include "faultline/journal.h"
#include "faultline/log.h"
#include "faultline/metrics.h"
#include "faultline/plan.h"
#include "faultline/util.h"

static void trial_free(struct agent_trial *t)
{
	free(t->fault);
	free(t->resource);
	free(t->action);
	free(t);
}

static void on_injected(struct agent_run *r, json_t *j)
{
	const char *fault = json_string_value(json_object_get(j, "fault"));
	const char *action = json_string_value(json_object_get(j, "action"));
	const char *result = json_string_value(json_object_get(j, "result"));
	const char *res = json_string_value(json_object_get(j, "resource"));
	if (fault == NULL || action == NULL || result == NULL || res == NULL)
		return;
	metrics_add(r->agent->m, "faultline_injections_total", 1, "plan", r->plan, "action", action, "result", result,
	            NULL);
	if (strcmp(result, "accepted") != 0)
		return;
	struct agent_trial *t = xcalloc(1, sizeof(*t));
	t->fault = xstrdup(fault);
	t->trial = (int)json_integer_value(json_object_get(j, "trial"));
	t->resource = xstrdup(res);
	t->action = xstrdup(action);
	t->next = r->open;
	r->open = t;
	r->nopen++;
	agent_faults_open_changed(r->agent);
}

static void on_trial(struct agent_run *r, json_t *j)
{
	const char *fault = json_string_value(json_object_get(j, "fault"));
	int trial = (int)json_integer_value(json_object_get(j, "trial"));
	for (struct agent_trial **p = &r->open; fault != NULL && *p; p = &(*p)->next)
		if (strcmp((*p)->fault, fault) == 0 && (*p)->trial == trial) {
			struct agent_trial *t = *p;
			*p = t->next;
			trial_free(t);
			r->nopen--;
			agent_faults_open_changed(r->agent);
			break;
		}
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(j, "probes"), i, m)
	{
		const char *probe = json_string_value(json_object_get(m, "probe"));
		if (probe != NULL)
			metrics_observe(r->agent->m, "faultline_recovery_seconds",
			                json_number_value(json_object_get(m, "recovery_s")), "plan", r->plan, "probe",
			                probe, NULL);
	}
}

static void on_verdict(struct agent_run *r, json_t *j, const char *line)
{
	const char *v = json_string_value(json_object_get(j, "verdict"));
	free(r->verdict);
	r->verdict = v ? xstrdup(v) : NULL;
	metrics_note_verdict(r->agent->m, r->plan, line);
}

static void on_event(struct agent_run *r, const char *line)
{
	json_t *j = json_loads(line, 0, NULL);
	const char *ev = json_string_value(json_object_get(j, "event"));
	if (ev == NULL) {
		log_warnx("run %s: unreadable event line: %.80s", r->id, line);
	} else if (strcmp(ev, "phase") == 0) {
		const char *ph = json_string_value(json_object_get(j, "phase"));
		free(r->phase);
		r->phase = xstrdup(ph ? ph : "?");
	} else if (strcmp(ev, "injected") == 0) {
		on_injected(r, j);
	} else if (strcmp(ev, "trial") == 0) {
		on_trial(r, j);
	} else if (strcmp(ev, "verdict") == 0) {
		on_verdict(r, j, line);
	}
	json_decref(j);
}

/* Read what the pipe has; complete lines are events. Returns false at EOF or error. */
static bool read_events(struct agent_run *r)
{
	for (;;) {
		if (r->nbuf == sizeof(r->buf) - 1)
			r->nbuf = 0; /* a line this long is not ours: drop it */
		ssize_t n = read(r->evfd, r->buf + r->nbuf, sizeof(r->buf) - 1 - r->nbuf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 && errno == EAGAIN;
		r->nbuf += (size_t)n;
		r->buf[r->nbuf] = '\0';
		char *start = r->buf, *nl;
		while ((nl = strchr(start, '\n')) != NULL) {
			*nl = '\0';
			on_event(r, start);
			start = nl + 1;
		}
		r->nbuf -= (size_t)(start - r->buf);
		memmove(r->buf, start, r->nbuf);
	}
}

static void close_events(struct agent_run *r)
{
	if (r->evfd < 0)
		return;
	loop_io_stop(r->agent->loop, &r->ev_io);
	close(r->evfd);
	r->evfd = -1;
}

static void on_events_ready(struct loop_io *io, uint32_t events, void *arg)
{
	struct agent_run *r = arg;
	(void)io, (void)events;
	if (!read_events(r))
		close_events(r);
}

/*
 * The run's own verdict (its final event: pass, fail, inconclusive,
 * aborted, error), so the counter says what the report says; from the exit
 * status only when the run died before telling.
 */
static const char *outcome(const struct agent_run *r, int status)
{
	static const char *const by_exit[] = {"pass", "fail", "error", "aborted", "error"};
	if (WIFEXITED(status) && r->verdict != NULL)
		return r->verdict;
	if (WIFEXITED(status) && WEXITSTATUS(status) < 5)
		return by_exit[WEXITSTATUS(status)];
	return "crashed";
}

static void run_free(struct agent_run *r)
{
	struct agent *a = r->agent;
	for (struct agent_run **p = &a->runs; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			break;
		}
	close_events(r);
	agent_runlog_stop(r);
	loop_io_stop(a->loop, &r->pid_io);
	close(r->pidfd);
	while (r->open != NULL) {
		struct agent_trial *t = r->open;
		r->open = t->next;
		trial_free(t);
	}
	free(r->id);
	free(r->plan);
	free(r->cluster_key);
	free(r->journal_dir);
	free(r->phase);
	free(r->verdict);
	free(r);
}

static void note_result(struct agent_run *r, int status, const char *out)
{
	struct agent *a = r->agent;
	metrics_add(a->m, "faultline_runs_total", 1, "plan", r->plan, "outcome", out, NULL);
	metrics_set(a->m, "faultline_last_run_timestamp_seconds", (double)agent_wall(), "plan", r->plan, NULL);
	struct agent_plan *ap = agent_planset_find(&a->set, r->plan);
	if (ap != NULL) {
		free(ap->last_verdict);
		ap->last_verdict = r->verdict ? xstrdup(r->verdict) : xstrdup(out);
		ap->last_exit = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
	if (r->nopen > 0)
		log_warnx("run %s ended (%s) with %u trial(s) still open, first: fault %s #%d on \"%s\"; "
		          "restoring its cluster now",
		          r->id, out, r->nopen, r->open->fault, r->open->trial, r->open->resource);
	else if (!WIFEXITED(status))
		log_warnx("run %s ended (%s): restoring whatever its journal has open now", r->id, out);
	else
		log_info("run %s finished: %s%s%s", r->id, out, r->verdict ? ", verdict " : "",
		         r->verdict ? r->verdict : "");
}

static void on_exit_ready(struct loop_io *io, uint32_t events, void *arg)
{
	struct agent_run *r = arg;
	(void)io, (void)events;
	int status;
	pid_t pid = waitpid(r->pid, &status, WNOHANG);
	if (pid == 0 || (pid < 0 && errno == EINTR))
		return; /* not yet: the pidfd stays readable */
	if (pid < 0)
		status = 255 << 8;
	if (r->evfd >= 0)
		read_events(r); /* what it wrote before exiting */
	agent_runlog_stop(r);   /* its last lines before ours about it */
	note_result(r, status, outcome(r, status));
	struct agent *a = r->agent;
	/* It died without restoring (or said so): reconcile now, not at its next fire time. */
	if (!WIFEXITED(status) || r->nopen > 0)
		agent_hold_start(a, r->journal_dir);
	run_free(r);
	agent_faults_open_changed(a);
	agent_results_prune(a->results_dir, a->o->keep_runs, a->o->keep_days, agent_wall());
	/*
	 * Each run's allocations land on heap pages not touched before, so RSS
	 * crept (~1 kB per run in the soak, the heap itself not growing, no
	 * leak at exit): hand the free pages back once per run.
	 */
	malloc_trim(0);
	agent_run_finished(a);
}

static char *make_id(struct agent *a, const char *plan)
{
	time_t now = (time_t)agent_wall();
	struct tm tm;
	char stamp[32];
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	char *id = xasprintf("%s-%s", plan, stamp);
	for (int i = 2; agent_child_find(a, id) != NULL; i++) {
		free(id);
		id = xasprintf("%s-%s-%d", plan, stamp, i);
	}
	return id;
}

/* In the child, between fork and exec: async-signal-safe calls only. */
static void exec_child(char *const argv[], int evw, int logw)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the agent's signalfd set is blocked */
	int null = open("/dev/null", O_RDWR);
	if (dup2(evw, 3) < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0 ||
	    (logw >= 0 && dup2(logw, STDERR_FILENO) < 0))
		_exit(127);
	execv(argv[0], argv);
	_exit(127);
}

static pid_t spawn(struct agent *a, struct agent_plan *ap, const struct agent_run *r, int *evr, int *logr)
{
	const char *id = r->id;
	char *json = xasprintf("%s/%s.json", a->results_dir, id), *junit = xasprintf("%s/%s.xml", a->results_dir, id);
	/* --state: the run journals every injection, and restores what a crashed run left first. */
	char *argv[] = {a->run_bin,    "run", ap->plan->path, "--json",       json,       "--junit",  junit,
	                "--events-fd", "3",   "--state",      r->journal_dir, "--run-id", (char *)id, NULL};
	int p[2], l[2] = {-1, -1};
	pid_t pid = -1;
	if (pipe2(l, O_CLOEXEC) != 0) /* without it the run logs unprefixed: not a reason not to run */
		l[0] = l[1] = -1;
	if (pipe2(p, O_CLOEXEC) != 0) {
		log_warn("run %s: pipe", id);
	} else if ((pid = fork()) == 0) {
		exec_child(argv, p[1], l[1]);
	} else {
		close(p[1]);
		if (pid < 0) {
			log_warn("run %s: fork", id);
			close(p[0]);
		} else {
			fcntl(p[0], F_SETFL, O_NONBLOCK);
			*evr = p[0];
		}
	}
	if (l[1] >= 0)
		close(l[1]);
	if (pid > 0 && l[0] >= 0) {
		fcntl(l[0], F_SETFL, O_NONBLOCK);
		*logr = l[0];
	} else if (l[0] >= 0) {
		close(l[0]);
	}
	free(json);
	free(junit);
	return pid;
}

int agent_child_start(struct agent *a, struct agent_plan *ap, int64_t fire)
{
	struct agent_run *r = xcalloc(1, sizeof(*r));
	r->agent = a;
	r->id = make_id(a, ap->plan->name);
	r->plan = xstrdup(ap->plan->name);
	r->cluster_key = xstrdup(ap->cluster_key);
	r->journal_dir = agent_journal_dir(a, ap->plan);
	r->phase = xstrdup("starting");
	r->started = fire;
	r->evfd = r->pidfd = r->logfd = -1;
	int logr = -1;
	r->pid = spawn(a, ap, r, &r->evfd, &logr);
	if (logr >= 0 && agent_runlog_start(r, logr) < 0)
		close(logr);
	if (r->pid > 0 && (r->pidfd = (int)syscall(SYS_pidfd_open, r->pid, 0)) < 0)
		log_warn("run %s: pidfd_open", r->id); /* cannot supervise it: stop it (it restores) */
	if (r->pid > 0 && r->pidfd < 0)
		kill(r->pid, SIGTERM);
	r->next = a->runs;
	a->runs = r;
	if (r->pidfd < 0 || loop_io_start(a->loop, &r->pid_io, r->pidfd, EPOLLIN, on_exit_ready, r) < 0 ||
	    loop_io_start(a->loop, &r->ev_io, r->evfd, EPOLLIN, on_events_ready, r) < 0) {
		metrics_add(a->m, "faultline_runs_total", 1, "plan", r->plan, "outcome", "not_started", NULL);
		log_warnx("run %s: could not be started", r->id);
		run_free(r);
		return -1;
	}
	ap->served = ++a->starts;
	log_info("run %s: started (pid %d): %s", r->id, (int)r->pid, ap->plan->path);
	return 0;
}

void agent_child_forget(struct agent_run *r)
{
	run_free(r);
}

void agent_child_abort(struct agent_run *r)
{
	if (r->aborting)
		return;
	r->aborting = true;
	log_info("run %s: aborting (SIGTERM to pid %d: it restores, then reports)", r->id, (int)r->pid);
	kill(r->pid, SIGTERM);
}

struct agent_run *agent_child_find(struct agent *a, const char *id)
{
	for (struct agent_run *r = a->runs; r; r = r->next)
		if (strcmp(r->id, id) == 0)
			return r;
	return NULL;
}

bool agent_cluster_busy(const struct agent *a, const struct agent_plan *ap)
{
	for (const struct agent_run *r = a->runs; r; r = r->next)
		if (strcmp(r->cluster_key, ap->cluster_key) == 0)
			return true;
	if (a->holds == NULL)
		return false;
	char *dir = agent_journal_dir(a, ap->plan);
	bool held = agent_hold_covers(a, dir);
	free(dir);
	return held;
}
