/*
 * pacemaker_watch.c - CIB diff notifications through Pacemaker's own
 * library (pkg-config pacemaker-cib), built only when pacemaker-dev is
 * installed (else pacemaker_watch_none.c).
 *
 * The library dispatches through GLib's default main context. Rather than
 * drive GLib from our epoll loop, one backend thread owns the CIB
 * connection and that context: it signs on, iterates the context, and on
 * every diff notification stamps the time and writes the backend's
 * eventfd. The engine thread never touches GLib or the CIB connection; it
 * only reads the eventfd (and then crm_mon) in drain. Each operation result
 * arrives about 6 ms after the executor reports it. The thread blocks every
 * signal, so SIGINT/SIGTERM keep reaching the engine's signalfd.
 */
#include <glib.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <crm/cib.h>
#include <crm/crm.h>

#include "faultline/util.h"
#include "pacemaker_int.h"

struct pcmk_watch {
	pthread_t thread;
	int efd;
	cib_t *cib;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int ready; /* 0 starting, 1 signed on, -1 failed */
	char why[256];
	atomic_bool stop, lost;
	atomic_uint_fast64_t first_at;
};

/* Only one watcher per process: the library's callbacks carry no argument. */
static struct pcmk_watch *current;

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void poke(struct pcmk_watch *w)
{
	uint_fast64_t zero = 0;
	atomic_compare_exchange_strong(&w->first_at, &zero, mono_ns());
	uint64_t one = 1;
	if (write(w->efd, &one, sizeof(one)) < 0) {
		/* counter full: the reader is far behind and will re-read anyway */
	}
}

static void on_diff(const char *event, xmlNode *msg)
{
	(void)event;
	(void)msg; /* the backend re-reads crm_mon: it only needs the moment */
	if (current != NULL)
		poke(current);
}

static void on_lost(gpointer data)
{
	(void)data;
	if (current != NULL) {
		atomic_store(&current->lost, true);
		poke(current);
	}
}

static void set_ready(struct pcmk_watch *w, int ready, const char *why)
{
	pthread_mutex_lock(&w->mu);
	w->ready = ready;
	if (why != NULL)
		snprintf(w->why, sizeof(w->why), "%s", why);
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void *run(void *arg)
{
	struct pcmk_watch *w = arg;
	w->cib = cib_new();
	int rc = w->cib->cmds->signon(w->cib, "faultline", cib_query);
	if (rc == pcmk_ok) {
		w->cib->cmds->set_connection_dnotify(w->cib, on_lost);
		rc = w->cib->cmds->add_notify_callback(w->cib, T_CIB_DIFF_NOTIFY, on_diff);
	}
	if (rc != pcmk_ok) {
		char why[200];
		snprintf(why, sizeof(why), "CIB signon: %s", pcmk_strerror(rc));
		cib_delete(w->cib);
		w->cib = NULL;
		set_ready(w, -1, why);
		return NULL;
	}
	set_ready(w, 1, NULL);
	while (!atomic_load(&w->stop) && !atomic_load(&w->lost))
		g_main_context_iteration(NULL, TRUE);
	w->cib->cmds->signoff(w->cib);
	cib_delete(w->cib);
	return NULL;
}

struct pcmk_watch *pcmk_watch_start(int efd, struct fl_err *e)
{
	if (current != NULL) {
		err_set(e, "CIB notifications: already in use by another backend instance");
		return NULL;
	}
	struct pcmk_watch *w = xcalloc(1, sizeof(*w));
	w->efd = efd;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	current = w;
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old); /* the thread inherits this mask */
	int rc = pthread_create(&w->thread, NULL, run, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		err_set(e, "CIB notifications: cannot start the thread: %s", strerror(rc));
		current = NULL;
		free(w);
		return NULL;
	}
	pthread_mutex_lock(&w->mu);
	while (w->ready == 0)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	if (w->ready < 0) {
		err_set(e, "%s", w->why);
		pthread_join(w->thread, NULL);
		current = NULL;
		free(w);
		return NULL;
	}
	return w;
}

void pcmk_watch_stop(struct pcmk_watch *w)
{
	if (w == NULL)
		return;
	atomic_store(&w->stop, true);
	g_main_context_wakeup(NULL);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	current = NULL;
	free(w);
}

uint64_t pcmk_watch_take_time(struct pcmk_watch *w)
{
	return w ? atomic_exchange(&w->first_at, 0) : 0;
}

bool pcmk_watch_lost(struct pcmk_watch *w)
{
	return w != NULL && atomic_load(&w->lost);
}
