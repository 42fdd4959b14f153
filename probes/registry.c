/*
 * registry.c - the probe kinds a plan can name. The plan loader, printer,
 * summary and run walk this list; nothing else lists the kinds.
 */
#include <string.h>

#include "faultline/probe.h"
#include "faultline/util.h"

/* Every kind a plan can name; adding one is its file and a line here. */
static const struct probe_ops *const kinds[] = {
    &probe_cluster_ops,
    &probe_tcp_ops,
    &probe_http_ops,
    &probe_exec_ops,
};

const struct probe_ops *probe_kind(const char *name)
{
	for (size_t i = 0; name && i < ARRAY_LEN(kinds); i++)
		if (strcmp(kinds[i]->name, name) == 0)
			return kinds[i];
	return NULL;
}

const struct probe_ops *probe_kind_at(size_t i)
{
	return i < ARRAY_LEN(kinds) ? kinds[i] : NULL;
}

const char *probe_config_target(const struct plan_probe *pr)
{
	const char *t = NULL;
	switch (pr->kind ? pr->kind->target : PROBE_TARGET_SELECTOR) {
	case PROBE_TARGET_SELECTOR:
		t = pr->cluster;
		break;
	case PROBE_TARGET_HOSTPORT:
		t = pr->address;
		break;
	case PROBE_TARGET_URL:
		t = pr->url;
		break;
	case PROBE_TARGET_ARGV:
		t = pr->argv ? pr->argv[0] : NULL;
		break;
	}
	return t ? t : "";
}
