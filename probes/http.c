/*
 * http.c - the HTTP probe: GET the URL, up iff status and body are right.
 *
 * Transfers run on the loop's shared curl multi (http_int.h). Each check
 * opens a fresh connection (no reuse: a kept-alive socket would hide a
 * listener that stopped accepting) and follows no redirect: a 301 is what
 * the service answered, compared with expect_status like any other code.
 * The host name is resolved once at init and pinned with CURLOPT_RESOLVE,
 * as the tcp probe does, so no DNS lookup happens during the run. The body
 * is kept only for an expect.body regex, and then up to HTTP_BODY_MAX
 * (a bigger one fails the check: matching is against the whole body);
 * without one it is read and dropped, whatever its size, within the
 * probe's timeout.
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "faultline/probe.h"
#include "faultline/regex.h"
#include "faultline/util.h"
#include "http_int.h"

#define HTTP_BODY_MAX (64 * 1024)

struct http_probe {
	struct http_xfer xfer; /* first: CURLOPT_PRIVATE points here */
	struct probe *p;
	struct http_multi *m;
	CURL *easy;
	struct curl_slist *resolve;
	char *body;
	size_t nbody;
	bool over; /* the body passed HTTP_BODY_MAX */
	bool active;
	char errbuf[CURL_ERROR_SIZE];
};

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct http_probe *h = arg;
	size_t len = size * n;
	if (h->p->cfg->expect_body == NULL)
		return len; /* nothing looks at it: read and drop */
	if (len > HTTP_BODY_MAX - h->nbody) {
		h->over = true;
		return 0; /* curl stops with CURLE_WRITE_ERROR */
	}
	memcpy(h->body + h->nbody, data, len);
	h->nbody += len;
	return len;
}

/* Transport failures: the words of the tcp probe where they mean the same. */
static void transport_reason(struct http_probe *h, CURLcode rc, char *buf, size_t len)
{
	long oserr = 0;
	curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &oserr);
	if (rc == CURLE_COULDNT_CONNECT && oserr != 0)
		snprintf(buf, len, "connect: %s", strerror((int)oserr));
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(buf, len, "no answer within %llu ms",
		         (unsigned long long)(h->p->cfg->timeout_ns / NSEC_PER_MSEC));
	else
		snprintf(buf, len, "%s", h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
}

static enum check_result judge(struct http_probe *h, CURLcode rc, char *buf, size_t len)
{
	const struct plan_probe *cfg = h->p->cfg;
	if (rc == CURLE_WRITE_ERROR && h->over)
		return snprintf(buf, len, "body over %d KiB (the limit for expect.body)", HTTP_BODY_MAX / 1024),
		       CHECK_FAIL;
	if (rc == CURLE_UNSUPPORTED_PROTOCOL || rc == CURLE_URL_MALFORMAT) {
		transport_reason(h, rc, buf, len);
		return CHECK_ERROR;
	}
	if (rc != CURLE_OK) {
		transport_reason(h, rc, buf, len);
		return CHECK_FAIL;
	}
	long code = 0;
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &code);
	if (cfg->expect_status ? code != (long)cfg->expect_status : code < 200 || code > 299)
		return snprintf(buf, len, "HTTP %ld", code), CHECK_FAIL;
	if (cfg->expect_body == NULL)
		return CHECK_OK;
	switch (regex_match(cfg->expect_body, h->body, h->nbody)) {
	case 1:
		return CHECK_OK;
	case 0:
		snprintf(buf, len, "body does not match /%s/", regex_pattern(cfg->expect_body));
		return CHECK_FAIL;
	default:
		snprintf(buf, len, "body /%s/: matching error", regex_pattern(cfg->expect_body));
		return CHECK_ERROR;
	}
}

static void on_done(struct http_xfer *x, CURLcode rc)
{
	struct http_probe *h = (struct http_probe *)x;
	http_multi_remove(h->m, h->easy);
	h->active = false;
	char reason[256] = "";
	enum check_result r = judge(h, rc, reason, sizeof(reason));
	probe_check_done(h->p, r, reason[0] ? reason : NULL);
}

/* Pin host:port to the address resolved now; numeric hosts need nothing. */
static int pin_address(struct http_probe *h, struct fl_err *e)
{
	const struct plan_probe *cfg = h->p->cfg;
	unsigned char tmp[16];
	if (inet_pton(AF_INET, cfg->host, tmp) == 1 || inet_pton(AF_INET6, cfg->host, tmp) == 1)
		return 0;
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
	struct addrinfo *res = NULL;
	int rc = getaddrinfo(cfg->host, NULL, &hints, &res);
	if (rc != 0)
		return err_set(e, "cannot resolve \"%s\": %s", cfg->host, gai_strerror(rc));
	char addr[INET6_ADDRSTRLEN];
	void *a = res->ai_family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr
	                                     : (void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr;
	inet_ntop(res->ai_family, a, addr, sizeof(addr));
	char *entry = xasprintf(res->ai_family == AF_INET6 ? "%s:%u:[%s]" : "%s:%u:%s", cfg->host, cfg->port, addr);
	freeaddrinfo(res);
	h->resolve = curl_slist_append(NULL, entry);
	free(entry);
	return h->resolve != NULL ? 0 : err_set(e, "out of memory");
}

static void set_options(struct http_probe *h)
{
	const struct plan_probe *cfg = h->p->cfg;
	CURL *c = h->easy;
	curl_easy_setopt(c, CURLOPT_URL, cfg->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "faultline/" FAULTLINE_VERSION);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_PRIVATE, (char *)&h->xfer);
	if (h->resolve != NULL)
		curl_easy_setopt(c, CURLOPT_RESOLVE, h->resolve);
}

static int http_init(struct probe *p, struct fl_err *e)
{
	if (p->cfg->url == NULL ||
	    (strncasecmp(p->cfg->url, "http://", 7) != 0 && strncasecmp(p->cfg->url, "https://", 8) != 0))
		return err_set(e, "only http:// and https:// URLs are supported");
	http_global_init();
	struct http_probe *h = xcalloc(1, sizeof(*h));
	p->impl = h;
	h->p = p;
	h->xfer.done = on_done;
	h->body = xmalloc(HTTP_BODY_MAX + 1);
	h->easy = curl_easy_init();
	if (h->easy == NULL)
		return err_set(e, "curl_easy_init failed");
	if (p->cfg->host != NULL && pin_address(h, e) < 0)
		return -1;
	set_options(h);
	h->m = http_multi_get(p->loop, p->clk);
	return 0;
}

static void http_start(struct probe *p)
{
	struct http_probe *h = p->impl;
	h->nbody = 0;
	h->over = false;
	h->errbuf[0] = '\0';
	/* The core's deadline decides; curl's own is a backstop at the same time. */
	curl_easy_setopt(h->easy, CURLOPT_TIMEOUT_MS, (long)(p->cfg->timeout_ns / NSEC_PER_MSEC));
	if (http_multi_add(h->m, h->easy) < 0) {
		probe_check_done(p, CHECK_ERROR, "curl_multi_add_handle failed");
		return;
	}
	h->active = true;
}

static void http_cancel(struct probe *p)
{
	struct http_probe *h = p->impl;
	if (!h->active)
		return;
	http_multi_remove(h->m, h->easy);
	h->active = false;
}

static void http_fini(struct probe *p)
{
	struct http_probe *h = p->impl;
	if (h == NULL)
		return;
	http_cancel(p);
	if (h->easy != NULL)
		curl_easy_cleanup(h->easy);
	curl_slist_free_all(h->resolve);
	http_multi_put(h->m);
	free(h->body);
	free(h);
	p->impl = NULL;
}

const struct probe_ops probe_http_ops = {
    .name = "http",
    .target = PROBE_TARGET_URL,
    .caps = PROBE_CAP_NETWORK | PROBE_CAP_EXPECT,
    .summary = "HTTP GET %s",
    .init = http_init,
    .start = http_start,
    .cancel = http_cancel,
    .fini = http_fini,
};
