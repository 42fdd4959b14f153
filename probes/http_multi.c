/*
 * http_multi.c - one curl multi per loop, driven by the loop (http_int.h).
 *
 * CURLMOPT_SOCKETFUNCTION turns each socket curl wants watched into a
 * loop_io, CURLMOPT_TIMERFUNCTION turns curl's single timeout into an
 * fl_timer; both call curl_multi_socket_action and then hand finished
 * transfers to their owners. The multis of a process sit in a short list
 * keyed by loop: tests and the agent run one loop at a time.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/epoll.h>

#include "faultline/clock.h"
#include "faultline/log.h"
#include "faultline/loop.h"
#include "faultline/util.h"
#include "http_int.h"

struct http_multi {
	CURLM *multi;
	struct loop *loop;
	struct fl_clock *clk;
	struct fl_timer timer;
	unsigned refs;
	struct http_multi *next;
};

/* A socket curl asked us to watch. */
struct http_sock {
	struct loop_io io;
	struct http_multi *m;
	curl_socket_t fd;
};

static struct http_multi *multis;
static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		fatalx("curl_global_init failed");
}

void http_global_init(void)
{
	pthread_once(&global_once, global_init);
}

/* Hand every finished transfer to its owner. */
static void finish_done(struct http_multi *m)
{
	CURLMsg *msg;
	int left;
	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		CURL *easy = msg->easy_handle;
		CURLcode rc = msg->data.result;
		char *priv = NULL;
		curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
		struct http_xfer *x = (struct http_xfer *)priv;
		x->done(x, rc); /* removes easy: msg is invalid from here on */
	}
}

/* The reference keeps m alive while owners react (a listener may free its probe). */
static void drive(struct http_multi *m, curl_socket_t fd, int flags)
{
	int running;
	m->refs++;
	curl_multi_socket_action(m->multi, fd, flags, &running);
	finish_done(m);
	http_multi_put(m);
}

static void on_sock(struct loop_io *io, uint32_t events, void *arg)
{
	(void)io;
	struct http_sock *s = arg;
	int flags = 0;
	if (events & EPOLLIN)
		flags |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		flags |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		flags |= CURL_CSELECT_ERR;
	drive(s->m, s->fd, flags);
}

static void on_timer(void *arg)
{
	drive(arg, CURL_SOCKET_TIMEOUT, 0);
}

static int sock_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	(void)easy;
	struct http_multi *m = userp;
	struct http_sock *s = socketp;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			loop_io_stop(m->loop, &s->io);
			free(s);
			curl_multi_assign(m->multi, fd, NULL);
		}
		return 0;
	}
	uint32_t ev = (what & CURL_POLL_IN ? EPOLLIN : 0) | (what & CURL_POLL_OUT ? EPOLLOUT : 0);
	if (s != NULL)
		return loop_io_modify(m->loop, &s->io, ev);
	s = xcalloc(1, sizeof(*s));
	s->m = m;
	s->fd = fd;
	if (loop_io_start(m->loop, &s->io, fd, ev, on_sock, s) < 0) {
		free(s);
		return -1; /* curl fails the transfer */
	}
	curl_multi_assign(m->multi, fd, s);
	return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	struct http_multi *m = userp;
	if (timeout_ms < 0) {
		clock_timer_stop(m->clk, &m->timer);
		return 0;
	}
	/* 0 means "now": the loop runs timers armed for now before it waits again. */
	uint64_t when = clock_now(m->clk) + (uint64_t)timeout_ms * NSEC_PER_MSEC;
	clock_timer_start(m->clk, &m->timer, when, on_timer, m);
	return 0;
}

static struct http_multi *multi_new(struct loop *l, struct fl_clock *clk)
{
	http_global_init();
	CURLM *cm = curl_multi_init();
	if (cm == NULL)
		fatalx("curl_multi_init failed");
	struct http_multi *m = xcalloc(1, sizeof(*m));
	m->multi = cm;
	m->loop = l;
	m->clk = clk;
	clock_timer_init(&m->timer);
	curl_multi_setopt(cm, CURLMOPT_SOCKETFUNCTION, sock_cb);
	curl_multi_setopt(cm, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(cm, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(cm, CURLMOPT_TIMERDATA, m);
	m->next = multis;
	multis = m;
	return m;
}

struct http_multi *http_multi_get(struct loop *l, struct fl_clock *clk)
{
	struct http_multi *m = multis;
	while (m != NULL && m->loop != l)
		m = m->next;
	if (m == NULL)
		m = multi_new(l, clk);
	m->refs++;
	return m;
}

void http_multi_put(struct http_multi *m)
{
	if (m == NULL || --m->refs > 0)
		return;
	for (struct http_multi **pp = &multis; *pp != NULL; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	curl_multi_cleanup(m->multi); /* may still tell sock_cb to drop cached sockets */
	clock_timer_stop(m->clk, &m->timer);
	free(m);
}

int http_multi_add(struct http_multi *m, CURL *easy)
{
	return curl_multi_add_handle(m->multi, easy) == CURLM_OK ? 0 : -1;
}

void http_multi_remove(struct http_multi *m, CURL *easy)
{
	curl_multi_remove_handle(m->multi, easy);
}
