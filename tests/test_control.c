/* test_control.c - the control socket: mode 0600, one request one reply, peer credentials. */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "faultline/clock.h"
#include "faultline/control.h"
#include "faultline/loop.h"
#include "faultline/util.h"

static char dir[64], path[128];
static struct fl_clock *clk;
static struct loop *lp;
static struct control *ctl;
static int calls;

static char *echo(const char *req, void *arg)
{
	(void)arg;
	calls++;
	return xasprintf("{\"echo\":\"%s\"}", req);
}

static void setup(void)
{
	strcpy(dir, "/tmp/faultline-ctl-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	clk = clock_new_real();
	struct fl_err e;
	lp = loop_new(clk, &e);
	cr_assert_not_null(lp);
	calls = 0;
	ctl = control_start(lp, path, echo, NULL, &e);
	cr_assert_not_null(ctl, "%s", e.msg);
}

static void teardown(void)
{
	control_stop(ctl);
	loop_free(lp);
	clock_free(clk);
	rmdir(dir);
}

/* Connect, send len bytes of req, serve from the loop until the reply (or EOF) arrives; bounded. */
static char *ask_n(const char *req, size_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_gt(write(fd, req, len), 0);
	static char buf[4096];
	size_t n = 0;
	for (int i = 0; i < 200; i++) {
		loop_run_until(lp, clock_now(clk) + 10 * NSEC_PER_MSEC, 0);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 0) == 1) {
			ssize_t r = read(fd, buf + n, sizeof(buf) - 1 - n);
			if (r <= 0)
				break;
			n += (size_t)r;
		}
	}
	close(fd);
	buf[n] = '\0';
	return buf;
}

static char *ask(const char *req)
{
	return ask_n(req, strlen(req));
}

TestSuite(control, .init = setup, .fini = teardown);

Test(control, a_nul_byte_gets_an_error_reply)
{
	cr_assert_str_eq(ask_n("{\"cmd\":\"sta\0tus\"}\n", 18),
	                 "{\"ok\":false,\"error\":\"control: the request contains a NUL byte\"}\n");
	cr_assert_eq(calls, 0);
}

Test(control, socket_is_private)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert(S_ISSOCK(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0600);
}

Test(control, one_request_one_reply)
{
	cr_assert_str_eq(ask("{\"cmd\":\"status\"}\n"), "{\"echo\":\"{\"cmd\":\"status\"}\"}\n");
	cr_assert_eq(calls, 1);
}

Test(control, a_second_agent_is_refused)
{
	struct fl_err e;
	cr_assert_null(control_start(lp, path, echo, NULL, &e));
	char want[256];
	snprintf(want, sizeof(want), "control socket %s: another agent is listening there", path);
	cr_assert_str_eq(e.msg, want);
}

Test(control, silent_clients_are_dropped_at_the_deadline)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	char c;
	ssize_t r = 1;
	for (int i = 0; i < 400 && r != 0; i++) { /* the deadline is 2 s; give it 4 */
		loop_run_until(lp, clock_now(clk) + 10 * NSEC_PER_MSEC, 0);
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 0) == 1)
			r = read(fd, &c, 1);
	}
	cr_assert_eq(r, 0, "the agent closed the idle connection");
	cr_assert_eq(calls, 0);
	close(fd);
}

Test(control, peer_rule)
{
	cr_assert(control_peer_allowed(1000, 1000));
	cr_assert(control_peer_allowed(0, 1000), "root may");
	cr_assert_not(control_peer_allowed(1001, 1000));
	cr_assert_not(control_peer_allowed(65534, 0));
}

Test(control, another_uid_is_refused_even_when_the_mode_would_allow_it)
{
	if (geteuid() != 0)
		cr_skip_test("SKIPPED: needs root to connect as another uid (the rule itself is tested in peer_rule)");
	cr_assert_eq(chmod(path, 0666), 0); /* only SO_PEERCRED stands in the way now */
	cr_assert_eq(chmod(dir, 0755), 0);
	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		char *reply = NULL;
		struct fl_err e;
		int rc = control_request(path, "{\"cmd\":\"pause\"}", &reply, 3000, &e);
		_exit(rc == 0 ? 1 : strstr(e.msg, "closed the connection without a reply") ? 0 : 2);
	}
	int st = 0;
	for (int i = 0; i < 400 && waitpid(pid, &st, WNOHANG) == 0; i++)
		loop_run_until(lp, clock_now(clk) + 10 * NSEC_PER_MSEC, 0);
	cr_assert(WIFEXITED(st));
	cr_assert_eq(WEXITSTATUS(st), 0, "child said %d (1: answered, 2: other error, 3: setuid)", WEXITSTATUS(st));
	cr_assert_eq(calls, 0);
}
