/*
 * cmd_calibrate.c - `faultline calibrate`: write a simulator topology whose
 * start, stop and reaction times reproduce what real runs measured.
 *
 *   faultline calibrate TOPOLOGY RECORD.json... [--trials all|odd|even] [-o OUT.yaml]
 *
 * TOPOLOGY describes the cluster (nodes, groups, resources, policy); the
 * records are JSON run records (docs/report-format.md) of runs against the
 * real cluster. --trials odd (even) learns from the 1st, 3rd, ... (2nd,
 * 4th, ...) trial of each fault only, and from the state changes within
 * them: the other half of the same run is left to compare the simulator
 * with. The result is checked by loading it back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cmd.h"
#include "faultline/record.h"
#include "faultline/report.h"
#include "faultline/sim.h"
#include "faultline/util.h"

static int usage(FILE *f, int code)
{
	fprintf(f, "usage: faultline calibrate TOPOLOGY RECORD.json... [--trials all|odd|even] [-o OUT.yaml]\n"
	           "  writes TOPOLOGY with each resource's online_time, offline_time and the\n"
	           "  policy's reaction (Pacemaker) or restart_delay (WSFC) fitted to the events\n"
	           "  of the JSON run records (median as measured, p95 as measured (lognormal))\n"
	           "  --trials odd|even: only the 1st, 3rd, ... | 2nd, 4th, ... trial of each\n"
	           "  fault, and the state changes within them (default all)\n");
	return code;
}

static struct sim_topology *load_topology(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct sim_topology *t = sim_topology_load(path, &d);
	diag_print(&d, stderr);
	diag_fini(&d);
	return t;
}

/* Write t to path (or stdout), then load it back: a calibration that does not load is an error. */
static int write_checked(const struct sim_topology *t, const char *out)
{
	FILE *f = out ? fopen(out, "w") : stdout;
	if (f == NULL) {
		fprintf(stderr, "faultline calibrate: %s: cannot write: %s\n", out, strerror(errno));
		return FL_EXIT_INVALID;
	}
	int rc = sim_topology_write(f, t);
	if (out && fclose(f) != 0)
		rc = -1;
	if (rc < 0) {
		fprintf(stderr, "faultline calibrate: %s: write failed\n", out ? out : "stdout");
		return FL_EXIT_BACKEND;
	}
	if (out) {
		struct sim_topology *back = load_topology(out);
		if (back == NULL) {
			fprintf(stderr, "faultline calibrate: %s: the written topology does not load (a bug)\n", out);
			return FL_EXIT_BACKEND;
		}
		sim_topology_free(back);
	}
	return FL_EXIT_OK;
}

int cmd_calibrate(int argc, char **argv)
{
	const char *out = NULL;
	enum calib_trials which = CALIB_ALL;
	char **paths = xcalloc((size_t)argc, sizeof(char *));
	size_t npaths = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			free(paths);
			return usage(stdout, FL_EXIT_OK);
		}
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--trials") == 0 && i + 1 < argc) {
			const char *w = argv[++i];
			if (strcmp(w, "all") == 0 || strcmp(w, "odd") == 0 || strcmp(w, "even") == 0)
				which = w[0] == 'a' ? CALIB_ALL : w[0] == 'o' ? CALIB_ODD : CALIB_EVEN;
			else {
				fprintf(stderr, "faultline calibrate: --trials: \"%s\" is not all, odd or even\n", w);
				free(paths);
				return usage(stderr, FL_EXIT_INVALID);
			}
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "faultline calibrate: unknown option \"%s\"\n", argv[i]);
			free(paths);
			return usage(stderr, FL_EXIT_INVALID);
		} else
			paths[npaths++] = argv[i];
	}
	if (npaths < 2) {
		free(paths);
		return usage(stderr, FL_EXIT_INVALID);
	}
	int code = FL_EXIT_INVALID;
	struct sim_topology *t = load_topology(paths[0]);
	struct run_record *recs = xcalloc(npaths, sizeof(*recs));
	size_t nrecs = 0;
	struct fl_err e;
	if (t == NULL)
		goto out;
	for (size_t i = 1; i < npaths; i++, nrecs++)
		if (report_json_read(paths[i], &recs[nrecs], &e) < 0) {
			fprintf(stderr, "faultline calibrate: %s\n", e.msg);
			goto out;
		}
	if (sim_calibrate(t, recs, nrecs, which, stderr, &e) < 0) {
		fprintf(stderr, "faultline %s\n", e.msg);
		code = FL_EXIT_BACKEND;
		goto out;
	}
	code = write_checked(t, out);
out:
	for (size_t i = 0; i < nrecs; i++)
		record_fini(&recs[i]);
	free(recs);
	sim_topology_free(t);
	free(paths);
	return code;
}
