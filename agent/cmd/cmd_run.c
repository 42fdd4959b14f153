/*
 * cmd_run.c - `faultline run PLAN`: load, check against the backend, run,
 * report. The exit code is the run's verdict (cmd.h).
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/cluster.h"
#include "faultline/cmd.h"
#include "faultline/journal.h"
#include "faultline/live.h"
#include "faultline/log.h"
#include "faultline/plan.h"
#include "faultline/record.h"
#include "faultline/report.h"
#include "faultline/run.h"
#include "faultline/util.h"
#include "faultline/verdict.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: faultline run [--dry-run] [--virtual-time] [--state DIR] [--json FILE] [--junit FILE] "
	        "[--html FILE] [--quiet] [--events-fd N] [--run-id ID] [--seed N] [--set PATH=VALUE]... PLAN\n"
	        "  --dry-run        resolve targets and print the timeline; inject nothing\n"
	        "  --seed N         use seed N instead of the plan's (same as --set seed=N)\n"
	        "  --set PATH=VALUE override one plan value before it is checked: maps by key, lists by\n"
	        "                   item name or index (run.deadline=2h, faults.fail-sql.repeat.count=10)\n"
	        "  --virtual-time   simulator only: run on a virtual clock (a day of plan in seconds)\n"
	        "  --state DIR      journal every injection in DIR/journal first (crash-safe; see faultline restore)\n"
	        "  --json FILE      write the complete record as JSON (docs/report-format.md)\n"
	        "  --junit FILE     write JUnit XML: one testcase per SLO and per trial\n"
	        "  --html FILE      write the HTML report: timeline, SLOs, trials, restore, identity\n"
	        "  --quiet          no live view or progress lines, only the summary\n"
	        "  --events-fd N    write progress as JSON lines to descriptor N (for the agent)\n"
	        "  --run-id ID      name the run in every progress and log line (the agent passes its run id)\n"
	        "  -V, --verbose    probe state changes (-VV: every check)\n"
	        "exit codes: 0 pass, 1 fail (SLO failed, trial not recovered, inconclusive), 2 invalid plan or usage,\n"
	        "  3 aborted, 4 backend or environment error\n");
}

/* Check the plan against what its backend can do, before touching anything. */
static int check_backend(const struct plan *p)
{
	const struct cluster_ops *ops = cluster_backend(p->cluster.backend);
	if (ops == NULL) {
		fprintf(stderr, "%s: backend \"%s\" is not available in this build (available: %s)\n", p->path,
		        p->cluster.backend, cluster_backend_names());
		return -1;
	}
	struct fl_diag d;
	diag_init(&d, p->path);
	int rc = plan_check_caps(p, p->cluster.backend, &ops->caps, &d);
	diag_sort(&d);
	diag_print(&d, stderr);
	diag_fini(&d);
	return rc;
}

/* Open the journal; whatever a crashed run left in it is restored before anything new starts. */
static struct journal *open_state(const char *dir)
{
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	if (j == NULL) {
		fprintf(stderr, "faultline run: %s\n", e.msg);
		return NULL;
	}
	size_t orphans = 0;
	for (const struct journal_run *r = journal_runs(j); r != NULL; r = r->next)
		orphans += r->orphan;
	if (orphans == 0)
		return j;
	fprintf(stderr, "faultline run: %s holds %zu run(s) a crashed faultline left behind; restoring them first\n",
	        journal_file(j), orphans);
	struct reconcile_opts o = {.progress = stderr};
	if (journal_reconcile(j, &o, &e) < 0) {
		fprintf(stderr, "faultline run: %s\n", e.msg);
		journal_close(j);
		return NULL;
	}
	return j; /* a cluster still held is refused by the run itself */
}

/* The backends that can run on a virtual clock, for the message refusing --virtual-time. */
static const char *virtual_backends(void)
{
	static char names[128];
	const struct cluster_ops *o;
	size_t off = 0;
	for (size_t i = 0; (o = cluster_backend_at(i)) != NULL && off < sizeof(names); i++)
		if (o->virtual_time)
			off += (size_t)snprintf(names + off, sizeof(names) - off, "%s\"%s\"", off ? ", " : "", o->name);
	return names;
}

static int write_file(const char *path, const struct run_record *rec,
                      int (*write)(const struct run_record *, FILE *, struct fl_err *))
{
	FILE *f = fopen(path, "w");
	struct fl_err e;
	if (f == NULL) {
		log_warn("cannot write %s", path);
		return -1;
	}
	int rc = write(rec, f, &e);
	if (fclose(f) != 0 || rc < 0) {
		log_warnx("writing %s: %s", path, rc < 0 ? e.msg : "close failed");
		return -1;
	}
	return 0;
}

/* The --events-fd stream; close-on-exec so exec probes do not hold it open. */
static FILE *open_events(const char *arg)
{
	char *end;
	long fd = strtol(arg, &end, 10);
	FILE *f = NULL;
	if (*end == '\0' && end != arg && fd > 2 && fd < 65536 && fcntl((int)fd, F_SETFD, FD_CLOEXEC) == 0)
		f = fdopen((int)fd, "w");
	if (f == NULL)
		fprintf(stderr, "faultline run: --events-fd %s: not an open descriptor above 2\n", arg);
	return f;
}

/* What the command line asked for, besides the run options themselves. */
struct run_args {
	struct run_opts ro;
	const char *json, *junit, *html, *state;
	enum log_level level;
	const char *plan;
	char **sets; /* --set and --seed, in order; the strings are argv's or owned (seed) */
	size_t nsets;
	const char *seed_arg; /* --seed: applied after every --set */
	char *seed_set;       /* owned "seed=N" */
};

static void free_sets(struct run_args *a)
{
	free(a->sets);
	free(a->seed_set);
	a->sets = NULL, a->seed_set = NULL, a->nsets = 0;
}

static void add_set(struct run_args *a, char *s)
{
	a->sets = xreallocarray(a->sets, a->nsets + 1, sizeof(*a->sets));
	a->sets[a->nsets++] = s;
}

/* Parse argv; returns -1 when parsed, else the exit code to return now (help, usage error). */
static int parse_args(int argc, char **argv, struct run_args *a)
{
	static const struct option opts[] = {
	    {"dry-run", no_argument, NULL, 'n'},     {"virtual-time", no_argument, NULL, 'v'},
	    {"json", required_argument, NULL, 'j'},  {"junit", required_argument, NULL, 'u'},
	    {"html", required_argument, NULL, 'H'},  {"quiet", no_argument, NULL, 'q'},
	    {"verbose", no_argument, NULL, 'V'},     {"help", no_argument, NULL, 'h'},
	    {"state", required_argument, NULL, 's'}, {"events-fd", required_argument, NULL, 'E'},
	    {"seed", required_argument, NULL, 'S'},  {"run-id", required_argument, NULL, 'R'},
	    {"set", required_argument, NULL, 'O'},   {NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof(*a));
	a->ro.progress = stderr;
	a->level = LOG_LVL_WARN;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "nvj:u:H:qVhs:E:S:O:R:", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			a->ro.dry_run = true;
			break;
		case 'v':
			a->ro.virtual_time = true;
			break;
		case 'j':
			a->json = optarg;
			break;
		case 'u':
			a->junit = optarg;
			break;
		case 's':
			a->state = optarg;
			break;
		case 'H':
			a->html = optarg;
			break;
		case 'q':
			a->ro.progress = NULL;
			break;
		case 'E':
			if ((a->ro.events = open_events(optarg)) == NULL)
				return FL_EXIT_INVALID;
			break;
		case 'V':
			a->level = a->level == LOG_LVL_WARN ? LOG_LVL_INFO : LOG_LVL_DEBUG;
			break;
		case 'S':
			a->seed_arg = optarg;
			break;
		case 'O':
			add_set(a, optarg);
			break;
		case 'R':
			a->ro.run_id = optarg;
			break;
		case 'h':
			free_sets(a);
			usage(stdout);
			return FL_EXIT_OK;
		default:
			free_sets(a);
			usage(stderr);
			return FL_EXIT_INVALID;
		}
	}
	if (optind != argc - 1) {
		free_sets(a);
		usage(stderr);
		return FL_EXIT_INVALID;
	}
	a->plan = argv[optind];
	if (a->seed_arg != NULL)
		add_set(a, a->seed_set = xasprintf("seed=%s", a->seed_arg));
	return -1;
}

/*
 * Every requested file, then (summary) the summary on stdout. A file that
 * cannot be written turns a pass into an environment error (exit 4); the
 * files already written are written again, so none of them still says pass.
 */
static void write_reports(const struct run_args *a, struct run_record *rec, bool color, bool summary)
{
	const struct {
		const char *path;
		int (*write)(const struct run_record *, FILE *, struct fl_err *);
	} outs[] = {{a->json, report_json_write}, {a->junit, report_junit_write}, {a->html, report_html_write}};
	bool ok[sizeof(outs) / sizeof(outs[0])] = {false};
	enum run_verdict before = rec->verdict;
	for (size_t i = 0; i < sizeof(outs) / sizeof(outs[0]); i++) {
		if (outs[i].path == NULL || (ok[i] = write_file(outs[i].path, rec, outs[i].write) == 0))
			continue;
		char *why = xasprintf("report %s could not be written", outs[i].path);
		verdict_set_error(rec, REASON_ENVIRONMENT, why);
		free(why);
	}
	for (size_t i = 0; rec->verdict != before && i < sizeof(outs) / sizeof(outs[0]); i++)
		if (ok[i])
			write_file(outs[i].path, rec, outs[i].write);
	if (summary)
		report_text_write(rec, stdout, color);
}

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	int code = parse_args(argc, argv, &a);
	if (code >= 0)
		return code;
	struct run_opts *ro = &a.ro;
	struct plan *p = plan_load_report_with(a.plan, (const char *const *)a.sets, a.nsets, stderr);
	free_sets(&a);
	if (p == NULL)
		return FL_EXIT_INVALID;
	if (check_backend(p) < 0) {
		plan_free(p);
		return FL_EXIT_INVALID;
	}
	if (ro->virtual_time && !cluster_backend(p->cluster.backend)->virtual_time) {
		fprintf(stderr, "%s: --virtual-time needs a simulated backend (%s), not \"%s\"\n", a.plan,
		        virtual_backends(), p->cluster.backend);
		plan_free(p);
		return FL_EXIT_INVALID;
	}
	log_init(a.level, 0);
	char *tag = ro->run_id != NULL ? xasprintf("run %s", ro->run_id) : NULL;
	log_set_tag(tag);
	if (a.state != NULL && !ro->dry_run && (ro->journal = open_state(a.state)) == NULL) {
		plan_free(p);
		return FL_EXIT_BACKEND;
	}
	const char *nc = getenv("NO_COLOR");
	bool no_color = nc != NULL && nc[0] != '\0';
	/* The live view replaces the progress lines on a terminal; virtual time is over before a frame. */
	if (ro->progress != NULL && !ro->dry_run && !ro->virtual_time && isatty(STDERR_FILENO))
		ro->live = live_new(stderr, !no_color);
	struct run_record rec;
	memset(&rec, 0, sizeof(rec));
	code = run_execute(p, ro, &rec);
	live_free(ro->live);
	/* A dry run printed its timeline instead of a summary; its files list the planned trials as skipped. */
	write_reports(&a, &rec, isatty(STDOUT_FILENO) && !no_color, !ro->dry_run);
	if (ro->dry_run && rec.abort_reason != NULL)
		fprintf(stderr, "faultline run: %s\n", rec.abort_reason);
	code = rec.exit_code; /* a report that could not be written changes it */
	run_events_verdict(ro->events, &rec);
	if (ro->events != NULL)
		fclose(ro->events);
	record_fini(&rec);
	journal_close(ro->journal);
	plan_free(p);
	log_set_tag(NULL);
	free(tag);
	return code;
}
