/*
 * http_int.h - the curl multi handle shared by the http probes of a loop.
 *
 * libcurl's multi interface driven by our loop: curl's sockets become
 * loop_io watchers and its timeout an fl_timer on the loop's clock, so a
 * transfer never blocks the loop. One multi per loop, created by the first
 * http probe and freed with the last (refcounted): the probe core passes no
 * context for http probes, and one multi lets them share curl's resolver
 * and timer. Must be released before the loop is freed.
 */
#ifndef FAULTLINE_PROBES_HTTP_INT_H
#define FAULTLINE_PROBES_HTTP_INT_H

#include <curl/curl.h>

struct fl_clock;
struct http_multi;
struct loop;
struct http_xfer;

typedef void (*http_done_cb)(struct http_xfer *x, CURLcode rc);

/* Embedded in the owner of an easy handle; CURLOPT_PRIVATE points at it. */
struct http_xfer {
	http_done_cb done; /* called once the transfer finished; remove the handle there */
};

/* curl_global_init, once per process (pthread_once). */
void http_global_init(void);
/* The multi of loop l (created on first use), with a reference taken. */
struct http_multi *http_multi_get(struct loop *l, struct fl_clock *clk);
/* Drop a reference; the last one frees the multi. NULL is a no-op. */
void http_multi_put(struct http_multi *m);
/* Add easy (its CURLOPT_PRIVATE set to a struct http_xfer *); 0 or -1. */
int http_multi_add(struct http_multi *m, CURL *easy);
void http_multi_remove(struct http_multi *m, CURL *easy);

#endif
