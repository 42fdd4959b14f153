/*
 * sim_endpoint.c - loopback TCP endpoints for simulated resources, serviced
 * by one background thread (see sim_endpoint.h).
 *
 * Every listener and connection is an ep_obj in one list guarded by the
 * mutex; the thread holds the mutex while it handles a batch of events, so
 * open/close on the owner's thread can close descriptors directly and be
 * synchronous. epoll events carry an object id, not a pointer: an event that
 * raced with a close finds no object and is dropped.
 */
#include "sim_endpoint.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "faultline/util.h"

#define EP_READ_DEADLINE_MS 2000
#define EP_REQ_MAX          2048
#define EP_WAKE_ID          0

struct ep_obj {
	struct ep_obj *next;
	uint64_t id;
	int fd;
	bool listener;
	int port;
	char *resource;
	uint64_t deadline_ms; /* connections: answer or drop by then */
	char buf[EP_REQ_MAX];
	size_t len;
};

struct sim_endpoints {
	pthread_mutex_t mu;
	pthread_t thr;
	int epfd, evfd;
	bool stop;
	uint64_t next_id;
	struct ep_obj *objs;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int sim_endpoint_parse(const char *addr, uint32_t *ip, uint16_t *port, struct fl_err *e)
{
	const char *colon = strrchr(addr, ':');
	if (colon == NULL)
		return err_set(e, "\"%s\": expected A.B.C.D:PORT", addr);
	char host[INET_ADDRSTRLEN + 1];
	size_t hlen = (size_t)(colon - addr);
	struct in_addr in;
	if (hlen >= sizeof(host) || (memcpy(host, addr, hlen), host[hlen] = '\0', inet_pton(AF_INET, host, &in) != 1))
		return err_set(e, "\"%s\": \"%.*s\" is not a numeric IPv4 address", addr, (int)hlen, addr);
	if ((ntohl(in.s_addr) >> 24) != 127)
		return err_set(e, "\"%s\": not a loopback address (only 127.0.0.0/8 is allowed)", addr);
	const char *p = colon + 1;
	size_t plen = strlen(p);
	unsigned long v = plen > 0 && plen <= 5 && strspn(p, "0123456789") == plen ? strtoul(p, NULL, 10) : 65536;
	if (v > 65535)
		return err_set(e, "\"%s\": port \"%s\" is not a number 0..65535", addr, p);
	*ip = ntohl(in.s_addr);
	*port = (uint16_t)v;
	return 0;
}

static struct ep_obj *find_id(struct sim_endpoints *eps, uint64_t id)
{
	for (struct ep_obj *o = eps->objs; o; o = o->next)
		if (o->id == id)
			return o;
	return NULL;
}

static struct ep_obj *find_listener(struct sim_endpoints *eps, const char *resource)
{
	for (struct ep_obj *o = eps->objs; o; o = o->next)
		if (o->listener && strcmp(o->resource, resource) == 0)
			return o;
	return NULL;
}

static struct ep_obj *obj_add(struct sim_endpoints *eps, int fd, bool listener, const char *resource)
{
	struct ep_obj *o = xcalloc(1, sizeof(*o));
	o->id = ++eps->next_id;
	o->fd = fd;
	o->listener = listener;
	o->resource = xstrdup(resource);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = o->id};
	if (epoll_ctl(eps->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(o->resource);
		free(o);
		return NULL;
	}
	o->next = eps->objs;
	eps->objs = o;
	return o;
}

/* Unlink and close; reset=true sends RST so a waiting client sees the failure at once. */
static void obj_close(struct sim_endpoints *eps, struct ep_obj *o, bool reset)
{
	for (struct ep_obj **pp = &eps->objs; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	epoll_ctl(eps->epfd, EPOLL_CTL_DEL, o->fd, NULL);
	if (reset) {
		struct linger lg = {.l_onoff = 1, .l_linger = 0};
		setsockopt(o->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(o->fd);
	free(o->resource);
	free(o);
}

static int listen_on(uint32_t ip, uint16_t port, int *bound, struct fl_err *e)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_setsys(e, "socket");
	int one = 1;
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(ip)};
	socklen_t slen = sizeof(sa);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail_sys_opt;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		goto fail_sys_bind;
	if (listen(fd, 64) < 0 || getsockname(fd, (struct sockaddr *)&sa, &slen) < 0)
		goto fail_sys_listen;
	*bound = ntohs(sa.sin_port);
	return fd;
fail_sys_opt:
	err_setsys(e, "setsockopt SO_REUSEADDR");
	goto fail;
fail_sys_bind:
	err_setsys(e, "bind");
	goto fail;
fail_sys_listen:
	err_setsys(e, "listen");
fail:
	close(fd);
	return -1;
}

int sim_endpoint_open(struct sim_endpoints *eps, const char *resource, const char *addr, struct fl_err *e)
{
	uint32_t ip;
	uint16_t port;
	int bound = 0;
	if (sim_endpoint_parse(addr, &ip, &port, e) < 0)
		return err_wrap(e, "endpoint for resource \"%s\"", resource);
	pthread_mutex_lock(&eps->mu);
	int fd = -1;
	if (find_listener(eps, resource) != NULL) {
		err_set(e, "endpoint for resource \"%s\": already open", resource);
		goto fail;
	}
	if ((fd = listen_on(ip, port, &bound, e)) < 0) {
		err_wrap(e, "endpoint \"%s\" for resource \"%s\"", addr, resource);
		goto fail;
	}
	struct ep_obj *o = obj_add(eps, fd, true, resource);
	if (o == NULL) {
		err_setsys(e, "endpoint \"%s\" for resource \"%s\": epoll_ctl", addr, resource);
		close(fd);
		goto fail;
	}
	o->port = bound;
	pthread_mutex_unlock(&eps->mu);
	return 0;
fail:
	pthread_mutex_unlock(&eps->mu);
	return -1;
}

void sim_endpoint_close(struct sim_endpoints *eps, const char *resource)
{
	pthread_mutex_lock(&eps->mu);
	struct ep_obj *l = find_listener(eps, resource);
	if (l != NULL) {
		obj_close(eps, l, false);
		/* Connections accepted but not yet answered: reset them. */
		for (struct ep_obj *o = eps->objs, *next; o; o = next) {
			next = o->next;
			if (strcmp(o->resource, resource) == 0)
				obj_close(eps, o, true);
		}
	}
	pthread_mutex_unlock(&eps->mu);
}

int sim_endpoint_port(struct sim_endpoints *eps, const char *resource)
{
	pthread_mutex_lock(&eps->mu);
	struct ep_obj *l = find_listener(eps, resource);
	int port = l ? l->port : -1;
	pthread_mutex_unlock(&eps->mu);
	return port;
}

static void accept_all(struct sim_endpoints *eps, struct ep_obj *l)
{
	for (int i = 0; i < 64; i++) { /* bounded: the rest waits for the next wake-up */
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct ep_obj *c = obj_add(eps, fd, false, l->resource);
		if (c == NULL) {
			close(fd);
			return;
		}
		c->deadline_ms = now_ms() + EP_READ_DEADLINE_MS;
	}
}

/* JSON string body of the resource name: quotes, backslashes and controls escaped. */
static size_t json_escape(char *out, size_t cap, const char *s)
{
	size_t n = 0;
	for (; *s && n + 7 < cap; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			n += (size_t)snprintf(out + n, cap - n, "\\%c", ch);
		else if (ch < 0x20)
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", ch);
		else
			out[n++] = (char)ch;
	}
	out[n] = '\0';
	return n;
}

static void answer(struct ep_obj *c)
{
	char body[1024], name[768], resp[1536];
	bool health = strncmp(c->buf, "GET /health ", 12) == 0 || strncmp(c->buf, "GET /health\r", 12) == 0;
	int n;
	if (health) {
		json_escape(name, sizeof(name), c->resource);
		snprintf(body, sizeof(body), "{\"status\":\"ok\",\"resource\":\"%s\"}", name);
		n = snprintf(resp, sizeof(resp),
		             "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
		             "Connection: close\r\n\r\n%s",
		             strlen(body), body);
	} else {
		n = snprintf(resp, sizeof(resp),
		             "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n"
		             "Connection: close\r\n\r\nnot found\n");
	}
	/* One small write on a fresh socket; if it does not fit, the client sees a short answer. */
	if (n > 0)
		(void)!send(c->fd, resp, (size_t)n < sizeof(resp) ? (size_t)n : sizeof(resp) - 1, MSG_NOSIGNAL);
}

static void serve(struct sim_endpoints *eps, struct ep_obj *c)
{
	for (;;) {
		ssize_t r = recv(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len, 0);
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* wait for the rest */
		if (r <= 0) {
			obj_close(eps, c, false);
			return;
		}
		c->len += (size_t)r;
		c->buf[c->len] = '\0';
		if (strstr(c->buf, "\r\n\r\n") || strstr(c->buf, "\n\n") || c->len == sizeof(c->buf) - 1) {
			answer(c);
			obj_close(eps, c, false);
			return;
		}
	}
}

/* Drop connections past their read deadline; returns ms to the next deadline (-1: none). */
static int expire(struct sim_endpoints *eps)
{
	uint64_t now = now_ms(), next = UINT64_MAX;
	for (struct ep_obj *o = eps->objs, *nx; o; o = nx) {
		nx = o->next;
		if (o->listener)
			continue;
		if (o->deadline_ms <= now)
			obj_close(eps, o, true);
		else if (o->deadline_ms < next)
			next = o->deadline_ms;
	}
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

static void *serve_thread(void *arg)
{
	struct sim_endpoints *eps = arg;
	int timeout = -1;
	for (;;) {
		struct epoll_event evs[32];
		int n = epoll_wait(eps->epfd, evs, 32, timeout);
		pthread_mutex_lock(&eps->mu);
		if (eps->stop) {
			pthread_mutex_unlock(&eps->mu);
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			uint64_t id = evs[i].data.u64;
			struct ep_obj *o = id == EP_WAKE_ID ? NULL : find_id(eps, id);
			if (o && o->listener)
				accept_all(eps, o);
			else if (o)
				serve(eps, o);
		}
		timeout = expire(eps);
		pthread_mutex_unlock(&eps->mu);
	}
}

struct sim_endpoints *sim_endpoints_new(struct fl_err *e)
{
	struct sim_endpoints *eps = xcalloc(1, sizeof(*eps));
	eps->epfd = epoll_create1(EPOLL_CLOEXEC);
	eps->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = EP_WAKE_ID};
	if (eps->epfd < 0 || eps->evfd < 0 || epoll_ctl(eps->epfd, EPOLL_CTL_ADD, eps->evfd, &ev) < 0) {
		err_setsys(e, "endpoints: epoll/eventfd");
		goto fail;
	}
	pthread_mutex_init(&eps->mu, NULL);
	/*
	 * The thread must never take a process signal: the run blocks TERM/INT
	 * only later (for its signalfd), and a SIGTERM delivered here would kill
	 * the process without restoring anything.
	 */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&eps->thr, NULL, serve_thread, eps);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		errno = rc;
		err_setsys(e, "endpoints: pthread_create");
		pthread_mutex_destroy(&eps->mu);
		goto fail;
	}
	return eps;
fail:
	if (eps->epfd >= 0)
		close(eps->epfd);
	if (eps->evfd >= 0)
		close(eps->evfd);
	free(eps);
	return NULL;
}

void sim_endpoints_free(struct sim_endpoints *eps)
{
	if (eps == NULL)
		return;
	pthread_mutex_lock(&eps->mu);
	eps->stop = true;
	pthread_mutex_unlock(&eps->mu);
	uint64_t one = 1;
	(void)!write(eps->evfd, &one, sizeof(one));
	pthread_join(eps->thr, NULL);
	while (eps->objs)
		obj_close(eps, eps->objs, !eps->objs->listener);
	close(eps->epfd);
	close(eps->evfd);
	pthread_mutex_destroy(&eps->mu);
	free(eps);
}
