/*
 * run_exec.c - commands the run runs: exec faults, their undo, and hooks.
 *
 * A command is argv without a shell (PATH lookup like execvp), in its own
 * session, stdin from /dev/null, stdout and stderr into one pipe that is
 * captured (RECORD_EXEC_OUTPUT_MAX bytes) into the record's `execs`, and
 * the run's context in its environment (FAULTLINE_PLAN, FAULTLINE_FAULT,
 * FAULTLINE_TRIAL, FAULTLINE_TARGET, ...: docs/plan-format.md). At its
 * timeout its process group gets SIGTERM, then SIGKILL after EXEC_GRACE.
 *
 * On a real clock a command runs beside the loop: a timer polls it every
 * EXEC_POLL (drain the pipe, waitpid WNOHANG, the deadline), nothing
 * blocks. On a virtual clock a real process cannot keep pace with a clock
 * that jumps hours at once, so the command runs to completion (bounded by
 * its timeout, in real time) while the virtual clock stands still.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultline/cmd.h"
#include "faultline/duration.h"
#include "faultline/spawn.h"
#include "faultline/util.h"
#include "run_int.h"

#define EXEC_POLL  (10 * NSEC_PER_MSEC)
#define EXEC_GRACE (500 * NSEC_PER_MSEC)

static uint64_t real_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

void run_env_init(struct run_env *env)
{
	memset(env, 0, sizeof(*env));
}

void run_env_set(struct run_env *env, const char *key, const char *value)
{
	if (value == NULL || env->n >= RUN_ENV_MAX)
		return;
	env->kv[env->n++] = xasprintf("%s=%s", key, value);
}

void run_env_fini(struct run_env *env)
{
	for (size_t i = 0; i < env->n; i++)
		free(env->kv[i]);
	env->n = 0;
}

void run_env_context(const struct run *r, struct run_env *env)
{
	char buf[32];
	run_env_set(env, "FAULTLINE_PLAN", r->plan->name);
	run_env_set(env, "FAULTLINE_PLAN_FILE", r->plan->path);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)r->plan->seed);
	run_env_set(env, "FAULTLINE_SEED", buf);
	run_env_set(env, "FAULTLINE_BACKEND", r->plan->cluster.backend);
}

/* The run's own context, common to every command. */
static void env_common(struct run *r, struct run_env *env)
{
	char buf[32];
	run_env_context(r, env);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(run_now(r) / NSEC_PER_MSEC));
	run_env_set(env, "FAULTLINE_RUN_TIME_MS", buf);
}

static struct rec_exec *new_rec(struct run *r, const char *name, char *const *argv, const char *target)
{
	struct run_record *rec = r->rec;
	XGROW(rec->execs, rec->capexecs, rec->nexecs + 1);
	struct rec_exec *x = &rec->execs[rec->nexecs++];
	memset(x, 0, sizeof(*x));
	x->name = xstrdup(name);
	x->command = argv_join(argv);
	x->target = target ? xstrdup(target) : NULL;
	x->started_at = run_now(r);
	x->exit_status = -1;
	return x;
}

static struct rec_exec *rec_of(struct run_cmd *c)
{
	return &c->r->rec->execs[c->rec];
}

/* Read what is there; keep the first RECORD_EXEC_OUTPUT_MAX bytes. */
static void drain(struct run_cmd *c)
{
	char buf[4096];
	ssize_t n;
	while (c->outfd >= 0 && (n = read(c->outfd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				c->out_eof = true;
			break;
		}
		size_t room = RECORD_EXEC_OUTPUT_MAX - c->nout, take = (size_t)n < room ? (size_t)n : room;
		memcpy(c->out + c->nout, buf, take);
		c->nout += take;
		c->truncated |= take < (size_t)n;
	}
	if (c->outfd >= 0 && n == 0)
		c->out_eof = true;
}

/* One look at the child: output, exit, deadline. True once it is reaped. */
static bool step(struct run_cmd *c)
{
	drain(c);
	int st;
	pid_t got = waitpid(c->pid, &st, WNOHANG);
	if (got == c->pid) {
		kill(-c->pid, SIGKILL); /* what it left behind in its group dies with it */
		drain(c);
		struct rec_exec *x = rec_of(c);
		if (WIFEXITED(st))
			x->exit_status = c->killed ? -1 : WEXITSTATUS(st);
		if (WIFSIGNALED(st) && !c->killed)
			x->error = xasprintf("killed by signal %d", WTERMSIG(st));
		return true;
	}
	uint64_t now = real_now();
	if (!c->killed && now >= c->deadline) {
		c->killed = true;
		kill(-c->pid, SIGTERM);
	} else if (c->killed && !c->sigkilled && now >= c->deadline + EXEC_GRACE) {
		c->sigkilled = true;
		kill(-c->pid, SIGKILL);
	}
	return false;
}

static void finish(struct run_cmd *c)
{
	struct rec_exec *x = rec_of(c);
	x->duration_ns = real_now() - c->started_real;
	if (c->status_fd >= 0) {
		int err = 0;
		if (read(c->status_fd, &err, sizeof(err)) == (ssize_t)sizeof(err) && err != 0) {
			free(x->error);
			x->error = xasprintf("cannot run %s: %s", x->command, strerror(err));
			x->exit_status = -1;
		}
		close(c->status_fd);
		c->status_fd = -1;
	}
	if (c->killed) {
		char b[32];
		x->timed_out = true;
		free(x->error);
		x->error = xasprintf("timed out after %s: killed", duration_format(c->timeout_ns, b, sizeof(b)));
	} else if (c->cut) {
		free(x->error);
		x->error = xstrdup("killed: the run ended first");
	}
	x->output = xstrndup(c->out, c->nout);
	x->truncated = c->truncated;
	if (c->outfd >= 0)
		close(c->outfd);
	c->outfd = -1;
	c->done = true;
}

static void unlink_cmd(struct run *r, struct run_cmd *c)
{
	for (struct run_cmd **pp = &r->cmds; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			return;
		}
}

static void complete(struct run_cmd *c)
{
	struct run *r = c->r;
	finish(c);
	unlink_cmd(r, c);
	if (c->done_cb != NULL)
		c->done_cb(r, c->rec, c->done_arg);
	free(c->out);
	free(c);
}

static void on_poll(void *arg)
{
	struct run_cmd *c = arg;
	if (step(c)) {
		complete(c);
		return;
	}
	clock_timer_start(c->r->clk, &c->timer, clock_now(c->r->clk) + EXEC_POLL, on_poll, c);
}

size_t run_cmd_start(struct run *r, const char *name, char *const *argv, const char *target, struct run_env *env,
                     uint64_t timeout_ns, run_cmd_cb done, void *arg)
{
	env_common(r, env);
	struct rec_exec *x = new_rec(r, name, argv, target);
	size_t idx = (size_t)(x - r->rec->execs);
	struct run_cmd *c = xcalloc(1, sizeof(*c));
	c->r = r;
	c->rec = idx;
	c->timeout_ns = timeout_ns;
	c->done_cb = done;
	c->done_arg = arg;
	c->out = xcalloc(1, RECORD_EXEC_OUTPUT_MAX + 1);
	c->outfd = c->status_fd = -1;
	clock_timer_init(&c->timer);
	int out[2], status[2];
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0) {
		x->error = xasprintf("cannot run %s: pipe: %s", x->command, strerror(errno));
		goto failed;
	}
	c->started_real = real_now();
	c->deadline = c->started_real + timeout_ns;
	pid_t pid = fork();
	if (pid < 0) {
		x->error = xasprintf("cannot run %s: fork: %s", x->command, strerror(errno));
		close(out[0]), close(out[1]), close(status[0]), close(status[1]);
		goto failed;
	}
	if (pid == 0)
		spawn_child(argv, env->kv, env->n, NULL, out[1], status[1]);
	close(out[1]);
	close(status[1]);
	run_env_fini(env);
	c->pid = pid;
	c->outfd = out[0];
	c->status_fd = status[0];
	fcntl(c->outfd, F_SETFL, O_NONBLOCK);
	c->next = r->cmds;
	r->cmds = c;
	if (clock_is_virtual(r->clk)) {
		while (!step(c))
			poll(&(struct pollfd){.fd = c->outfd, .events = POLLIN}, 1, 5);
		complete(c);
	} else {
		clock_timer_start(r->clk, &c->timer, clock_now(r->clk) + EXEC_POLL, on_poll, c);
	}
	return idx;
failed:
	run_env_fini(env);
	c->rec = idx;
	c->out[0] = '\0';
	x->output = xstrdup("");
	free(c->out);
	free(c);
	if (done != NULL)
		done(r, idx, arg);
	return idx;
}

bool run_cmd_running(const struct run *r, size_t rec)
{
	for (const struct run_cmd *c = r->cmds; c != NULL; c = c->next)
		if (c->rec == rec)
			return true;
	return false;
}

void run_cmd_wait(struct run *r, size_t rec)
{
	while (run_cmd_running(r, rec)) /* its poll timer wakes the loop */
		loop_run_once(r->loop);
}

void run_cmd_settle(struct run *r)
{
	while (r->cmds != NULL) /* each ends by itself or at its own timeout */
		loop_run_once(r->loop);
}

/* The end of the run: whatever still runs is killed and reaped (its record says so). */
void run_cmd_fini(struct run *r)
{
	while (r->cmds != NULL) {
		struct run_cmd *c = r->cmds;
		clock_timer_stop(r->clk, &c->timer);
		kill(-c->pid, SIGKILL);
		int st;
		while (waitpid(c->pid, &st, 0) < 0 && errno == EINTR)
			;
		c->cut = true;
		drain(c);
		complete(c);
	}
}

static void hook_done(struct run *r, size_t idx, void *arg)
{
	(void)arg;
	const struct rec_exec *x = &r->rec->execs[idx];
	if (x->error != NULL)
		run_progress(r, "%s: %s", x->name, x->error);
	else
		run_progress(r, "%s: exit status %d", x->name, x->exit_status);
}

/* Run a hook (if the plan has it) with the run's context plus what the hook is about. */
static void hook(struct run *r, const char *which, char **argv, struct run_env *env, bool wait)
{
	if (argv == NULL) {
		run_env_fini(env);
		return;
	}
	char name[64];
	snprintf(name, sizeof(name), "hook %s", which);
	run_env_set(env, "FAULTLINE_HOOK", which);
	size_t idx = run_cmd_start(r, name, argv, NULL, env, r->plan->hooks.timeout_ns, hook_done, NULL);
	if (wait)
		run_cmd_wait(r, idx);
}

int run_hook_before(struct run *r)
{
	struct run_env env;
	run_env_init(&env);
	if (r->plan->hooks.before_run == NULL)
		return 0;
	hook(r, "before_run", r->plan->hooks.before_run, &env, true);
	const struct rec_exec *x = &r->rec->execs[r->rec->nexecs - 1];
	if (x->exit_status == 0)
		return 0;
	if (x->error != NULL)
		run_stop(r, REASON_HOOK_FAILED, "hook before_run: %s; nothing was injected", x->error);
	else
		run_stop(r, REASON_HOOK_FAILED, "hook before_run: exit status %d; nothing was injected",
		         x->exit_status);
	return -1;
}

void run_hook_after_trial(struct run *r, const struct rec_trial *rt)
{
	if (r->plan->hooks.after_trial == NULL)
		return;
	struct run_env env;
	run_env_init(&env);
	char buf[32];
	run_env_set(&env, "FAULTLINE_FAULT", rt->fault_name);
	snprintf(buf, sizeof(buf), "%u", rt->index + 1);
	run_env_set(&env, "FAULTLINE_TRIAL", buf);
	run_env_set(&env, "FAULTLINE_TARGET", rt->resource);
	run_env_set(&env, "FAULTLINE_OUTCOME", trial_outcome_str(rt->outcome));
	hook(r, "after_trial", r->plan->hooks.after_trial, &env, false);
}

void run_hook_after_restore(struct run *r, bool restored)
{
	struct run_env env;
	run_env_init(&env);
	run_env_set(&env, "FAULTLINE_RESTORE", restored ? "ok" : "failed");
	hook(r, "after_restore", r->plan->hooks.after_restore, &env, true);
}

void run_undo_env(const struct run *r, size_t fault, unsigned trial, const char *target, struct run_env *env)
{
	char buf[32];
	run_env_set(env, "FAULTLINE_FAULT", r->plan->faults[fault].name);
	snprintf(buf, sizeof(buf), "%u", trial + 1);
	run_env_set(env, "FAULTLINE_TRIAL", buf);
	run_env_set(env, "FAULTLINE_TARGET", target);
	run_env_set(env, "FAULTLINE_UNDO", "1");
}

int run_undo_all(struct run *r)
{
	int rc = 0;
	for (size_t i = r->nundos; i-- > 0;) {
		struct run_undo *u = &r->undos[i];
		const struct plan_fault *f = &r->plan->faults[u->fault];
		char name[300];
		snprintf(name, sizeof(name), "undo %.250s #%u", f->name, u->trial + 1);
		struct run_env env;
		run_env_init(&env);
		run_undo_env(r, u->fault, u->trial, u->target, &env);
		size_t idx = run_cmd_start(r, name, f->undo, u->target, &env, f->timeout_ns, NULL, NULL);
		run_cmd_wait(r, idx);
		const struct rec_exec *x = &r->rec->execs[idx];
		struct rec_restore *rr = record_add_restore(r->rec);
		rr->resource = xstrdup(name);
		rr->action = xstrdup(x->command);
		rr->ok = x->exit_status == 0 && x->error == NULL;
		rr->detail =
		    x->error ? xasprintf("NOT RESTORED: %s", x->error)
		             : xasprintf("%s: exit status %d", rr->ok ? "verified" : "NOT RESTORED", x->exit_status);
		run_progress(r, "restore: %s: %s", name, rr->detail);
		run_journal_exec_ran(r, u, (size_t)(rr - r->rec->restores));
		if (!rr->ok)
			rc = -1;
	}
	run_journal_exec_unrun(r);
	return rc;
}

void run_undo_free(struct run *r)
{
	for (size_t i = 0; i < r->nundos; i++) {
		free(r->undos[i].target);
		free(r->undos[i].key);
	}
	free(r->undos);
}
