/*
 * exec_node_cmd.c - node_down and node_up on a real cluster: no cluster
 * API crashes a node (WSFC has none, Pacemaker neither), so the plan's
 * `cluster:` section names the commands that do (ssh to power a node off,
 * kill its cluster stack, start it again). They run like an adapter does
 * (exec_child.c: no shell, their own session, stdin and stdout a socket
 * whose stdin side is closed at once, stderr ours), once per call, with a deadline; at the deadline the whole
 * process group is killed. What the command printed on stdout, its tail,
 * goes into the error when it fails. Here, beside the adapter process it
 * runs like, so that every backend with no node API of its own (exec,
 * wsfc, pacemaker) can put these in its ops table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "exec.h"
#include "exec_int.h"
#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/duration.h"
#include "faultline/log.h"
#include "faultline/util.h"

#define NODE_CMD_DEFAULT_TIMEOUT (60 * NSEC_PER_SEC)
#define NODE_CMD_TAIL            240

/* argv with every "{node}" in every argument replaced by node; NULL-terminated, owned. */
static char **substitute(char *const *argv, const char *node)
{
	size_t n = 0;
	while (argv[n] != NULL)
		n++;
	char **out = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		const char *s = argv[i];
		size_t len = 0, cap = strlen(s) + 1;
		char *d = xmalloc(cap);
		while (*s) {
			const char *hit = strstr(s, "{node}");
			size_t keep = hit ? (size_t)(hit - s) : strlen(s);
			size_t add = keep + (hit ? strlen(node) : 0);
			if (len + add + 1 > cap) {
				cap = len + add + 1 + strlen(s);
				d = xrealloc(d, cap);
			}
			memcpy(d + len, s, keep);
			len += keep;
			if (hit == NULL)
				break;
			memcpy(d + len, node, strlen(node));
			len += strlen(node);
			s = hit + strlen("{node}");
		}
		d[len] = '\0';
		out[i] = d;
	}
	return out;
}

void exec_argv_free(char **argv)
{
	for (size_t i = 0; argv != NULL && argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

char **exec_node_command_argv(const struct cluster *c, bool down, const char *node)
{
	char *const *cmd = down ? c->node_down_command : c->node_up_command;
	return cmd != NULL ? substitute(cmd, node) : NULL;
}

uint64_t exec_node_command_timeout(const struct cluster *c)
{
	return c->node_command_timeout_ns ? c->node_command_timeout_ns : NODE_CMD_DEFAULT_TIMEOUT;
}

/* Keep the last NODE_CMD_TAIL bytes of what it printed, one line. */
static void keep_tail(char *tail, size_t *len, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (*len == NODE_CMD_TAIL) {
			memmove(tail, tail + 1, NODE_CMD_TAIL - 1);
			(*len)--;
		}
		tail[(*len)++] = buf[i] == '\n' || buf[i] == '\r' ? ' ' : buf[i];
	}
	tail[*len] = '\0';
}

/* The tail without the blanks its last newline left. */
static const char *trimmed(char *tail, size_t len)
{
	while (len > 0 && tail[len - 1] == ' ')
		tail[--len] = '\0';
	return tail;
}

int exec_node_command_error(struct fl_err *e, const struct cluster *c, bool down, const char *node, const char *argv0,
                            const char *how, const char *output)
{
	const char *what = down ? "node_down" : "node_up";
	char tail[NODE_CMD_TAIL + 1] = "", d[32];
	size_t tlen = 0, n = strlen(output);
	keep_tail(tail, &tlen, n > NODE_CMD_TAIL ? output + n - NODE_CMD_TAIL : output,
	          n > NODE_CMD_TAIL ? NODE_CMD_TAIL : n);
	trimmed(tail, tlen);
	if (how == NULL)
		return err_set(e, "%s \"%s\": %s_command %s did not finish within %s: killed%s%s", what, node, what,
		               argv0, duration_format(exec_node_command_timeout(c), d, sizeof(d)),
		               tail[0] ? "; it said: " : "", tail);
	return err_set(e, "%s \"%s\": %s_command %s %s%s%s", what, node, what, argv0, how, tail[0] ? "; it said: " : "",
	               tail);
}

static int run(struct cluster *c, bool down, const char *node, long *code, struct fl_err *e)
{
	const char *what = down ? "node_down" : "node_up";
	*code = -1;
	char **argv = exec_node_command_argv(c, down, node);
	if (argv == NULL)
		return err_set(e, "backend %s: %s \"%s\": no %s_command in the plan's cluster section", c->ops->name,
		               what, node, what);
	uint64_t deadline = exec_now() + exec_node_command_timeout(c);
	struct exec_child ch;
	char tail[NODE_CMD_TAIL + 1] = "";
	size_t tlen = 0;
	int rc = 0;
	log_info("%s \"%s\": running %s", what, node, argv[0]);
	if (exec_child_start(&ch, argv, e) < 0) {
		rc = err_wrap(e, "%s \"%s\": %s_command", what, node, what);
		goto out;
	}
	shutdown(ch.fd, SHUT_WR); /* nothing to say to it: a command that reads its stdin (ssh) sees EOF */
	for (;;) {                /* its output until it closes it, or the deadline */
		char buf[4096];
		size_t n;
		struct fl_err re;
		int r = exec_child_read(&ch, buf, sizeof(buf), &n, deadline, &re);
		if (r <= 0)
			break;
		keep_tail(tail, &tlen, buf, n);
	}
	char why[128];
	uint64_t now = exec_now();
	exec_child_why(&ch, deadline > now ? deadline - now : 0, why, sizeof(why));
	bool finished = ch.reaped;
	exec_child_stop(&ch, 0);
	if (finished && WIFEXITED(ch.status))
		*code = WEXITSTATUS(ch.status);
	if (!finished || *code != 0)
		rc = exec_node_command_error(e, c, down, node, argv[0], finished ? why : NULL, tail);
out:
	exec_argv_free(argv);
	return rc;
}

int exec_node_command_down(struct cluster *c, const char *node, long *code, struct fl_err *e)
{
	return run(c, true, node, code, e);
}

int exec_node_command_up(struct cluster *c, const char *node, long *code, struct fl_err *e)
{
	return run(c, false, node, code, e);
}
