/*
 * test_live_size.c - the live view never scrolls: on a pseudo-terminal of
 * 40x8, every line fits in 39 columns and a frame in 7 lines, however
 * long the names and however many probes; after a resize (TIOCSWINSZ) the
 * next frame follows the new size. And the header says why no injection
 * is counting down.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "faultline/live.h"
#include "faultline/report.h"
#include "faultline/util.h"

struct pty {
	int master;
	FILE *slave;
};

static struct pty pty_open(unsigned short cols, unsigned short rows)
{
	struct pty p;
	p.master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(p.master, 0);
	cr_assert_eq(grantpt(p.master), 0);
	cr_assert_eq(unlockpt(p.master), 0);
	int fd = open(ptsname(p.master), O_RDWR | O_NOCTTY);
	cr_assert_geq(fd, 0);
	struct termios t;
	cr_assert_eq(tcgetattr(fd, &t), 0);
	cfmakeraw(&t);
	cr_assert_eq(tcsetattr(fd, TCSANOW, &t), 0);
	struct winsize ws = {.ws_row = rows, .ws_col = cols};
	cr_assert_eq(ioctl(fd, TIOCSWINSZ, &ws), 0);
	p.slave = fdopen(fd, "w");
	fcntl(p.master, F_SETFL, O_NONBLOCK);
	return p;
}

/* Everything written so far. */
static char *drain(int master)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = xcalloc(1, cap);
	ssize_t n;
	while (len < cap - 1 && (n = read(master, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	return buf;
}

/* Display columns of one output line: escape sequences and \r take none. */
static size_t columns(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] == '\033') {
			size_t j = i + 1;
			while (j < n && !(s[j] >= 0x40 && s[j] <= 0x7E && j > i + 1))
				j++;
			i = j + 1;
			continue;
		}
		if (s[i] == '\r') {
			i++;
			continue;
		}
		uint32_t cp;
		size_t l = report_utf8_next(s + i, n - i, &cp);
		w += (size_t)report_cp_width(cp);
		i += l;
	}
	return w;
}

/* Check every line of out against cols, and each frame (lines between cursor-ups) against rows. */
static void check_fits(const char *out, size_t cols, size_t rows)
{
	size_t frame = 0;
	for (const char *p = out; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		const char *up = strstr(p, "A");
		if (p[0] == '\033' && up != NULL && up < p + n && p[1] == '[') { /* "\033[NA" starts a frame */
			cr_assert_leq(strtoul(p + 2, NULL, 10), rows - 1, "moved up past the screen");
			frame = 0;
		}
		cr_assert_leq(columns(p, n), cols - 1, "a line of %zu columns on a %zu-column terminal: %.*s",
		              columns(p, n), cols, (int)n, p);
		if (nl != NULL)
			frame++;
		cr_assert_leq(frame, rows - 1, "a frame of more than %zu lines", rows - 1);
		p = nl ? nl + 1 : p + n;
	}
}

static struct run_view big_view(struct run_view_probe *probes, size_t n)
{
	static const char *const long_reason =
	    "connect: Connection refused by 127.0.0.1:14330 after three attempts on node-c.example.internal";
	for (size_t i = 0; i < n; i++)
		probes[i] =
		    (struct run_view_probe){"sql-port-with-a-long-name", PROBE_DOWN, 1500000000ULL, long_reason};
	struct run_view v = {.plan = "a plan whose name is longer than the whole terminal is wide",
	                     .phase = "faults",
	                     .elapsed_ns = 61000000000ULL,
	                     .probes = probes,
	                     .nprobes = n,
	                     .remaining = 3};
	return v;
}

Test(live_size, never_wider_or_taller_than_the_terminal)
{
	struct pty p = pty_open(40, 8);
	struct live *l = live_new(p.slave, true);
	live_log(l, "fault fail-sql #2: fail \"SQL Server (MSSQLSERVER)\" on node-b: accepted, the node is at the end");
	struct run_view_probe probes[10];
	struct run_view v = big_view(probes, 10);
	live_draw(l, &v);
	live_draw(l, &v);
	char *out = drain(p.master);
	cr_assert_not_null(strstr(out, "\033[7A"), "the second frame moves up over 7 lines: %s", out);
	check_fits(out, 40, 8);
	free(out);
	/* The terminal grows: the next frame uses the room. */
	struct winsize ws = {.ws_row = 30, .ws_col = 200};
	cr_assert_eq(ioctl(fileno(p.slave), TIOCSWINSZ, &ws), 0);
	live_draw(l, &v);
	out = drain(p.master);
	check_fits(out, 200, 30);
	cr_assert_not_null(strstr(out, "on node-c.example.internal)"), "a wide terminal shows the whole reason: %s",
	                   out);
	free(out);
	live_free(l);
	fclose(p.slave);
	close(p.master);
}

Test(live_size, says_why_no_injection_is_counting_down)
{
	struct pty p = pty_open(120, 20);
	struct live *l = live_new(p.slave, false);
	struct run_view_trial open[] = {{"fail-sql", 1, "SQL Server", 2000000000ULL}};
	struct run_view v = {.plan = "p", .phase = "faults", .open = open, .nopen = 1, .remaining = 3};
	live_draw(l, &v);
	v.nopen = 0;
	live_draw(l, &v);
	v.remaining = 0;
	live_draw(l, &v);
	char *out = drain(p.master);
	cr_assert_not_null(strstr(out, "next injection: when the open trial(s) close (3 more planned)"), "%s", out);
	cr_assert_not_null(strstr(out, "next injection: held until the cluster settles (3 more planned)"), "%s", out);
	cr_assert_not_null(strstr(out, "next injection: none left"), "%s", out);
	free(out);
	live_free(l);
	fclose(p.slave);
	close(p.master);
}
