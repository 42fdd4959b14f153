/*
 * cmd_sim.c - `faultline sim`: replay operations against a simulated
 * topology in virtual time and print every transition, so an SRE can see
 * what their restart and failover policies will do before a game day.
 *
 *   faultline sim TOPOLOGY [--seed N] [--for DURATION]
 *                 [--at T] (--fail R | --offline R [--flags F,..] [--to NODE] | --online R
 *                           | --move G [--flags F,..] [--to NODE]
 *                           | --node-down N | --node-up N | --pause N | --drain N | --resume N)...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/cluster.h"
#include "faultline/cmd.h"
#include "faultline/duration.h"
#include "faultline/sim.h"
#include "faultline/util.h"

enum sim_op_kind {
	OP_FAIL,
	OP_OFFLINE,
	OP_ONLINE,
	OP_MOVE,
	OP_CRASH,
	OP_NODE_DOWN,
	OP_NODE_UP,
	OP_PAUSE,
	OP_DRAIN,
	OP_RESUME
};

struct sim_op {
	enum sim_op_kind kind;
	uint64_t at;
	const char *name; /* borrowed from argv */
	const char *to;
	unsigned flags;
	struct fl_timer timer;
	struct sim *sim;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: faultline sim TOPOLOGY [--seed N] [--for DURATION] [--at TIME] OPERATION...\n"
	           "operations (each at the time of the last --at, default 0):\n"
	           "  --fail RESOURCE                        FailClusterResource\n"
	           "  --crash RESOURCE                       a real failure, seen at the next health check\n"
	           "  --offline RESOURCE [--flags F,...] [--to NODE]\n"
	           "  --online RESOURCE\n"
	           "  --move GROUP [--flags F,...] [--to NODE]   MoveClusterGroupEx\n"
	           "  --node-down NODE / --node-up NODE       the node crashes / joins again\n"
	           "  --pause NODE / --drain NODE            PauseClusterNodeEx without / with drain\n"
	           "  --resume NODE                          ResumeClusterNodeEx, failback per policy\n"
	           "example: faultline sim plans/clusters/sql-3node.yaml --at 1s --fail 'SQL Server (MSSQLSERVER)' \\\n"
	           "             --at 30s --fail 'SQL Server (MSSQLSERVER)' --for 5m\n");
}

static const char *const op_names[] = {"FailClusterResource",
                                       "OfflineClusterResource",
                                       "OnlineClusterResource",
                                       "MoveClusterGroup",
                                       "crash (real failure)",
                                       "node down (crash)",
                                       "node up",
                                       "PauseClusterNode",
                                       "PauseClusterNode (drain)",
                                       "ResumeClusterNode"};

static void run_op(void *arg)
{
	struct sim_op *op = arg;
	long code = 0;
	struct fl_err e = {0};
	int rc = 0;
	switch (op->kind) {
	case OP_FAIL:
		rc = sim_fail(op->sim, op->name, &code, &e);
		break;
	case OP_OFFLINE:
		rc = sim_offline(op->sim, op->name, op->flags, op->to, &code, &e);
		break;
	case OP_ONLINE:
		rc = sim_online(op->sim, op->name, &code, &e);
		break;
	case OP_CRASH:
		rc = sim_crash(op->sim, op->name, &code, &e);
		break;
	case OP_MOVE:
		rc = sim_move_group(op->sim, op->name, op->to, op->flags, &code, &e);
		break;
	case OP_NODE_DOWN:
		rc = sim_node_down(op->sim, op->name, &code, &e);
		break;
	case OP_NODE_UP:
		rc = sim_node_up(op->sim, op->name, &code, &e);
		break;
	case OP_PAUSE:
	case OP_DRAIN:
		rc = sim_node_pause(op->sim, op->name, op->kind == OP_DRAIN, &code, &e);
		break;
	case OP_RESUME:
		rc = sim_node_resume(op->sim, op->name, NODE_FAILBACK_POLICY, &code, &e);
		break;
	}
	char b[32];
	printf("%12s > %s(\"%s\"%s%s) = %ld%s%s\n", duration_format(op->at, b, sizeof(b)), op_names[op->kind], op->name,
	       op->to ? ", " : "", op->to ? op->to : "", code, rc < 0 ? ": " : "", rc < 0 ? e.msg : "");
}

static int parse_flags(const char *list, unsigned *flags)
{
	char *copy = xstrdup(list), *save = NULL;
	int rc = 0;
	for (char *t = strtok_r(copy, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		unsigned f = offline_flag_parse(t);
		if (f == 0) {
			fprintf(stderr, "faultline sim: unknown offline flag \"%s\"\n", t);
			rc = -1;
		}
		*flags |= f;
	}
	free(copy);
	return rc;
}

static bool node_op(const char *a, enum sim_op_kind *kind)
{
	static const struct {
		const char *opt;
		enum sim_op_kind kind;
	} ops[] = {{"--node-down", OP_NODE_DOWN},
	           {"--node-up", OP_NODE_UP},
	           {"--pause", OP_PAUSE},
	           {"--drain", OP_DRAIN},
	           {"--resume", OP_RESUME}};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(a, ops[i].opt) == 0) {
			*kind = ops[i].kind;
			return true;
		}
	return false;
}

/* Parse argv into ops; returns the count or -1. */
static int parse_ops(int argc, char **argv, struct sim_op *ops, uint64_t *seed, uint64_t *span)
{
	int n = 0;
	uint64_t at = 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL) {
			fprintf(stderr, "faultline sim: %s needs a value\n", a);
			return -1;
		}
		i++;
		enum sim_op_kind kind;
		if (strcmp(a, "--seed") == 0) {
			char *end;
			*seed = strtoull(v, &end, 10);
			if (*end != '\0') {
				fprintf(stderr, "faultline sim: --seed \"%s\" is not a number\n", v);
				return -1;
			}
			continue;
		} else if (strcmp(a, "--at") == 0 || strcmp(a, "--for") == 0) {
			if (duration_parse(v, strcmp(a, "--at") == 0 ? &at : span) < 0) {
				fprintf(stderr,
				        "faultline sim: %s \"%s\": expected a duration like 250ms, 90s, 2m, 1h30m\n", a,
				        v);
				return -1;
			}
			continue;
		} else if (strcmp(a, "--to") == 0 || strcmp(a, "--flags") == 0) {
			if (n == 0 || (ops[n - 1].kind != OP_OFFLINE && ops[n - 1].kind != OP_MOVE)) {
				fprintf(stderr, "faultline sim: %s must follow --offline or --move\n", a);
				return -1;
			}
			if (a[2] == 't')
				ops[n - 1].to = v;
			else if (parse_flags(v, &ops[n - 1].flags) < 0)
				return -1;
			if (ops[n - 1].kind == OP_MOVE &&
			    (ops[n - 1].flags & ~(MOVE_ALL_FLAGS & ~MOVE_HIGH_PRIORITY_START))) {
				fprintf(stderr, "faultline sim: --move takes only ignore_resource_status, "
				                "return_to_source_node_on_error, queue_enabled\n");
				return -1;
			}
			continue;
		} else if (strcmp(a, "--fail") == 0) {
			kind = OP_FAIL;
		} else if (strcmp(a, "--crash") == 0) {
			kind = OP_CRASH;
		} else if (strcmp(a, "--offline") == 0) {
			kind = OP_OFFLINE;
		} else if (strcmp(a, "--online") == 0) {
			kind = OP_ONLINE;
		} else if (strcmp(a, "--move") == 0) {
			kind = OP_MOVE;
		} else if (node_op(a, &kind)) {
			/* kind set */
		} else {
			fprintf(stderr, "faultline sim: unknown option \"%s\"\n", a);
			return -1;
		}
		ops[n].kind = kind;
		ops[n].at = at;
		ops[n].name = v;
		n++;
	}
	return n;
}

int cmd_sim(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		usage(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
		return argc >= 2 && strcmp(argv[1], "--help") == 0 ? FL_EXIT_OK : FL_EXIT_INVALID;
	}
	struct sim_op *ops = xcalloc((size_t)argc, sizeof(*ops));
	uint64_t seed = 1, span = 0;
	int nops = parse_ops(argc, argv, ops, &seed, &span);
	int code = FL_EXIT_INVALID;
	struct fl_diag d;
	diag_init(&d, argv[1]);
	struct sim_topology *t = nops < 0 ? NULL : sim_topology_load(argv[1], &d);
	diag_sort(&d);
	diag_print(&d, stderr);
	diag_fini(&d);
	if (t == NULL)
		goto out;
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e;
	struct sim *s = sim_new(t, clk, seed, &e);
	if (s == NULL) {
		fprintf(stderr, "faultline sim: %s\n", e.msg);
		code = FL_EXIT_BACKEND;
	} else {
		uint64_t last = 0;
		for (int i = 0; i < nops; i++) {
			ops[i].sim = s;
			clock_timer_init(&ops[i].timer);
			clock_timer_start(clk, &ops[i].timer, ops[i].at, run_op, &ops[i]);
			if (ops[i].at > last)
				last = ops[i].at;
		}
		/* By default: one hour past the last operation, enough for any retry policy but the longest. */
		uint64_t until = span ? span : last + 3600 * NSEC_PER_SEC;
		/* Ops print as they run; the trace follows, complete and in order. */
		clock_advance(clk, until, 10000000);
		size_t ntr;
		sim_trace(s, &ntr);
		printf("--- trace (topology %s, seed %llu, %zu transitions) ---\n", t->name ? t->name : argv[1],
		       (unsigned long long)seed, ntr);
		sim_trace_print(s, stdout);
		for (int i = 0; i < nops; i++)
			clock_timer_stop(clk, &ops[i].timer);
		sim_free(s);
		code = FL_EXIT_OK;
	}
	clock_free(clk);
	sim_topology_free(t);
out:
	free(ops);
	return code;
}
