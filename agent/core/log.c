/* log.c - leveled logging to stderr, errno-preserving. */
#include "faultline/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level max_level = LOG_LVL_WARN; /* commands raise it: run -V, the agent */
static int use_prio_prefix;
/* Where lines go instead of stderr (log_syslog.c sets it); NULL = stderr. */
static log_sink_fn sink;
static const char *tag; /* "run X", or NULL */

void log_init(enum log_level level, int journald)
{
	max_level = level;
	use_prio_prefix = journald;
}

void log_set_tag(const char *t)
{
	tag = t;
}

void log_set_sink(log_sink_fn fn)
{
	sink = fn;
}

enum log_level log_get_level(void)
{
	return max_level;
}

/* syslog priorities, for the journald "<N>" prefix. */
static const int level_prio[] = {3, 4, 6, 7};
static const char *const level_name[] = {"error", "warning", "info", "debug"};

static void vlog(enum log_level level, const char *errstr, const char *fmt, va_list ap)
{
	char buf[2048];
	int saved = errno;
	int off = tag != NULL ? snprintf(buf, sizeof(buf), "%s: ", tag) : 0;
	vsnprintf(buf + off, sizeof(buf) - (size_t)off, fmt, ap);
	if (sink != NULL) {
		sink(level_prio[level], buf, errstr);
		errno = saved;
		return;
	}
	if (use_prio_prefix)
		fprintf(stderr, "<%d>", level_prio[level]);
	if (errstr != NULL)
		fprintf(stderr, "faultline: %s: %s: %s\n", level_name[level], buf, errstr);
	else
		fprintf(stderr, "faultline: %s: %s\n", level_name[level], buf);
	errno = saved;
}

#define LOG_BODY(level, errstr)                                                                                        \
	do {                                                                                                           \
		if ((level) > max_level)                                                                               \
			return;                                                                                        \
		va_list ap;                                                                                            \
		va_start(ap, fmt);                                                                                     \
		vlog((level), (errstr), fmt, ap);                                                                      \
		va_end(ap);                                                                                            \
	} while (0)

void log_warn(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_WARN, strerror(errno));
}

void log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_WARN, NULL);
}

void log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_INFO, NULL);
}

void log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_LVL_DEBUG, NULL);
}

void fatal(const char *fmt, ...)
{
	const char *s = strerror(errno);
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, s, fmt, ap);
	va_end(ap);
	exit(4);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_LVL_ERROR, NULL, fmt, ap);
	va_end(ap);
	exit(4);
}
