/*
 * adapter_bridge.c - `faultline sim-adapter --connect SOCKET`: a thin
 * stdin/stdout <-> Unix socket pipe, so an exec backend whose command is
 * this bridge talks to a long-lived simulated cluster (one that survives
 * the faultline process driving it, for crash-and-restore tests).
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "faultline/adapter_sim.h"

static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Move one read's worth from `from` to `to`: 1 moved, 0 at EOF, -1 on error. */
static int copy_once(int from, int to)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (n == 0)
		return 0;
	return write_all(to, buf, (size_t)n) < 0 ? -1 : 1;
}

static int connect_to(const char *path, struct fl_err *e)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sun.sun_path))
		return err_set(e, "sim-adapter: socket path \"%s\": too long", path);
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_setsys(e, "sim-adapter: socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		err_setsys(e, "sim-adapter: connect %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

int adapter_bridge(const char *socket_path, struct fl_err *e)
{
	int s = connect_to(socket_path, e);
	if (s < 0)
		return -1;
	struct pollfd p[2] = {{.fd = STDIN_FILENO, .events = POLLIN}, {.fd = s, .events = POLLIN}};
	for (;;) {
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents) { /* the server's side first: its EOF ends the bridge */
			if (copy_once(s, STDOUT_FILENO) <= 0)
				break;
		}
		if (p[0].revents) {
			int rc = copy_once(STDIN_FILENO, s);
			if (rc < 0)
				break;
			if (rc == 0) {
				shutdown(s, SHUT_WR);
				p[0].fd = -1; /* poll ignores it from now on */
			}
		}
	}
	close(s);
	return 0;
}
