/*
 * agent_runlog.c - a child run's stderr, line by line into the agent's log,
 * each line prefixed with the run id.
 *
 * Runs of several clusters go at once: without the id their progress lines
 * interleave in the log with nothing to tell them apart. A line longer than
 * the buffer is cut (on a UTF-8 boundary) and the rest dropped up to its
 * newline; the run's own output is never blocked on the agent.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "agent_int.h"
#include "faultline/util.h"

static void emit(const struct agent_run *r, const char *line, size_t len)
{
	fprintf(stderr, "run %s: %.*s\n", r->id, (int)utf8_cut(line, len, len), line);
}

/* Complete lines out of the buffer; at EOF (flush) the partial one too. */
static void split(struct agent_run *r, bool flush)
{
	char *start = r->logbuf, *end = r->logbuf + r->nlog, *nl;
	while ((nl = memchr(start, '\n', (size_t)(end - start))) != NULL) {
		if (!r->log_skip)
			emit(r, start, (size_t)(nl - start));
		r->log_skip = false;
		start = nl + 1;
	}
	r->nlog = (size_t)(end - start);
	memmove(r->logbuf, start, r->nlog);
	if (r->nlog == sizeof(r->logbuf) || (flush && r->nlog > 0)) {
		if (!r->log_skip)
			emit(r, r->logbuf, r->nlog);
		r->log_skip = !flush; /* the rest of an over-long line */
		r->nlog = 0;
	}
}

/* Read what is there; false at EOF or error. */
static bool drain(struct agent_run *r)
{
	for (;;) {
		ssize_t n = read(r->logfd, r->logbuf + r->nlog, sizeof(r->logbuf) - r->nlog);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 && errno == EAGAIN;
		r->nlog += (size_t)n;
		split(r, false);
	}
}

static void on_log_ready(struct loop_io *io, uint32_t events, void *arg)
{
	struct agent_run *r = arg;
	(void)io, (void)events;
	if (!drain(r))
		agent_runlog_stop(r);
}

int agent_runlog_start(struct agent_run *r, int fd)
{
	if (loop_io_start(r->agent->loop, &r->log_io, fd, EPOLLIN, on_log_ready, r) < 0)
		return -1;
	r->logfd = fd;
	return 0;
}

void agent_runlog_stop(struct agent_run *r)
{
	if (r->logfd < 0)
		return;
	drain(r);
	split(r, true);
	fflush(stderr);
	loop_io_stop(r->agent->loop, &r->log_io);
	close(r->logfd);
	r->logfd = -1;
}
