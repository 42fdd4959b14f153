/* cmd_agent.c - `faultline agent`: parse options, set up logging, run the agent. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/agent.h"
#include "faultline/cmd.h"
#include "faultline/duration.h"
#include "faultline/log.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: faultline agent --plans DIR [--state DIR] [--results DIR] [options]\n"
	           "  --plans DIR        run every plan of DIR that has a schedule: on it\n"
	           "  --state DIR        last-run times and the control socket (default /var/lib/faultline)\n"
	           "  --results DIR      each run's JSON and JUnit (default STATE/results)\n"
	           "  --keep-runs N      keep the newest N runs' results (default 100, 0 = all)\n"
	           "  --keep-days N      and none older than N days (default 30, 0 = no limit)\n"
	           "  --control PATH     the control socket (default STATE/control.sock)\n"
	           "  --metrics ADDR:PORT|off  Prometheus metrics (default 127.0.0.1:9464)\n"
	           "  --stop-timeout D   on SIGTERM, how long runs may take to restore (default 3m)\n"
	           "  --log stderr|syslog  where log lines go (default stderr; <N> prefixes under journald)\n"
	           "  -V, --verbose      debug logging\n"
	           "SIGHUP reloads the plans (all valid, or the old set stays); SIGTERM/SIGINT stop cleanly.\n");
}

static int parse_uint(const char *s, unsigned *v)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n > 1000000)
		return -1;
	*v = (unsigned)n;
	return 0;
}

/* Option letters above 255 have no short form. */
enum { O_KEEP_RUNS = 256, O_KEEP_DAYS, O_CONTROL, O_METRICS, O_STOP, O_LOG, O_RUN_BIN };

static int parse(int argc, char **argv, struct agent_opts *o, const char **logto, enum log_level *level)
{
	static const struct option opts[] = {
	    {"plans", required_argument, NULL, 'p'},
	    {"state", required_argument, NULL, 's'},
	    {"results", required_argument, NULL, 'r'},
	    {"keep-runs", required_argument, NULL, O_KEEP_RUNS},
	    {"keep-days", required_argument, NULL, O_KEEP_DAYS},
	    {"control", required_argument, NULL, O_CONTROL},
	    {"metrics", required_argument, NULL, O_METRICS},
	    {"stop-timeout", required_argument, NULL, O_STOP},
	    {"log", required_argument, NULL, O_LOG},
	    {"run-bin", required_argument, NULL, O_RUN_BIN},
	    {"verbose", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c, bad = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:s:r:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->plans_dir = optarg;
			break;
		case 's':
			o->state_dir = optarg;
			break;
		case 'r':
			o->results_dir = optarg;
			break;
		case O_KEEP_RUNS:
			bad |= parse_uint(optarg, &o->keep_runs);
			break;
		case O_KEEP_DAYS:
			bad |= parse_uint(optarg, &o->keep_days);
			break;
		case O_CONTROL:
			o->control = optarg;
			break;
		case O_METRICS:
			o->metrics = optarg;
			break;
		case O_STOP:
			bad |= duration_parse(optarg, &o->stop_timeout_ns);
			break;
		case O_LOG:
			*logto = optarg;
			break;
		case O_RUN_BIN:
			o->run_bin = optarg;
			break;
		case 'V':
			*level = LOG_LVL_DEBUG;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			bad = -1;
		}
	}
	if (bad || optind != argc || o->plans_dir == NULL ||
	    (strcmp(*logto, "stderr") != 0 && strcmp(*logto, "syslog") != 0)) {
		usage(stderr);
		return -1;
	}
	return 0;
}

int cmd_agent(int argc, char **argv)
{
	/*
	 * First: block the signals the agent handles. They wait, pending, for
	 * the signalfd the loop opens once plans are loaded and journals
	 * reconciled, so a SIGHUP or SIGTERM during start-up is acted on then
	 * instead of killing the agent half-way through reconciliation.
	 */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	struct agent_opts o = {.state_dir = "/var/lib/faultline",
	                       .keep_runs = 100,
	                       .keep_days = 30,
	                       .stop_timeout_ns = 180 * 1000000000ULL};
	const char *logto = "stderr";
	enum log_level level = LOG_LVL_INFO;
	int rc = parse(argc, argv, &o, &logto, &level);
	if (rc != 0)
		return rc > 0 ? FL_EXIT_OK : FL_EXIT_INVALID;
	const char *js = getenv("JOURNAL_STREAM");
	log_init(level, js != NULL && js[0] != '\0');
	if (strcmp(logto, "syslog") == 0)
		log_to_syslog("faultline");
	return agent_main(&o);
}
