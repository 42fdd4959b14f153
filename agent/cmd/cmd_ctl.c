/*
 * cmd_ctl.c - the control clients: `faultline status`, `pause`, `resume`,
 * `abort RUN`. Each sends one request to the agent's control socket and
 * prints the answer (status as text, or the raw JSON with --json).
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cmd.h"
#include "faultline/control.h"
#include "faultline/util.h"

#define CTL_TIMEOUT_MS 5000

struct ctl_args {
	const char *control, *state, *run;
	bool json;
};

static void usage(FILE *f, const char *name, bool wants_run)
{
	fprintf(f, "usage: faultline %s%s [--control PATH | --state DIR] [--json]\n", name, wants_run ? " RUN" : "");
}

/* 0 to go on, 1 after --help (exit 0), -1 on bad usage (exit 2). */
static int parse(const char *name, int argc, char **argv, struct ctl_args *a, bool wants_run)
{
	static const struct option opts[] = {{"control", required_argument, NULL, 'c'},
	                                     {"state", required_argument, NULL, 's'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:s:jh", opts, NULL)) != -1) {
		if (c == 'c')
			a->control = optarg;
		else if (c == 's')
			a->state = optarg;
		else if (c == 'j')
			a->json = true;
		else if (c == 'h')
			return usage(stdout, name, wants_run), 1;
		else
			goto bad;
	}
	if (wants_run && optind == argc - 1)
		a->run = argv[optind++];
	if (optind == argc)
		return 0;
bad:
	usage(stderr, name, wants_run);
	return -1;
}

/* Send req; on success *reply is the parsed answer. Returns an exit code. */
static int ask(const struct ctl_args *a, const char *req, json_t **reply)
{
	char *path =
	    a->control ? xstrdup(a->control) : xasprintf("%s/control.sock", a->state ? a->state : "/var/lib/faultline");
	char *text = NULL;
	struct fl_err e;
	int rc = control_request(path, req, &text, CTL_TIMEOUT_MS, &e);
	free(path);
	if (rc < 0) {
		fprintf(stderr, "faultline: %s\n", e.msg);
		return FL_EXIT_BACKEND;
	}
	*reply = json_loads(text, 0, NULL);
	if (a->json)
		printf("%s\n", text);
	free(text);
	const char *err = json_string_value(json_object_get(*reply, "error"));
	if (json_is_true(json_object_get(*reply, "ok")))
		return FL_EXIT_OK;
	fprintf(stderr, "faultline: agent: %s\n", err ? err : "malformed reply");
	return FL_EXIT_INVALID;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "-";
}

static void print_status(json_t *j)
{
	size_t i, k;
	json_t *p, *t;
	printf("agent: %s\n", json_is_true(json_object_get(j, "paused")) ? "PAUSED (no new runs)" : "running");
	const char *refused = json_string_value(json_object_get(j, "reload_error"));
	if (refused != NULL)
		printf("last reload REFUSED, the previous plans stay: %s\n", refused);
	printf("plans:\n");
	json_array_foreach(json_object_get(j, "plans"), i, p)
	{
		printf("  %s: next %s, last run %s, last verdict %s%s (schedule \"%s\" %s)\n", str(p, "name"),
		       str(p, "next"), str(p, "last_run"), str(p, "last_verdict"),
		       json_is_true(json_object_get(p, "queued")) ? ", queued" : "", str(p, "schedule"),
		       str(p, "timezone"));
	}
	printf("runs in progress:%s\n", json_array_size(json_object_get(j, "runs")) ? "" : " none");
	json_array_foreach(json_object_get(j, "runs"), i, p)
	{
		printf("  %s: pid %lld, phase %s%s\n", str(p, "id"),
		       (long long)json_integer_value(json_object_get(p, "pid")), str(p, "phase"),
		       json_is_true(json_object_get(p, "aborting")) ? ", aborting" : "");
		json_array_foreach(json_object_get(p, "open_trials"), k, t) printf(
		    "    open trial: %s #%lld %s \"%s\"\n", str(t, "fault"),
		    (long long)json_integer_value(json_object_get(t, "trial")), str(t, "action"), str(t, "resource"));
	}
	printf("faults open: %lld; runs waiting for a restore: %lld\n",
	       (long long)json_integer_value(json_object_get(j, "faults_open")),
	       (long long)json_integer_value(json_object_get(j, "pending_restores")));
	json_array_foreach(json_object_get(j, "held"), i, p)
	    printf("  held cluster (no runs there): %s, %s\n", str(p, "journal"),
	           json_is_true(json_object_get(p, "restoring")) ? "restoring" : "waiting for its journal's lock");
}

static int simple(const char *name, int argc, char **argv, bool wants_run)
{
	struct ctl_args a = {0};
	int parsed = parse(name, argc, argv, &a, wants_run);
	if (parsed != 0)
		return parsed > 0 ? FL_EXIT_OK : FL_EXIT_INVALID;
	json_t *req = json_pack("{s:s}", "cmd", name), *reply = NULL;
	if (a.run != NULL)
		json_object_set_new(req, "run", json_string(a.run));
	char *line = json_dumps(req, JSON_COMPACT);
	int rc = ask(&a, line, &reply);
	if (rc == FL_EXIT_OK && !a.json && strcmp(name, "status") == 0)
		print_status(reply);
	else if (rc == FL_EXIT_OK && !a.json)
		printf("agent: %s%s%s\n", strcmp(name, "abort") == 0 ? "aborting run " : name,
		       strcmp(name, "abort") == 0 ? a.run : "d", "");
	free(line);
	json_decref(req);
	json_decref(reply);
	return rc;
}

int cmd_status(int argc, char **argv)
{
	return simple("status", argc, argv, false);
}

int cmd_pause(int argc, char **argv)
{
	return simple("pause", argc, argv, false);
}

int cmd_resume(int argc, char **argv)
{
	return simple("resume", argc, argv, false);
}

int cmd_abort(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr, "abort", true);
		return FL_EXIT_INVALID;
	}
	return simple("abort", argc, argv, true);
}
