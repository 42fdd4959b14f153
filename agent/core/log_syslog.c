/*
 * log_syslog.c - `--log syslog`: log lines to syslog(3). Its own file so
 * that log.c builds for the Windows adapter, which has no syslog.
 */
#include <syslog.h>

#include "faultline/log.h"

static void to_syslog(int prio, const char *msg, const char *errstr)
{
	syslog(prio, "%s%s%s", msg, errstr ? ": " : "", errstr ? errstr : "");
}

void log_to_syslog(const char *ident)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	log_set_sink(to_syslog);
}
