/*
 * log.h - logging in the OpenBSD log.c shape.
 *
 * Lines go to stderr as "faultline: <level>: message" (journald-friendly:
 * one line per event, the priority prefix "<N>" when log_init asks for it).
 * log_warn appends strerror(errno); errno is preserved by every call.
 */
#ifndef FAULTLINE_LOG_H
#define FAULTLINE_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERROR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* level: maximum level printed; journald: prefix lines with "<prio>". */
void log_init(enum log_level level, int journald);
/*
 * Name what every line is about: "faultline: <level>: <tag>: message"
 * (`run --run-id ID` under the agent, so its log tells the runs apart).
 * tag is borrowed and must outlive logging; NULL for none.
 */
void log_set_tag(const char *tag);
/* Send every line to syslog(3) (facility daemon) instead of stderr, from now on. */
void log_to_syslog(const char *ident);
enum log_level log_get_level(void);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Send lines to fn(syslog priority, message, strerror text or NULL) instead of stderr. */
typedef void (*log_sink_fn)(int prio, const char *msg, const char *errstr);
void log_set_sink(log_sink_fn fn);

#endif
