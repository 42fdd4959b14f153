/*
 * test_agent_e2e.c - the agent binary for real: a plan scheduled `@every 2s`
 * against the simulator runs, shows in status and in the metrics, survives
 * an invalid reload, takes a valid one, pauses, and stops cleanly on
 * SIGTERM. Real time, bounded: about 8 s.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "faultline/control.h"
#include "faultline/util.h"
#include "port_fixture.h"

static char dir[64];
static pid_t agent = -1;

static const char *bin(void)
{
	const char *b = getenv("FAULTLINE_BIN");
	return b != NULL && b[0] != '\0' ? b : "./faultline";
}

static void copy(const char *from, const char *to)
{
	char *cmd = xasprintf("cp %s %s", from, to);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void start_agent(unsigned port)
{
	char *plans = xasprintf("%s/plans", dir), *state = xasprintf("%s/state", dir);
	char *log = xasprintf("%s/agent.log", dir), *metrics = xasprintf("127.0.0.1:%u", port);
	agent = fork();
	if (agent == 0) {
		freopen(log, "w", stderr);
		execl(bin(), bin(), "agent", "--plans", plans, "--state", state, "--metrics", metrics, (char *)NULL);
		_exit(127);
	}
	free(plans), free(state), free(log), free(metrics);
}

static void stop_agent(void)
{
	if (agent > 0) {
		kill(agent, SIGKILL);
		waitpid(agent, NULL, 0);
	}
	char *cmd = xasprintf("rm -rf %s", dir);
	system(cmd);
	free(cmd);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The agent's status (caller decrefs), or NULL if it does not answer yet. */
static json_t *status(void)
{
	char *path = xasprintf("%s/state/control.sock", dir), *reply = NULL;
	struct fl_err e;
	json_t *j = NULL;
	if (control_request(path, "{\"cmd\":\"status\"}", &reply, 2000, &e) == 0)
		j = json_loads(reply, 0, NULL);
	free(path);
	free(reply);
	return j;
}

static const char *plan_field(json_t *st, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(st, "plans"), i), key));
}

/* Wait (bounded) until status shows plan 0 with a last verdict. */
static json_t *wait_for_verdict(double limit)
{
	for (double t0 = now_s(); now_s() - t0 < limit; usleep(100000)) {
		json_t *st = status();
		if (st != NULL && plan_field(st, 0, "last_verdict") != NULL)
			return st;
		json_decref(st);
	}
	cr_assert_fail("no verdict within %.0f s", limit);
	return NULL;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	char *buf = xcalloc(1, 1 << 20);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	FILE *f = arg;
	return fwrite(data, size, n, f);
}

/* GET /metrics with libcurl on loopback; the body, or fails the test. */
static char *scrape(unsigned port)
{
	char *body = NULL, *url = xasprintf("http://127.0.0.1:%u/metrics", port);
	size_t len = 0;
	FILE *f = open_memstream(&body, &len);
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	CURLcode rc = curl_easy_perform(c);
	long status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	fclose(f);
	free(url);
	cr_assert_eq(rc, CURLE_OK, "%s", curl_easy_strerror(rc));
	cr_assert_eq(status, 200);
	return body;
}

static void setup(void)
{
	strcpy(dir, "/tmp/faultline-agent-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	char *plans = xasprintf("%s/plans", dir), *topo = xasprintf("%s/topo.yaml", dir);
	cr_assert_eq(mkdir(plans, 0755), 0);
	copy("tests/data/agent/plans/quick.yaml", plans);
	copy("tests/data/agent/topo.yaml", topo);
	free(plans);
	free(topo);
}

TestSuite(agent_e2e, .init = setup, .fini = stop_agent, .timeout = 30);

static void signal_and_wait_log(int sig, const char *want, double limit)
{
	char *log = xasprintf("%s/agent.log", dir);
	kill(agent, sig);
	char *text = NULL;
	for (double t0 = now_s(); now_s() - t0 < limit; usleep(50000)) {
		free(text);
		text = slurp(log);
		if (strstr(text, want) != NULL)
			break;
	}
	cr_assert_not_null(strstr(text, want), "log lacks:\n%s\nlog:\n%s", want, text);
	free(text);
	free(log);
}

static void check_metrics(unsigned port)
{
	char *m = scrape(port);
	cr_assert_not_null(strstr(m, "\nfaultline_slo_verdict{plan=\"quick\",slo=\"fast\"} 1\n"), "%s", m);
	cr_assert_not_null(
	    strstr(m, "\nfaultline_last_run_verdict{plan=\"quick\",verdict=\"pass\",reason=\"passed\"} 1\n"), "%s", m);
	cr_assert_not_null(strstr(m, "\nfaultline_last_run_exit_code{plan=\"quick\"} 0\n"), "%s", m);
	cr_assert_not_null(strstr(m, "\nfaultline_runs_total{plan=\"quick\",outcome=\"pass\"} "), "%s", m);
	cr_assert_not_null(
	    strstr(m, "\nfaultline_injections_total{plan=\"quick\",action=\"fail\",result=\"accepted\"} "));
	cr_assert_not_null(strstr(m, "\nfaultline_recovery_seconds_count{plan=\"quick\",probe=\"app-state\"} "));
	cr_assert_not_null(strstr(m, "\nfaultline_journal_pending_restores 0\n"));
	free(m);
}

static void reloads(unsigned metrics_port)
{
	char *bad = xasprintf("%s/plans/zz.yaml", dir);
	write_file(bad, "version: 1\nname: zz\ncluster: { backend: sim, topology: ../topo.yaml }\n"
	                "select: { app: { name: '^App Server$' } }\n"
	                "faults: [ { name: f, action: fail, target: app, at: 1s } ]\n"
	                "schedule: { cron: '61 * * * *' }\n");
	char *want = xasprintf("faultline: warning: reload refused, keeping the current plans: 1 error(s) in %s/plans\n"
	                       "faultline: warning: %s:6:20: invalid cron expression \"61 * * * *\": minute out of "
	                       "range 0-59\n",
	                       dir, bad);
	signal_and_wait_log(SIGHUP, want, 3);
	json_t *st = status();
	cr_assert_eq(json_array_size(json_object_get(st, "plans")), 1, "the old set stays");
	/* a refused reload is not only in the log */
	char *why = xasprintf("%s:6:20: invalid cron expression \"61 * * * *\": minute out of range 0-59", bad);
	cr_assert_str_eq(json_string_value(json_object_get(st, "reload_error")), why);
	free(why);
	json_decref(st);
	char *m = scrape(metrics_port);
	cr_assert_not_null(strstr(m, "\nfaultline_config_last_reload_successful 0\n"), "%s", m);
	free(m);
	/* 15 errors: one summary line and the first 10, not 15 lines (issue 18: 1,000 of them). */
	char *many = xstrdup("version: 1\nname: zz\ncluster: { backend: sim, topology: ../topo.yaml }\n"
	                     "select: { app: { name: '^App Server$' } }\nfaults:\n");
	for (int i = 0; i < 15; i++) {
		char *more = xasprintf("%s  - { name: f%d, action: fail, target: nosuch }\n", many, i);
		free(many);
		many = more;
	}
	char *with_sched = xasprintf("%sschedule: { cron: '@daily' }\n", many);
	write_file(bad, with_sched);
	free(many), free(with_sched);
	char *want_many = xasprintf("reload refused, keeping the current plans: 15 error(s) in %s/plans; the first 10 "
	                            "follow\n",
	                            dir);
	signal_and_wait_log(SIGHUP, want_many, 3);
	free(want_many);
	usleep(200000);
	char *logpath = xasprintf("%s/agent.log", dir), *text = slurp(logpath);
	int n = 0;
	for (const char *p = text; (p = strstr(p, "unknown selector \"nosuch\"")) != NULL; p++)
		n++;
	cr_assert_eq(n, 10, "%d error lines logged:\n%s", n, text);
	free(logpath), free(text);
	write_file(bad, "version: 1\nname: zz\ncluster: { backend: sim, topology: ../topo.yaml }\n"
	                "select: { app: { name: '^App Server$' } }\n"
	                "faults: [ { name: f, action: fail, target: app, at: 1s } ]\n"
	                "schedule: { cron: '0 3 * * *', timezone: Europe/Paris }\n");
	signal_and_wait_log(SIGHUP, "faultline: info: reload: 2 scheduled plan(s)", 3);
	st = status();
	cr_assert(json_is_null(json_object_get(st, "reload_error")));
	m = scrape(metrics_port);
	cr_assert_not_null(strstr(m, "\nfaultline_config_last_reload_successful 1\n"), "%s", m);
	free(m);
	cr_assert_str_eq(plan_field(st, 1, "name"), "zz");
	cr_assert_str_eq(plan_field(st, 0, "last_verdict"), "pass", "state carried over the reload");
	json_decref(st);
	free(bad);
	free(want);
}

Test(agent_e2e, scheduled_run_status_metrics_reload_stop)
{
	unsigned port = free_port();
	start_agent(port);
	json_t *st = wait_for_verdict(8);
	cr_assert_str_eq(plan_field(st, 0, "name"), "quick");
	cr_assert_str_eq(plan_field(st, 0, "last_verdict"), "pass");
	cr_assert_not_null(plan_field(st, 0, "next"));
	json_decref(st);
	check_metrics(port);
	reloads(port);
	char *cmd =
	    xasprintf("%s pause --state %s/state >/dev/null && %s status --state %s/state | grep -q '^agent: PAUSED'",
	              bin(), dir, bin(), dir);
	cr_assert_eq(system(cmd), 0, "pause shows in status");
	free(cmd);
	signal_and_wait_log(SIGTERM, "faultline: info: agent: stopped\n", 8);
	int ws = 0;
	for (int i = 0; i < 100 && waitpid(agent, &ws, WNOHANG) == 0; i++)
		usleep(50000);
	cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "exit status %d", ws);
	agent = -1;
	char *sock = xasprintf("%s/state/control.sock", dir), *ls = xasprintf("ls %s/state/results/quick-*.json "
	                                                                      "%s/state/results/quick-*.xml >/dev/null",
	                                                                      dir, dir);
	cr_assert_neq(access(sock, F_OK), 0, "the socket is gone");
	cr_assert_eq(system(ls), 0, "JSON and JUnit results are there");
	free(sock);
	free(ls);
}

/* Wait (bounded) for a run in the faults phase; its id (caller frees). */
static char *wait_for_faults_phase(double limit)
{
	for (double t0 = now_s(); now_s() - t0 < limit; usleep(50000)) {
		json_t *st = status(), *run = json_array_get(json_object_get(st, "runs"), 0);
		const char *phase = json_string_value(json_object_get(run, "phase"));
		char *id = phase && strcmp(phase, "faults") == 0
		               ? xstrdup(json_string_value(json_object_get(run, "id")))
		               : NULL;
		json_decref(st);
		if (id != NULL)
			return id;
	}
	cr_assert_fail("no run reached the faults phase within %.0f s", limit);
	return NULL;
}

Test(agent_e2e, sigterm_stops_the_run_in_progress_which_restores)
{
	char *plan = xasprintf("%s/plans/quick.yaml", dir);
	/* The second fault comes 20 s in: the run is surely in progress when SIGTERM comes. */
	write_file(plan, "version: 1\nname: slow\nseed: 1\ncluster: { backend: sim, topology: ../topo.yaml }\n"
	                 "select: { app: { name: '^App Server$' } }\n"
	                 "faults:\n  - { name: early, action: fail, target: app, at: 100ms, recovery_timeout: 5s }\n"
	                 "  - { name: late, action: fail, target: app, at: 20s, recovery_timeout: 5s }\n"
	                 "probes: { app-state: { cluster: app, interval: 200ms, fast_interval: 20ms } }\n"
	                 "run: { settle: 100ms, steady_state: 2s, deadline: 40s }\n"
	                 "schedule: { cron: '@every 2s' }\n");
	start_agent(free_port());
	char *id = wait_for_faults_phase(6);
	signal_and_wait_log(SIGTERM, "faultline: info: agent: stopped\n", 8);
	int ws = 0;
	for (int i = 0; i < 100 && waitpid(agent, &ws, WNOHANG) == 0; i++)
		usleep(50000);
	agent = -1;
	cr_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "exit status %d", ws);
	char *log = xasprintf("%s/agent.log", dir), *text = slurp(log);
	char *aborted = xasprintf("faultline: info: run %s finished: aborted", id);
	cr_assert_not_null(strstr(text, "stopping the runs in progress (they restore and report)"), "%s", text);
	const char *verified = strstr(text, "restore: everything verified"), *bol = verified;
	cr_assert_not_null(verified, "%s", text);
	while (bol > text && bol[-1] != '\n')
		bol--;
	char *prefix = xasprintf("run %s: ", id);
	cr_assert(strncmp(bol, prefix, strlen(prefix)) == 0, "the run's lines carry its id:\n%s", text);
	free(prefix);
	cr_assert_not_null(strstr(text, aborted), "%s", text);
	char *tagged = xasprintf("s] run %s: aborting: received Terminated\n", id);
	cr_assert_not_null(strstr(text, tagged), "the run's own lines name it:\n%s", text);
	free(tagged);
	char *json = xasprintf("%s/state/results/%s.json", dir, id);
	cr_assert_eq(access(json, F_OK), 0, "the aborted run's report is written");
	free(plan), free(id), free(log), free(text), free(aborted), free(json);
}

Test(agent_e2e, run_events_fd_stream_in_virtual_time)
{
	char *out = xasprintf("%s/events", dir);
	char *cmd = xasprintf("%s run --virtual-time --quiet --events-fd 3 tests/data/run/pass.yaml 3>%s >/dev/null",
	                      bin(), out);
	cr_assert_eq(system(cmd), 0);
	char *ev = slurp(out);
	const char *want[] = {
	    "{\"event\":\"phase\",\"phase\":\"steady\",\"t\":0.0}\n",
	    "{\"event\":\"phase\",\"phase\":\"faults\",\"t\":1.0}\n",
	    ("{\"event\":\"injected\",\"fault\":\"fail-app\",\"trial\":1,\"action\":\"fail\",\"resource\":\"App "
	     "Server\","
	     "\"result\":\"accepted\",\"code\":0,\"t\":6.0}\n"),
	    ("{\"event\":\"trial\",\"fault\":\"fail-app\",\"trial\":1,\"resource\":\"App "
	     "Server\",\"outcome\":\"recovered\","
	     "\"recovery_s\":0.9,\"probes\":[{\"probe\":\"app-port\",\"recovery_s\":0.9},{\"probe\":\"app-state\","
	     "\"recovery_s\":0.9}],\"t\":6.9}\n"),
	    ("{\"event\":\"verdict\",\"verdict\":\"pass\",\"reason\":\"passed\",\"exit\":0,\"slos\":[{\"name\":"
	     "\"fast\",\"verdict\":\"pass\"}"
	     ","
	     "{\"name\":\"available\",\"verdict\":\"pass\"}]}\n"),
	};
	for (size_t i = 0; i < ARRAY_LEN(want); i++)
		cr_assert_not_null(strstr(ev, want[i]), "missing %s in:\n%s", want[i], ev);
	free(out), free(cmd), free(ev);
}

/*
 * Three plans on one cluster, each due every second, each run longer than
 * that: every plan gets its turn. A freed cluster used to start the first
 * queued plan in directory order, and the others never ran.
 */
Test(agent_e2e, queued_plans_take_turns)
{
	char *quick = xasprintf("%s/plans/quick.yaml", dir);
	unlink(quick);
	free(quick);
	const char *names[] = {"a", "b", "c"};
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		char *path = xasprintf("%s/plans/%s.yaml", dir, names[i]);
		char *text =
		    xasprintf("version: 1\nname: %s\nseed: 5\ncluster: { backend: sim, topology: ../topo.yaml }\n"
		              "select: { app: { name: '^App Server$' } }\n"
		              "faults: [ { name: f, action: fail, target: app, at: 200ms, recovery_timeout: 5s } ]\n"
		              "probes: { s: { cluster: app, interval: 200ms, fast_interval: 20ms } }\n"
		              "run: { settle: 100ms, steady_state: 2s, deadline: 20s }\n"
		              "schedule: { cron: '@every 1s', concurrency: queue }\n",
		              names[i]);
		write_file(path, text);
		free(path), free(text);
	}
	start_agent(free_port());
	bool all = false;
	for (double t0 = now_s(); !all && now_s() - t0 < 15; usleep(200000)) {
		json_t *st = status();
		all = st != NULL;
		for (size_t i = 0; all && i < ARRAY_LEN(names); i++)
			all = plan_field(st, i, "last_verdict") != NULL;
		json_decref(st);
	}
	char *log = xasprintf("%s/agent.log", dir), *text = slurp(log);
	cr_assert(all, "not every plan ran within 15 s:\n%s", text);
	free(log), free(text);
}

/* A run that fails on an unrecovered trial: the counter and the verdict gauge say what its report says. */
Test(agent_e2e, metrics_name_the_runs_own_verdict_and_reason)
{
	char *plan = xasprintf("%s/plans/quick.yaml", dir);
	write_file(plan, "version: 1\nname: quick\nseed: 1\ncluster: { backend: sim, topology: ../topo.yaml }\n"
	                 "select: { app: { name: '^App Server$' } }\n"
	                 "faults: [ { name: drain, action: offline, target: app, at: 100ms, recovery_timeout: 1s } ]\n"
	                 "probes: { app-state: { cluster: app, interval: 200ms, fast_interval: 20ms } }\n"
	                 "run: { settle: 100ms, steady_state: 2s, deadline: 40s }\n"
	                 "schedule: { cron: '@every 2s' }\n");
	unsigned port = free_port();
	start_agent(port);
	json_t *st = wait_for_verdict(12);
	cr_assert_str_eq(plan_field(st, 0, "last_verdict"), "fail");
	json_decref(st);
	char *m = scrape(port);
	cr_assert_not_null(strstr(m, "\nfaultline_runs_total{plan=\"quick\",outcome=\"fail\"} "), "%s", m);
	cr_assert_not_null(
	    strstr(m,
	           "\nfaultline_last_run_verdict{plan=\"quick\",verdict=\"fail\",reason=\"trial_not_recovered\"} 1\n"),
	    "%s", m);
	cr_assert_not_null(strstr(m, "\nfaultline_last_run_exit_code{plan=\"quick\"} 1\n"), "%s", m);
	free(m);
	free(plan);
}
