/*
 * cmd_restore.c - `faultline restore [--state DIR] [--force]`: reconcile the
 * journal after a crash. Every fault a dead process left injected is put
 * back to its recorded pre-run state and verified; exit 0 when all is
 * restored, 4 when something is not (and its cluster stays held unless
 * --force acknowledges it).
 *
 * SIGTERM or SIGINT does not stop it mid-action: it says so and finishes
 * (stopping would leave faults in place); a second one stops it at once,
 * saying what that means. The journal makes that safe: the next restore
 * takes up where this one stopped.
 */
#include <dirent.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "faultline/util.h"

#include "faultline/cmd.h"
#include "faultline/duration.h"
#include "faultline/journal.h"
#include "faultline/log.h"

#define RESTORE_DEFAULT_STATE "/var/lib/faultline"

static void usage(FILE *f)
{
	fprintf(f, "usage: faultline restore [--state DIR] [--force] [--timeout DURATION] [--show]\n"
	           "  --state DIR      the agent's state directory (default " RESTORE_DEFAULT_STATE ")\n"
	           "  --force          acknowledge what still cannot be restored, and release its cluster\n"
	           "  --timeout DUR    how long to try per run (default 2m)\n"
	           "  --show           print the journal's records and change nothing\n"
	           "exit codes: 0 everything restored, 2 usage, 4 something is not restored or the journal failed\n");
}

static volatile sig_atomic_t signals_seen;

/* Async-signal-safe: write(2) and _exit(2) only. */
static void on_signal(int signo)
{
	static const char finish[] = "faultline restore: signal received: finishing the restore in progress "
	                             "(stopping now would leave faults in place); send it again to stop at once\n";
	static const char stop[] = "faultline restore: second signal: stopping now; what is not restored yet "
	                           "stays in the journal: run `faultline restore` again\n";
	(void)signo;
	if (signals_seen++ == 0) {
		ssize_t n = write(STDERR_FILENO, finish, sizeof(finish) - 1);
		(void)n;
		return;
	}
	ssize_t n = write(STDERR_FILENO, stop, sizeof(stop) - 1);
	(void)n;
	_exit(FL_EXIT_BACKEND);
}

static void catch_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal, .sa_flags = SA_RESTART};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static int show(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/journal", dir);
	struct fl_err e;
	if (journal_dump(path, stdout, &e) < 0) {
		fprintf(stderr, "faultline restore: %s\n", e.msg);
		return FL_EXIT_BACKEND;
	}
	return FL_EXIT_OK;
}

static int reconcile(const char *dir, void *arg)
{
	const struct reconcile_opts *o = arg;
	struct fl_err e;
	struct journal *j = journal_open(dir, &e);
	if (j == NULL) {
		fprintf(stderr, "faultline restore: %s\n", e.msg);
		return FL_EXIT_BACKEND;
	}
	int left = journal_reconcile(j, o, &e);
	if (left < 0)
		fprintf(stderr, "faultline restore: %s\n", e.msg);
	else if (left > 0)
		fprintf(stderr, "faultline restore: %d run(s) NOT fully restored%s\n", left,
		        o->force ? " (acknowledged with --force)" : "; their clusters stay held");
	else
		printf("restore: %s: nothing left to restore\n", journal_file(j));
	journal_close(j);
	return left == 0 ? FL_EXIT_OK : FL_EXIT_BACKEND;
}

static int show_one(const char *dir, void *arg)
{
	(void)arg;
	return show(dir);
}

int cmd_restore(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"state", required_argument, NULL, 's'},   {"force", no_argument, NULL, 'f'},
	    {"timeout", required_argument, NULL, 't'}, {"show", no_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
	};
	const char *dir = RESTORE_DEFAULT_STATE;
	struct reconcile_opts o = {.progress = stdout};
	bool only_show = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:ft:ph", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			dir = optarg;
			break;
		case 'f':
			o.force = true;
			break;
		case 't':
			if (duration_parse(optarg, &o.timeout_ns) < 0 || o.timeout_ns == 0) {
				fprintf(stderr, "faultline restore: --timeout: \"%s\" is not a duration\n", optarg);
				return FL_EXIT_INVALID;
			}
			break;
		case 'p':
			only_show = true;
			break;
		case 'h':
			usage(stdout);
			return FL_EXIT_OK;
		default:
			usage(stderr);
			return FL_EXIT_INVALID;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return FL_EXIT_INVALID;
	}
	log_init(LOG_LVL_WARN, 0);
	if (!only_show)
		catch_signals();
	int code = journal_state_each(dir, only_show ? show_one : reconcile, &o);
	if (signals_seen > 0)
		fprintf(stderr, "faultline restore: finished after the signal (exit %d)\n", code);
	return code;
}
