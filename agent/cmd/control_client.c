/*
 * control_client.c - the CLI side of the control socket: one request, one
 * reply, within a deadline (the CLI may block; the agent never does).
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "faultline/control.h"
#include "faultline/util.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline; 0, or -1 with e set. */
static int wait_fd(int fd, short events, int64_t deadline, const char *path, struct fl_err *e)
{
	struct pollfd p = {.fd = fd, .events = events};
	int left = (int)(deadline - now_ms());
	int n = left > 0 ? poll(&p, 1, left) : 0;
	if (n < 0 && errno != EINTR)
		return err_setsys(e, "%s: poll", path);
	if (n <= 0)
		return err_set(e, "%s: the agent did not answer in time", path);
	return 0;
}

static int send_all(int fd, const char *s, int64_t deadline, const char *path, struct fl_err *e)
{
	for (size_t len = strlen(s), off = 0; off < len;) {
		if (wait_fd(fd, POLLOUT, deadline, path, e) < 0)
			return -1;
		ssize_t n = send(fd, s + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && (errno == EPIPE || errno == ECONNRESET))
			return err_set(e, "%s: the agent closed the connection without a reply", path);
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return err_setsys(e, "%s: send", path);
		off += n > 0 ? (size_t)n : 0;
	}
	return 0;
}

static int read_reply(int fd, char **reply, int64_t deadline, const char *path, struct fl_err *e)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		XGROW(buf, cap, len + 4097);
		if (wait_fd(fd, POLLIN, deadline, path, e) < 0)
			break;
		ssize_t n = recv(fd, buf + len, 4096, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0 && errno == ECONNRESET) {
			err_set(e, "%s: the agent closed the connection without a reply", path);
			break;
		}
		if (n < 0) {
			err_setsys(e, "%s: recv", path);
			break;
		}
		if (n == 0) {
			buf[len] = '\0';
			*reply = buf;
			return len > 0 ? 0 : err_set(e, "%s: the agent closed the connection without a reply", path);
		}
		len += (size_t)n;
	}
	free(buf);
	return -1;
}

int control_request(const char *path, const char *request, char **reply, int timeout_ms, struct fl_err *e)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	*reply = NULL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return err_set(e, "%s: path too long", path);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_setsys(e, "socket");
	int64_t deadline = now_ms() + timeout_ms;
	int rc = -1;
	char *line = xasprintf("%s\n", request);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		err_setsys(e, "%s: cannot reach the agent", path);
	else if (send_all(fd, line, deadline, path, e) == 0 && read_reply(fd, reply, deadline, path, e) == 0)
		rc = 0;
	free(line);
	close(fd);
	if (rc == 0 && *reply != NULL) {
		size_t n = strlen(*reply);
		while (n > 0 && (*reply)[n - 1] == '\n')
			(*reply)[--n] = '\0';
	}
	return rc;
}
