/*
 * agent_plans.c - load the agent's plan directory, all or nothing.
 *
 * Reload must never leave the agent with half a set: every file is loaded
 * and checked into a fresh set, and only a set without a single error is
 * handed back. Every error of every file is kept, positioned, for the log.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "faultline/agent.h"
#include "faultline/agent_sched.h"
#include "faultline/file.h"
#include "faultline/journal.h"
#include "faultline/log.h"
#include "faultline/util.h"

void agent_errors_fini(struct agent_errors *e)
{
	for (size_t i = 0; i < e->n; i++)
		free(e->lines[i]);
	free(e->lines);
	memset(e, 0, sizeof(*e));
}

static void add_error(struct agent_errors *e, char *line)
{
	XGROW(e->lines, e->cap, e->n + 1);
	e->lines[e->n++] = line;
}

static void add_diag(struct agent_errors *e, struct fl_diag *d)
{
	diag_sort(d);
	for (size_t i = 0; i < d->n; i++)
		add_error(e, diag_format(d, i));
}

static bool is_plan_file(const char *name)
{
	size_t n = strlen(name);
	return name[0] != '.' &&
	       ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) || (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

/* A FIFO or device named *.yaml would hang or feed the loader forever: skipped, said once per load. */
static bool is_regular(const char *dir, const char *name)
{
	struct stat st;
	char *path = xasprintf("%s/%s", dir, name);
	bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	if (!ok)
		log_warnx("agent: %s: skipped: %s", path,
		          errno == 0 || S_ISREG(st.st_mode) ? "unreadable" : file_type_str(st.st_mode));
	free(path);
	return ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted plan file names of dir, or -1 (error added). */
static int list_dir(const char *dir, char ***names, size_t *n, struct agent_errors *e)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		add_error(e, xasprintf("%s: cannot open the plan directory: %s", dir, strerror(errno)));
		return -1;
	}
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (is_plan_file(de->d_name) && is_regular(dir, de->d_name)) {
			XGROW(*names, cap, *n + 1);
			(*names)[(*n)++] = xstrdup(de->d_name);
		}
	closedir(d);
	if (*n > 1) /* an empty directory has no array at all */
		qsort(*names, *n, sizeof(**names), cmp_str);
	return 0;
}

/*
 * Plans with the same backend configuration are the same cluster: the whole
 * of it (topology, every word of the command), as the journal and its lock
 * see it. Two adapters behind one binary are two clusters.
 */
static char *cluster_key(const struct plan *p)
{
	struct cluster_config cfg;
	plan_cluster_config(p, &cfg);
	return journal_cluster_key(&cfg);
}

/* Load one file; NULL when it has errors (added) or no schedule (nothing added). */
static struct plan *load_one(const char *path, struct agent_errors *e)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	const struct cluster_ops *ops = p ? cluster_backend(p->cluster.backend) : NULL;
	if (p != NULL && ops == NULL)
		add_error(e, xasprintf("%s: backend \"%s\" is not available in this build (available: %s)", path,
		                       p->cluster.backend, cluster_backend_names()));
	if (ops != NULL)
		plan_check_caps(p, p->cluster.backend, &ops->caps, &d);
	if (d.n > 0 || (p != NULL && ops == NULL)) {
		add_diag(e, &d);
		plan_free(p);
		p = NULL;
	}
	diag_fini(&d);
	return p;
}

static void add_plan(struct agent_planset *s, size_t *cap, struct plan *p)
{
	XGROW(s->items, *cap, s->n + 1);
	struct agent_plan *ap = &s->items[s->n++];
	memset(ap, 0, sizeof(*ap));
	ap->plan = p;
	ap->cluster_key = cluster_key(p);
	ap->next = AGENT_SCHED_NONE;
	ap->last_exit = -1;
}

int agent_plans_load(const char *dir, struct agent_planset *out, struct agent_errors *errs)
{
	char **names = NULL;
	size_t nnames = 0, cap = 0, before = errs->n;
	struct agent_planset s = {0};
	if (list_dir(dir, &names, &nnames, errs) < 0)
		return -1;
	for (size_t i = 0; i < nnames; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		struct plan *p = load_one(path, errs);
		const struct agent_plan *dup = p ? agent_planset_find(&s, p->name) : NULL;
		if (dup != NULL)
			add_error(errs, xasprintf("%s: plan name \"%s\" is already used by %s", path, p->name,
			                          dup->plan->path));
		if (p != NULL && p->schedule.present && dup == NULL)
			add_plan(&s, &cap, p);
		else
			plan_free(p);
		free(path);
		free(names[i]);
	}
	free(names);
	if (errs->n > before) {
		agent_planset_fini(&s);
		return -1;
	}
	*out = s;
	return 0;
}

void agent_planset_fini(struct agent_planset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		plan_free(s->items[i].plan);
		free(s->items[i].cluster_key);
		free(s->items[i].last_verdict);
	}
	free(s->items);
	memset(s, 0, sizeof(*s));
}

struct agent_plan *agent_planset_find(const struct agent_planset *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->items[i].plan->name, name) == 0)
			return &s->items[i];
	return NULL;
}
