/*
 * test_live.c - the live terminal view, in a real terminal: `faultline run`
 * inside a tmux session (send-keys starts it, capture-pane reads the
 * screen). Real time, about 5 s per run, on a free loopback port written
 * into a copy of tests/data/live/ (its files say 24331: a fixed port met
 * another suite's run on the same machine); the runs are sequential in one
 * test so they never contend for it. Skipped loudly without tmux.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultline/util.h"
#include "port_fixture.h"
#include "scratch_dir.h"

/* No .timeout: with several timed suites Criterion 2.4 leaks 48 bytes under ASan; every wait here is bounded. */
TestSuite(live);

static char sock[64];

static int sh(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	size_t cap = 1 << 16, len = 0, n;
	char *buf = xmalloc(cap);
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0)
		len += n;
	buf[len] = '\0';
	int st = pclose(p);
	if (out != NULL)
		*out = buf;
	else
		free(buf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *capture(bool escapes)
{
	char *cmd = xasprintf("tmux -L %s capture-pane -p %s -t t", sock, escapes ? "-e" : ""), *out;
	sh(cmd, &out);
	free(cmd);
	return out;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, ms % 1000 * 1000000L};
	nanosleep(&ts, NULL);
}

/* Start `env faultline run ARGS; echo EXIT=$?` in a fresh 160x50 tmux server of its own. */
static void start(const char *env, const char *args)
{
	static int n;
	const char *bin = getenv("FAULTLINE_BIN") ? getenv("FAULTLINE_BIN") : "./faultline";
	char *cwd = getcwd(NULL, 0);
	snprintf(sock, sizeof(sock), "faultline-test-%d-%d", (int)getpid(), n++);
	char *cmd = xasprintf("tmux -L %s new-session -d -x 160 -y 50 -s t -c %s && "
	                      "tmux -L %s send-keys -t t 'clear; %s %s run %s; echo EXIT=$?' Enter",
	                      sock, cwd, sock, env, bin, args);
	cr_assert_eq(sh(cmd, NULL), 0, "%s", cmd);
	free(cmd);
	free(cwd);
}

/* Drop the run's tmux server: a failed check must not leave it (and the run in it) behind. */
static void drop_tmux(void)
{
	char *cmd = xasprintf("tmux -L %s kill-server 2>/dev/null", sock);
	sh(cmd, NULL);
	free(cmd);
}

static bool shows_all(const char *screen, const char *const *want)
{
	for (size_t i = 0; want[i] != NULL; i++)
		if (strstr(screen, want[i]) == NULL)
			return false;
	return true;
}

/*
 * Poll the screen every 50 ms (bounded: 20 s) until it shows every string
 * of want (NULL-terminated); return that screen. The view redraws its frame
 * line by line, so a capture can catch half of one: waiting for all the
 * lines a check needs, rather than one of them and then asserting on the
 * rest, never judges a half-drawn frame.
 */
static char *wait_for_all(bool escapes, const char *const *want)
{
	for (int i = 0; i < 400; i++) {
		char *screen = capture(escapes);
		if (shows_all(screen, want))
			return screen;
		free(screen);
		sleep_ms(50);
	}
	char *screen = capture(escapes);
	for (size_t i = 0; want[i] != NULL; i++)
		cr_expect_not_null(strstr(screen, want[i]), "never saw \"%s\" on the screen", want[i]);
	drop_tmux();
	cr_assert_fail("the screen never showed them all:\n%s", screen);
	return NULL;
}

static char *wait_for(const char *want, bool escapes)
{
	const char *const one[] = {want, NULL};
	return wait_for_all(escapes, one);
}

/* Wait for the run to end (it holds the port), then drop its tmux server. */
static char *finish(void)
{
	char *s = wait_for("\nEXIT=", false); /* not the typed "echo EXIT=$?" */
	drop_tmux();
	return s;
}

static bool have_tmux(void)
{
	return sh("command -v tmux >/dev/null 2>&1", NULL) == 0;
}

Test(live, view_on_a_tty_colour_no_color_and_plain_lines)
{
	if (!have_tmux()) {
		fprintf(stderr, "\n*** SKIPPED live::view_on_a_tty...: tmux is not installed (apt-get install tmux): "
		                "the live view was NOT tested ***\n\n");
		cr_skip_test("tmux is not installed: the live view was NOT tested");
	}
	char *dir = scratch_dir("fl-live"); /* removed at exit, even when an assertion stops the test */
	unsigned port = free_port();
	copy_with_port("tests/data/live/live.yaml", dir, "live.yaml", 24331, port);
	copy_with_port("tests/data/live/topo.yaml", dir, "topo.yaml", 24331, port);
	char *plan = xasprintf("%s/live.yaml", dir), *args;
	/* Mid-run: a trial is open and its recovery clock runs. */
	start("", plan);
	const char *const mid_trial[] = {"recovering for",
	                                 "faultline live-view  phase faults  elapsed ",
	                                 "open trials: 1\n  fail-app #",
	                                 "probe app-port  ",
	                                 "slo fast  ",
	                                 NULL};
	char *s = wait_for_all(false, mid_trial);
	free(s);
	/* Between trials: the countdown to the next injection, an SLO judged so far, in colour. */
	const char *const between[] = {"trials closed 1,", "next injection in ", "\033[32mpass so far",
	                               "probe app-port  \033[32mup", NULL};
	s = wait_for_all(true, between);
	free(s);
	/* The last frame stays above the summary; restore lines follow it plainly. */
	s = finish();
	cr_assert_not_null(strstr(s, "EXIT=0"), "%s", s);
	cr_assert_not_null(strstr(s, "trials closed 2, recovered 2"), "%s", s);
	cr_assert_not_null(strstr(s, "slo fast  pass so far  max "), "%s", s);
	cr_assert_not_null(strstr(s, "restore: everything verified (2 resource(s) checked)"), "%s", s);
	cr_assert_not_null(strstr(s, "verdict: PASS (exit 0: passed: 2 trial(s) recovered, 1 SLO(s) passed)"), "%s", s);
	free(s);
	/* NO_COLOR: the same view, no colour. */
	start("NO_COLOR=1", plan);
	const char *const plain[] = {"trials closed 1,", "slo fast  pass so far", NULL};
	s = wait_for_all(true, plain);
	cr_assert_null(strstr(s, "\033[32m"), "NO_COLOR honoured: %s", s);
	free(s);
	free(finish());
	/* --quiet on a terminal: no view, no progress lines, only the summary. */
	args = xasprintf("--quiet %s", plan);
	start("", args);
	free(args);
	s = finish();
	cr_assert_null(strstr(s, "live-view  phase"), "%s", s);
	cr_assert_null(strstr(s, "] plan live-view"), "%s", s);
	cr_assert_not_null(strstr(s, "verdict: PASS"), "%s", s);
	free(s);
	/* stderr not a terminal: plain timestamped lines. */
	args = xasprintf("%s 2>&1 | cat", plan);
	start("", args);
	free(args);
	s = finish();
	cr_assert_null(strstr(s, "live-view  phase"), "%s", s);
	cr_assert_not_null(strstr(s, "s] plan live-view: 1 fault(s), 1 probe(s), backend sim;"), "%s", s);
	cr_assert_not_null(strstr(s, "] all faults done\n"), "%s", s);
	cr_assert_not_null(strstr(s, "\n[   0.00"), "timestamped from the start: %s", s);
	free(s);
	free(plan), free(dir);
}
