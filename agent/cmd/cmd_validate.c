/*
 * cmd_validate.c - `faultline validate [--print|--summary] PLAN...`: load
 * every plan, print every error of every plan (in file order) to stderr,
 * including what its backend can never do (an action, a flag), as `run`
 * would refuse it before starting. Exit 0 when all are valid, 2 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/cmd.h"
#include "faultline/plan.h"

enum mode { MODE_CHECK, MODE_PRINT, MODE_SUMMARY };

static int usage(void)
{
	fprintf(stderr, "usage: faultline validate [--print | --summary] PLAN...\n");
	return FL_EXIT_INVALID;
}

static bool validate_one(const char *path, enum mode mode)
{
	struct plan *p = plan_load_report(path, stderr);
	if (p == NULL)
		return false;
	const struct cluster_ops *ops = cluster_backend(p->cluster.backend);
	struct fl_diag d;
	diag_init(&d, path);
	if (ops != NULL)
		plan_check_caps(p, p->cluster.backend, &ops->caps, &d);
	diag_print(&d, stderr);
	bool bad = d.n > 0;
	diag_fini(&d);
	if (bad) {
		plan_free(p);
		return false;
	}
	if (mode == MODE_PRINT)
		plan_print(p, stdout);
	else if (mode == MODE_SUMMARY)
		plan_summary(p, stdout);
	else
		printf("%s: valid\n", path);
	plan_free(p);
	return true;
}

int cmd_validate(int argc, char **argv)
{
	enum mode mode = MODE_CHECK;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--print") == 0 && mode == MODE_CHECK)
			mode = MODE_PRINT;
		else if (strcmp(argv[i], "--summary") == 0 && mode == MODE_CHECK)
			mode = MODE_SUMMARY;
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else
			return usage();
	}
	if (i == argc)
		return usage();
	bool ok = true;
	for (; i < argc; i++)
		ok = validate_one(argv[i], mode) && ok;
	fflush(stdout);
	return ok ? FL_EXIT_OK : FL_EXIT_INVALID;
}
