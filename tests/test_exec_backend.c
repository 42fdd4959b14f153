/*
 * test_exec_backend.c - the "exec" backend against tests/fake-adapter: the
 * happy path with events, and every way an adapter can let us down (crash,
 * hang, garbage, oversized line, unknown id, no hello, wrong version, a
 * command that does not exist). Per-call deadlines are real time (the
 * adapter is a real process); event stamps use a virtual clock.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"

#define FAKE "tests/fake-adapter/fake-adapter.sh"

struct evlog {
	size_t n;
	char text[512];
};

static void on_event(const struct cluster_event *ev, void *arg)
{
	struct evlog *l = arg;
	size_t len = strlen(l->text);
	snprintf(l->text + len, sizeof(l->text) - len, "%s%s=%s@%s", l->n++ ? " " : "", ev->name,
	         res_state_str((enum res_state)ev->state), ev->owner ? ev->owner : "-");
}

static struct cluster *open_fake(struct fl_clock *clk, const char *mode, uint64_t timeout_ms, struct fl_err *e)
{
	char *argv[] = {FAKE, (char *)mode, NULL};
	struct cluster_config cfg = {.backend = "exec", .command = argv, .timeout_ns = timeout_ms * NSEC_PER_MSEC};
	return cluster_open(&cfg, clk, e);
}

static bool readable(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	return poll(&p, 1, ms) == 1;
}

static void open_fails(const char *mode, const char *want)
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e = {0};
	cr_assert_null(open_fake(clk, mode, 300, &e), "mode %s opened", mode);
	cr_assert_str_eq(e.msg, want);
	clock_free(clk);
}

/* Open, then fail "R2": the call that each misbehaving mode spoils. */
static void fail_fails(const char *mode, uint64_t timeout_ms, const char *want)
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e = {0};
	struct cluster *c = open_fake(clk, mode, timeout_ms, &e);
	cr_assert_not_null(c, "%s", e.msg);
	long code = 0;
	cr_assert_eq(c->ops->fail(c, "R2", &code, &e), -1, "mode %s", mode);
	cr_assert_str_eq(e.msg, want);
	cr_assert_eq(code, -1);
	cluster_close(c);
	clock_free(clk);
}

Test(exec_backend, happy_path_every_call_and_events)
{
	struct fl_clock *clk = clock_new_virtual(7 * NSEC_PER_SEC);
	struct fl_err e;
	struct cluster *c = open_fake(clk, "happy", 5000, &e);
	cr_assert_not_null(c, "%s", e.msg);
	cr_assert_eq(c->caps.offline_flags, OFFLINE_IGNORE_RESOURCE_STATUS | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE);
	cr_assert(c->caps.ops & CLUSTER_OP_OFFLINE_DESTINATION);
	cr_assert(c->caps.notify);

	struct cluster_snapshot s;
	cr_assert_eq(c->ops->snapshot(c, &s, &e), 0, "%s", e.msg);
	cr_assert_eq(s.nnodes, 2);
	cr_assert_eq(s.nresources, 2);
	cr_assert_str_eq(s.resources[1].deps[0], "R1");
	cluster_snapshot_free(&s);

	enum res_state st;
	cr_assert_eq(c->ops->resource_state(c, "R1", &st, &e), 0, "%s", e.msg);
	cr_assert_eq(st, RES_ONLINE);
	long code = -5;
	cr_assert_eq(c->ops->fail(c, "R2", &code, &e), 0, "%s", e.msg);
	cr_assert_eq(code, 0);
	cr_assert_eq(c->ops->offline(c, "R2", OFFLINE_IGNORE_RESOURCE_STATUS, "n2", &code, &e), 0, "%s", e.msg);
	cr_assert_eq(code, 997);
	cr_assert_eq(c->ops->move_group(c, "G", NULL, &code, &e), 0, "%s", e.msg);
	cr_assert_eq(code, 997);
	cr_assert_eq(c->ops->online(c, "R2", &code, &e), -1);
	cr_assert_eq(code, 5023);
	cr_assert_str_eq(e.msg, "resource \"R2\": pending (5023)");

	/* The event sent before fail's answer is queued; the two after it arrive on the socket. */
	int fd = c->ops->notify_fd(c);
	cr_assert(readable(fd, 2000));
	struct evlog l = {0};
	size_t total = 0;
	for (int i = 0; i < 50 && total < 3; i++) { /* bounded: the events may trickle in */
		int n = c->ops->drain(c, on_event, &l, &e);
		cr_assert_geq(n, 0, "%s", e.msg);
		total += (size_t)n;
		if (total < 3)
			readable(fd, 100);
	}
	cr_assert_str_eq(l.text, "R2=failed@n1 R2=online-pending@n1 R2=online@n1");
	cr_assert_not(readable(fd, 0), "drained: nothing left to wake the loop");
	cluster_close(c);
	clock_free(clk);
}

struct nested {
	struct cluster *c;
	struct evlog l;
};

/* Like on_event; on the first event calls the adapter, which sends an event before its answer. */
static void on_event_call(const struct cluster_event *ev, void *arg)
{
	struct nested *n = arg;
	on_event(ev, &n->l);
	long code;
	struct fl_err e;
	if (n->l.n == 1)
		cr_assert_eq(n->c->ops->fail(n->c, "R2", &code, &e), 0, "%s", e.msg);
}

/*
 * Events queued by a call made from a drain callback (three per fail) are
 * delivered, not dropped and leaked (the soak's ASan runs showed the leak; the queue could
 * also move under the loop).
 */
Test(exec_backend, events_queued_during_a_drain_callback_are_delivered)
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e;
	struct nested n = {0};
	n.c = open_fake(clk, "happy", 5000, &e);
	cr_assert_not_null(n.c, "%s", e.msg);
	long code = -5;
	cr_assert_eq(n.c->ops->fail(n.c, "R2", &code, &e), 0, "%s", e.msg); /* one event queued, two to come */
	size_t total = 0;
	for (int i = 0; i < 50 && total < 6; i++) {
		int got = n.c->ops->drain(n.c, on_event_call, &n, &e);
		cr_assert_geq(got, 0, "%s", e.msg);
		total += (size_t)got;
		if (total < 6)
			readable(n.c->ops->notify_fd(n.c), 100);
	}
	cr_assert_eq(n.l.n, 6, "events: %s", n.l.text);
	cluster_close(n.c);
	clock_free(clk);
}

Test(exec_backend, adapter_crash_mid_call)
{
	fail_fails("crash", 5000, "adapter \"" FAKE " crash\": exited with status 3 while answering \"fail\"");
}

Test(exec_backend, crash_ends_the_session_for_later_calls)
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e;
	struct cluster *c = open_fake(clk, "crash", 5000, &e);
	cr_assert_not_null(c, "%s", e.msg);
	long code;
	cr_assert_eq(c->ops->fail(c, "R2", &code, &e), -1);
	enum res_state st;
	cr_assert_eq(c->ops->resource_state(c, "R1", &st, &e), -1);
	cr_assert_str_eq(e.msg, "adapter \"" FAKE " crash\": exited with status 3 while answering \"fail\"");
	struct evlog l = {0};
	cr_assert(readable(c->ops->notify_fd(c), 0), "the loop is woken to hear about it");
	cr_assert_eq(c->ops->drain(c, on_event, &l, &e), -1);
	cr_assert_str_eq(e.msg, "adapter \"" FAKE " crash\": exited with status 3 while answering \"fail\"");
	cluster_close(c);
	clock_free(clk);
}

Test(exec_backend, hang_is_a_timeout)
{
	fail_fails("hang", 300, "adapter \"" FAKE " hang\": no answer to \"fail\" within 300ms");
}

Test(exec_backend, garbage_output)
{
	fail_fails("garbage", 5000,
	           "adapter \"" FAKE " garbage\": line 2: not JSON: column 1: expected a JSON value, got 't'");
}

Test(exec_backend, oversized_line)
{
	fail_fails("huge", 5000,
	           "adapter \"" FAKE " huge\": while answering \"fail\": line 2: longer than 1048576 bytes");
}

Test(exec_backend, answer_to_a_request_never_sent)
{
	fail_fails("unknown", 5000,
	           "adapter \"" FAKE " unknown\": line 2: an answer to request 99, which was never sent");
}

Test(exec_backend, late_answer_after_a_timeout_is_dropped)
{
	/* The adapter answers the first fail only once the next request arrives; each call waits 400 ms. */
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e;
	struct cluster *c = open_fake(clk, "slow", 400, &e);
	cr_assert_not_null(c, "%s", e.msg);
	long code;
	cr_assert_eq(c->ops->fail(c, "R2", &code, &e), -1);
	cr_assert_str_eq(e.msg, "adapter \"" FAKE " slow\": no answer to \"fail\" within 400ms");
	/* The session survives: the next call skips the late answer to request 1 and gets its own. */
	enum res_state st = RES_UNKNOWN;
	cr_assert_eq(c->ops->resource_state(c, "R1", &st, &e), 0, "%s", e.msg);
	cr_assert_eq(st, RES_ONLINE);
	struct evlog l = {0};
	cr_assert_eq(c->ops->drain(c, on_event, &l, &e), 3, "the late call's events were kept");
	cluster_close(c);
	clock_free(clk);
}

Test(exec_backend, start_up_failures)
{
	open_fails("nohello", "adapter \"" FAKE " nohello\": no hello within 300ms");
	open_fails("v9",
	           "adapter \"" FAKE " v9\": line 1: the adapter speaks protocol version 9; this faultline speaks "
	           "versions 1 to 2");
	open_fails("exit", "adapter \"" FAKE " exit\": exited with status 5 before its hello");
	struct fl_clock *clk = clock_new_virtual(0);
	char *argv[] = {"/nonexistent/adapter", NULL};
	struct cluster_config cfg = {.backend = "exec", .command = argv};
	struct fl_err e;
	cr_assert_null(cluster_open(&cfg, clk, &e));
	cr_assert_str_eq(e.msg,
	                 "adapter \"/nonexistent/adapter\": cannot run \"/nonexistent/adapter\": No such file or "
	                 "directory");
	clock_free(clk);
}

/* Journal reconciliation reopens a run's cluster from elsewhere: a relative adapter runs in the run's directory. */
Test(exec_backend, the_adapter_runs_in_the_configured_working_directory)
{
	struct fl_clock *clk = clock_new_virtual(0);
	char *argv[] = {"./fake-adapter.sh", NULL};
	struct cluster_config cfg = {.backend = "exec", .command = argv, .workdir = "tests/fake-adapter"};
	struct fl_err e;
	struct cluster *c = cluster_open(&cfg, clk, &e);
	cr_assert_not_null(c, "%s", e.msg);
	cluster_close(c);
	cfg.workdir = NULL; /* control: from here there is no ./fake-adapter.sh */
	cr_assert_null(cluster_open(&cfg, clk, &e));
	cfg.workdir = "/nonexistent";
	cr_assert_null(cluster_open(&cfg, clk, &e));
	cr_assert_str_eq(e.msg, "adapter \"./fake-adapter.sh\": cannot run \"./fake-adapter.sh\" in the run's working "
	                        "directory /nonexistent: No such file or directory");
	clock_free(clk);
}

Test(exec_backend, caps_come_from_the_hello)
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e;
	struct cluster *c = open_fake(clk, "noflags", 5000, &e);
	cr_assert_not_null(c, "%s", e.msg);
	cr_assert_eq(c->caps.ops, CLUSTER_OP_OFFLINE | CLUSTER_OP_ONLINE);
	cr_assert_eq(c->caps.offline_flags, 0);
	cr_assert_not(c->caps.notify);
	cluster_close(c);
	clock_free(clk);
}

Test(exec_backend, close_kills_a_hung_adapter)
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e;
	struct cluster *c = open_fake(clk, "hang", 200, &e);
	cr_assert_not_null(c, "%s", e.msg);
	long code;
	cr_assert_eq(c->ops->fail(c, "R2", &code, &e), -1); /* now it sleeps, ignoring its stdin */
	cluster_close(c);                                   /* EOF, 1 s grace, SIGTERM: reaped either way */
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "no child left behind");
	clock_free(clk);
}
