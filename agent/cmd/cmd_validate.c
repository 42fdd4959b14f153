/*
 * cmd_validate.c - `faultline validate [--print|--summary] PLAN...`: load
 * every plan, print every error of every plan (in file order) to stderr,
 * including what its backend can never do (an action, a flag), as `run`
 * would refuse it before starting. Exit 0 when all are valid, 2 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/cmd.h"
#include "faultline/plan.h"

enum mode { MODE_CHECK, MODE_PRINT, MODE_SUMMARY };

/* On stdout with exit 0 when asked for (--help), else on stderr with exit 2. */
static int usage(bool asked)
{
	fprintf(asked ? stdout : stderr,
	        "usage: faultline validate [--print | --summary] PLAN...\n"
	        "  every error as file:line:column, all errors of a plan at once;\n"
	        "  --print the plan with every default filled in, --summary what it will do\n");
	return asked ? FL_EXIT_OK : FL_EXIT_INVALID;
}

/* The checks a loaded plan still needs, offline: errors fail it, warnings are printed. */
static bool check_offline(const char *path, const struct plan *p)
{
	struct fl_diag errors, warnings;
	diag_init(&errors, path);
	diag_init(&warnings, path);
	/* What the backend can never do (an action, a flag), as `run` refuses it before starting. */
	const struct cluster_ops *ops = cluster_backend(p->cluster.backend);
	if (ops != NULL)
		plan_check_caps(p, p->cluster.backend, &ops->caps, &errors);
	bool ok = plan_check_offline(p, &errors, &warnings) == 0 && errors.n == 0;
	diag_sort(&errors);
	diag_print(&errors, stderr);
	for (size_t i = 0; i < warnings.n; i++) {
		char *line = diag_format(&warnings, i);
		const char *msg = strstr(line, warnings.items[i].msg);
		fprintf(stderr, "%.*swarning: %s\n", (int)(msg - line), line, msg);
		free(line);
	}
	diag_fini(&errors);
	diag_fini(&warnings);
	return ok;
}

static bool validate_one(const char *path, enum mode mode)
{
	struct plan *p = plan_load_report(path, stderr);
	if (p == NULL)
		return false;
	if (!check_offline(path, p)) {
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
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return usage(true);
		else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else
			return usage(false);
	}
	if (i == argc)
		return usage(false);
	bool ok = true;
	for (; i < argc; i++)
		ok = validate_one(argv[i], mode) && ok;
	fflush(stdout);
	return ok ? FL_EXIT_OK : FL_EXIT_INVALID;
}
