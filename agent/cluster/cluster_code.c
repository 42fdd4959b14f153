/* cluster_code.c - a backend's native return code, said for people (cluster.h). */
#include <stdio.h>

#include "faultline/cluster.h"

const char *cluster_code_text(long code, char *buf, size_t len)
{
	if (code == 0)
		snprintf(buf, len, "%s", "");
	else if (code == 997) /* ERROR_IO_PENDING: accepted, the cluster finishes it asynchronously */
		snprintf(buf, len, ", completing in the background");
	else
		snprintf(buf, len, " (code %ld)", code);
	return buf;
}
