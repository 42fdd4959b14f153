/* test_pacemaker.c - the Pacemaker backend without a cluster: crm_mon XML
 * fixtures (captured from Pacemaker 2.1.5), the state mapping, the offline
 * flag mapping and its plan-time rejection, and the CLI runner's deadline. */
#include <criterion/criterion.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../agent/cluster/pacemaker/pacemaker.h"
#include "../agent/cluster/pacemaker/pacemaker_int.h"
#include "faultline/clock.h"
#include "faultline/plan.h"
#include "faultline/util.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	static char buf[65536];
	*len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[*len] = '\0';
	return buf;
}

static void load(const char *name, struct pcmk_status *st)
{
	char path[256];
	size_t len;
	snprintf(path, sizeof(path), "tests/data/pacemaker/%s", name);
	char *xml = slurp(path, &len);
	struct fl_err e = {0};
	cr_assert_eq(pcmk_xml_parse(xml, len, st, &e), 0, "%s", e.msg);
}

static const struct cluster_resource *res(const struct pcmk_status *st, const char *name)
{
	const struct cluster_resource *r = cluster_snapshot_resource(&st->snap, name);
	cr_assert_not_null(r, "%s", name);
	return r;
}

Test(pacemaker, parses_nodes_resources_groups)
{
	struct pcmk_status st;
	load("started.xml", &st);
	cr_assert(st.have_dc);
	cr_assert_eq(st.snap.nnodes, 1);
	cr_assert_str_eq(st.snap.nodes[0].name, "vm");
	cr_assert(st.snap.nodes[0].up);
	cr_assert_eq(st.snap.nresources, 4);
	cr_assert_eq(st.snap.ngroups, 1);
	cr_assert_str_eq(st.snap.groups[0].name, "fl-g1");
	cr_assert_str_eq(st.snap.groups[0].owner, "vm");
	cr_assert_eq(st.snap.groups[0].state, GRP_ONLINE);
	const struct cluster_resource *r1 = res(&st, "fl-r1"), *gb = res(&st, "fl-gb");
	cr_assert_str_eq(r1->type, "ocf:pacemaker:Dummy");
	cr_assert_null(r1->group);
	cr_assert_str_eq(r1->owner, "vm");
	cr_assert_eq(r1->state, RES_ONLINE);
	cr_assert_eq(r1->ndeps, 0);
	cr_assert_str_eq(gb->group, "fl-g1");
	cr_assert_eq(gb->ndeps, 1);
	cr_assert_str_eq(gb->deps[0], "fl-ga"); /* a group is an ordered chain */
	cr_assert_eq(st.nbans, 0);
	pcmk_status_fini(&st);
}

/* A node in standby (node_pause) is a member that takes no resources: up and paused. */
Test(pacemaker, a_node_in_standby_is_paused)
{
	static const char xml[] = "<pacemaker-result><nodes><node name=\"a\" online=\"true\" standby=\"true\"/>"
	                          "<node name=\"b\" online=\"true\" standby=\"false\"/>"
	                          "<node name=\"c\" online=\"false\" standby=\"false\"/></nodes></pacemaker-result>";
	struct pcmk_status st;
	struct fl_err e = {0};
	cr_assert_eq(pcmk_xml_parse(xml, sizeof(xml) - 1, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(st.snap.nnodes, 3);
	cr_assert_eq(cluster_node_state(&st.snap.nodes[0]), NODE_PAUSED);
	cr_assert_eq(cluster_node_state(&st.snap.nodes[1]), NODE_UP);
	cr_assert_eq(cluster_node_state(&st.snap.nodes[2]), NODE_DOWN);
	pcmk_status_fini(&st);
}

/* An empty <group> (no members) used to be reported online: 0 of 0 members online. */
Test(pacemaker, an_empty_group_is_not_online)
{
	static const char xml[] = "<pacemaker-result><nodes><node name=\"vm\" online=\"true\"/></nodes>"
	                          "<resources><group id=\"g0\" number_resources=\"0\"/></resources></pacemaker-result>";
	struct pcmk_status st;
	struct fl_err e = {0};
	cr_assert_eq(pcmk_xml_parse(xml, sizeof(xml) - 1, &st, &e), 0, "%s", e.msg);
	cr_assert_eq(st.snap.ngroups, 1);
	cr_assert_str_eq(st.snap.groups[0].name, "g0");
	cr_assert_eq(st.snap.groups[0].state, GRP_UNKNOWN);
	pcmk_status_fini(&st);
}

Test(pacemaker, failed_resource_being_recovered_is_failed)
{
	struct pcmk_status st;
	load("failed-stopping.xml", &st);
	cr_assert_eq(res(&st, "fl-r1")->state, RES_FAILED);
	cr_assert_eq(res(&st, "fl-r2")->state, RES_ONLINE);
	pcmk_status_fini(&st);
}

Test(pacemaker, stopped_after_cleanup_without_history_is_pending)
{
	/* crm_mon shows a running resource as Stopped until it is re-probed */
	struct pcmk_status st;
	load("after-cleanup.xml", &st);
	const struct cluster_resource *r1 = res(&st, "fl-r1");
	cr_assert_eq(r1->state, RES_PENDING);
	cr_assert_null(r1->owner);
	pcmk_status_fini(&st);
}

Test(pacemaker, stopped_at_migration_threshold_is_failed)
{
	/* fl-r2: migration-threshold=1, one --fail, one node: Pacemaker leaves it Stopped, failed="false" */
	struct pcmk_status st;
	load("stopped-at-migration-threshold.xml", &st);
	cr_assert_eq(res(&st, "fl-r2")->state, RES_FAILED);
	cr_assert_null(res(&st, "fl-r2")->owner);
	cr_assert_eq(res(&st, "fl-r1")->state, RES_ONLINE);
	pcmk_status_fini(&st);
}

/* started.xml with one substitution applied, parsed. */
static void load_edited(const char *from, const char *to, struct pcmk_status *st)
{
	size_t len;
	char *xml = slurp("tests/data/pacemaker/started.xml", &len);
	char *at = strstr(xml, from);
	cr_assert_not_null(at, "%s", from);
	char *edited = xasprintf("%.*s%s%s", (int)(at - xml), xml, to, at + strlen(from));
	struct fl_err e = {0};
	cr_assert_eq(pcmk_xml_parse(edited, strlen(edited), st, &e), 0, "%s", e.msg);
	free(edited);
}

Test(pacemaker, a_restart_between_two_reads_shows_in_the_operation_history)
{
	/* online in both reads: only a newer start (call id) says it went down and up in between */
	struct pcmk_status a, b, c;
	load("started.xml", &a);
	load_edited("<operation_history call=\"10\" task=\"start\"", "<operation_history call=\"31\" task=\"start\"",
	            &b);
	cr_assert(pcmk_status_restarted(&a, &b, "fl-r1"));
	cr_assert_not(pcmk_status_restarted(&a, &b, "fl-r2"));
	cr_assert_not(pcmk_status_restarted(&a, &a, "fl-r1"));
	/* history wiped (a cleanup re-probes a running resource): nothing to conclude */
	load_edited("<operation_history call=\"10\" task=\"start\"", "<operation_history call=\"10\" task=\"probe\"",
	            &c);
	cr_assert_not(pcmk_status_restarted(&a, &c, "fl-r1"));
	pcmk_status_fini(&a);
	pcmk_status_fini(&b);
	pcmk_status_fini(&c);
}

Test(pacemaker, stopped_and_banned)
{
	struct pcmk_status st;
	load("stopped-banned.xml", &st);
	cr_assert_eq(res(&st, "fl-r2")->state, RES_OFFLINE); /* has history: really stopped */
	cr_assert_eq(res(&st, "fl-gb")->state, RES_OFFLINE);
	cr_assert_eq(st.snap.groups[0].state, GRP_PARTIAL_ONLINE);
	cr_assert_eq(st.nbans, 1);
	cr_assert(pcmk_status_banned(&st, "fl-r2"));
	cr_assert_not(pcmk_status_banned(&st, "fl-r1"));
	pcmk_status_fini(&st);
}

Test(pacemaker, errors_name_crm_mon)
{
	struct pcmk_status st;
	struct fl_err e = {0};
	size_t len;
	char *xml = slurp("tests/data/pacemaker/not-connected.xml", &len);
	cr_assert_eq(pcmk_xml_parse(xml, len, &st, &e), -1);
	cr_assert_str_eq(e.msg, "crm_mon: status 102: Not connected");
	cr_assert_eq(pcmk_xml_parse("<pacemaker-result>", 18, &st, &e), -1);
	cr_assert(strncmp(e.msg, "crm_mon: malformed XML", 22) == 0, "%s", e.msg);
	cr_assert_eq(pcmk_xml_parse("<other/>", 8, &st, &e), -1);
	cr_assert_str_eq(e.msg, "crm_mon: not a <pacemaker-result> document");
	cr_assert_eq(st.snap.nresources, 0);
}

Test(pacemaker, state_map)
{
	cr_assert_eq(pcmk_state_map("Started", "false", NULL, true), RES_ONLINE);
	cr_assert_eq(pcmk_state_map("Promoted", "false", NULL, true), RES_ONLINE);
	cr_assert_eq(pcmk_state_map("Started", "false", "Monitoring", true), RES_ONLINE);
	cr_assert_eq(pcmk_state_map("Started", "true", NULL, true), RES_FAILED);
	cr_assert_eq(pcmk_state_map("Stopping", "true", NULL, true), RES_FAILED);
	cr_assert_eq(pcmk_state_map("Starting", "true", NULL, true), RES_ONLINE_PENDING);
	cr_assert_eq(pcmk_state_map("Stopped", "false", "Starting", true), RES_ONLINE_PENDING);
	cr_assert_eq(pcmk_state_map("Stopping", "false", NULL, true), RES_OFFLINE_PENDING);
	cr_assert_eq(pcmk_state_map("Stopped", "false", NULL, true), RES_OFFLINE);
	cr_assert_eq(pcmk_state_map("Stopped", "false", NULL, false), RES_PENDING);
	cr_assert_eq(pcmk_state_map("Migrating", NULL, NULL, true), RES_PENDING);
	cr_assert_eq(pcmk_state_map(NULL, NULL, NULL, true), RES_UNKNOWN);
	cr_assert_eq(pcmk_state_map("Bogus", NULL, NULL, true), RES_UNKNOWN);
}

Test(pacemaker, offline_flag_mapping)
{
	cr_assert_eq(pacemaker_cluster_ops.caps.offline_flags,
	             OFFLINE_IGNORE_RESOURCE_STATUS | OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE);
	cr_assert_eq(pcmk_offline_how(0, NULL), PCMK_OFF_TARGET_ROLE);
	cr_assert_eq(pcmk_offline_how(OFFLINE_IGNORE_RESOURCE_STATUS, NULL), PCMK_OFF_TARGET_ROLE);
	cr_assert_eq(pcmk_offline_how(OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE, NULL), PCMK_OFF_BAN);
	cr_assert_eq(pcmk_offline_how(OFFLINE_DO_NOT_UPDATE_PERSISTENT_STATE, "n2"), PCMK_OFF_MOVE);
	cr_assert_eq(pcmk_offline_unsupported(PCMK_OFFLINE_FLAGS), 0);
	static const unsigned rejected[] = {OFFLINE_RETURN_TO_SOURCE_NODE_ON_ERROR, OFFLINE_QUEUE_ENABLED,
	                                    OFFLINE_RETURNING_TO_SOURCE_NODE_BECAUSE_OF_ERROR,
	                                    OFFLINE_DUE_TO_EMBEDDED_FAILURE, OFFLINE_IGNORE_NETWORK_CONNECTIVITY};
	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++)
		cr_assert_eq(pcmk_offline_unsupported(rejected[i] | OFFLINE_IGNORE_RESOURCE_STATUS), rejected[i]);
	cr_assert_eq(pcmk_offline_unsupported(OFFLINE_QUEUE_ENABLED | OFFLINE_IGNORE_NETWORK_CONNECTIVITY),
	             OFFLINE_QUEUE_ENABLED);
}

Test(pacemaker, plan_check_rejects_each_unsupported_flag)
{
	struct fl_diag d;
	const char *path = "tests/data/pacemaker/bad-flags.yaml";
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	cr_assert_not_null(p);
	cr_assert_eq(cluster_backend("pacemaker"), &pacemaker_cluster_ops);
	cr_assert_eq(plan_check_caps(p, "pacemaker", &pacemaker_cluster_ops.caps, &d), -1);
	cr_assert_eq(d.n, 2);
	char *m0 = diag_format(&d, 0), *m1 = diag_format(&d, 1);
	cr_assert_str_eq(m0, "tests/data/pacemaker/bad-flags.yaml:7:5: fault \"drain\": backend \"pacemaker\" does not "
	                     "support offline flag \"queue_enabled\"");
	cr_assert_str_eq(m1, "tests/data/pacemaker/bad-flags.yaml:7:5: fault \"drain\": backend \"pacemaker\" does not "
	                     "support offline flag \"ignore_network_connectivity\"");
	free(m0);
	free(m1);
	diag_fini(&d);
	plan_free(p);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

Test(pacemaker, cli_runs_without_shell_and_captures)
{
	struct pcmk_out o;
	struct fl_err e = {0};
	cr_assert_eq(pcmk_cli_run((char *[]){"printf", "a b;$x", NULL}, 5000000000ull, &o, &e), 0, "%s", e.msg);
	cr_assert_str_eq(o.out, "a b;$x");
	cr_assert_eq(o.status, 0);
	pcmk_out_fini(&o);
	char *fail[] = {"sh", "-c", "echo out; echo 'it broke' >&2; echo more >&2; exit 3", NULL};
	cr_assert_eq(pcmk_cli_check(fail, 5000000000ull, &o, &e), -1);
	cr_assert_str_eq(e.msg, "sh -c echo out; echo 'it broke' >&2; echo more >&2; exit 3: exit 3: it broke");
	cr_assert_eq(o.status, 3);
	pcmk_out_fini(&o);
	cr_assert_eq(pcmk_cli_run((char *[]){"/nonexistent/crm_mon", NULL}, 5000000000ull, &o, &e), 0);
	cr_assert_eq(o.status, 127);
	cr_assert_str_eq(o.err, "cannot execute /nonexistent/crm_mon: No such file or directory");
	pcmk_out_fini(&o);
}

/* The loop blocks the signals its signalfd reads: a command (or a daemon a node command starts) must not inherit that.
 */
Test(pacemaker, cli_commands_start_with_no_signal_blocked)
{
	sigset_t term, old;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &old);
	struct pcmk_out o;
	struct fl_err e = {0};
	int rc = pcmk_cli_run((char *[]){"grep", "^SigBlk:", "/proc/self/status", NULL}, 5000000000ull, &o, &e);
	sigprocmask(SIG_SETMASK, &old, NULL);
	cr_assert_eq(rc, 0, "%s", e.msg);
	cr_assert_str_eq(o.out, "SigBlk:\t0000000000000000\n");
	pcmk_out_fini(&o);
}

Test(pacemaker, cli_deadline_kills_the_process_group)
{
	/* a benchmark-free bound: the child and its grandchild would sleep 30 s */
	struct pcmk_out o;
	struct fl_err e = {0};
	uint64_t t0 = mono_ms();
	char *argv[] = {"sh", "-c", "sleep 30 & sleep 30", NULL};
	cr_assert_eq(pcmk_cli_run(argv, 200000000ull, &o, &e), -1);
	uint64_t took = mono_ms() - t0;
	cr_assert(took >= 200 && took < 5000, "took %llu ms", (unsigned long long)took);
	cr_assert_str_eq(e.msg, "sh -c: no answer within 200 ms (killed)");
}

/*
 * The background reads (pacemaker_read.c) against a stand-in crm_mon on
 * PATH: the first call prints started.xml, later ones failed-stopping.xml,
 * or hang once the file "hang" exists.
 */
static char fake_dir[64];

static void fake_crm_mon(void)
{
	snprintf(fake_dir, sizeof(fake_dir), "/tmp/fl-fake-crm-mon-%d", (int)getpid());
	char *cwd = getcwd(NULL, 0);
	char *script = xasprintf("#!/bin/sh\n"
	                         "n=$(cat %s/n 2>/dev/null || echo 0); echo $((n + 1)) > %s/n\n"
	                         "[ -f %s/hang ] && exec sleep 30\n"
	                         "[ \"$n\" -eq 0 ] && exec cat %s/tests/data/pacemaker/started.xml\n"
	                         "exec cat %s/tests/data/pacemaker/failed-stopping.xml\n",
	                         fake_dir, fake_dir, fake_dir, cwd, cwd);
	char *cmd = xasprintf("rm -rf %s && mkdir -p %s", fake_dir, fake_dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
	char *path = xasprintf("%s/crm_mon", fake_dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(script, f);
	fclose(f);
	cr_assert_eq(chmod(path, 0755), 0);
	char *p = xasprintf("%s:%s", fake_dir, getenv("PATH"));
	setenv("PATH", p, 1);
	setenv("FAULTLINE_PCMK_POLL", "1", 1);
	free(p);
	free(path);
	free(script);
	free(cwd);
}

static int seen_failed;

static void on_ev(const struct cluster_event *ev, void *arg)
{
	(void)arg;
	if (ev->kind == CLUSTER_EV_RESOURCE && strcmp(ev->name, "fl-r1") == 0 && ev->state == RES_FAILED)
		seen_failed++;
}

/* Wait on the backend's fd and drain, at most n times; returns the last drain's result. */
static int pump(struct cluster *cl, int n, struct fl_err *e)
{
	int rc = 0;
	for (int i = 0; i < n && rc >= 0 && seen_failed == 0; i++) {
		struct pollfd p = {.fd = cl->ops->notify_fd(cl), .events = POLLIN};
		poll(&p, 1, 100);
		rc = cl->ops->drain(cl, on_ev, NULL, e);
	}
	return rc;
}

Test(pacemaker, background_read_delivers_changes_and_has_a_deadline)
{
	fake_crm_mon();
	struct fl_clock *clk = clock_new_real();
	struct cluster_config cfg = {.backend = "pacemaker", .timeout_ns = 300 * 1000000ull};
	struct fl_err e = {0};
	struct cluster *cl = cluster_open(&cfg, clk, &e);
	cr_assert_not_null(cl, "%s", e.msg);
	cr_assert_geq(pump(cl, 30, &e), 0, "%s", e.msg); /* the 250 ms poll starts a read; drain applies it */
	cr_assert_eq(seen_failed, 1, "the change the second read shows is delivered");
	char *hang = xasprintf("%s/hang", fake_dir);
	FILE *f = fopen(hang, "w");
	cr_assert_not_null(f);
	fclose(f);
	free(hang);
	seen_failed = 0;
	int rc = pump(cl, 30, &e);
	cr_assert_eq(rc, -1, "a read that hangs is killed at the call timeout");
	cr_assert_str_eq(e.msg, "crm_mon -1 --output-as=xml: no answer within 300 ms (killed)");
	cluster_close(cl);
	clock_free(clk);
	char *cmd = xasprintf("rm -rf %s", fake_dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

/*
 * node_pause / node_resume and their undo against a stand-in crm_attribute
 * that keeps each node's standby value in a file (absent = not set) and
 * logs every call, as the real one answers: --query --quiet prints the
 * value or exits 105.
 */
static void fake_crm_attribute(void)
{
	static const char script[] =
	    "#!/bin/sh\n"
	    "d=$(dirname \"$0\"); echo \"$*\" >> \"$d/calls\"\n"
	    "node=$2; f=\"$d/standby-$node\"\n"
	    "case \"$5\" in\n"
	    "--query) [ -f \"$f\" ] || { echo 'No such device or address' >&2; exit 105; }; cat \"$f\";;\n"
	    "--update) echo \"$6\" > \"$f\";;\n"
	    "--delete) rm -f \"$f\";;\n"
	    "*) exit 64;;\n"
	    "esac\n";
	char *path = xasprintf("%s/crm_attribute", fake_dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(script, f);
	fclose(f);
	cr_assert_eq(chmod(path, 0755), 0);
	free(path);
}

static char *standby_now(const char *node)
{
	char *path = xasprintf("%s/standby-%s", fake_dir, node);
	FILE *f = fopen(path, "r");
	free(path);
	if (f == NULL)
		return NULL;
	char buf[64] = "";
	cr_assert_not_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

static struct cluster *open_fake(struct fl_clock *clk)
{
	fake_crm_mon();
	fake_crm_attribute();
	struct cluster_config cfg = {.backend = "pacemaker", .timeout_ns = 2000 * 1000000ull};
	struct fl_err e = {0};
	struct cluster *cl = cluster_open(&cfg, clk, &e);
	cr_assert_not_null(cl, "%s", e.msg);
	return cl;
}

static void close_fake(struct cluster *cl, struct fl_clock *clk)
{
	cluster_close(cl);
	clock_free(clk);
	char *cmd = xasprintf("rm -rf %s", fake_dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

Test(pacemaker, node_pause_is_standby_and_its_undo_deletes_what_was_not_there)
{
	struct fl_clock *clk = clock_new_real();
	struct cluster *cl = open_fake(clk);
	const struct cluster_ops *ops = cl->ops;
	cr_assert(cl->caps.ops & CLUSTER_OP_NODE_PAUSE);
	struct cluster_undo u = {0};
	struct fl_err e = {0};
	long code = -1;
	cr_assert_eq(ops->undo_plan(cl, CLUSTER_ACT_NODE_PAUSE, "vm", 0, NULL, &u, &e), 0, "%s", e.msg);
	cr_assert_eq(u.n, 1);
	cr_assert_str_eq(u.items[0], "nodeattr\tvm\tstandby", "no standby before: the undo deletes it");
	cr_assert_eq(ops->node_pause(cl, "vm", true, &code, &e), 0, "%s", e.msg);
	cr_assert_eq(code, 0);
	char *v = standby_now("vm");
	cr_assert_str_eq(v, "on");
	free(v);
	char why[256];
	cr_assert_eq(ops->undo_left(cl, u.items[0], why, sizeof(why), &e), 1, "%s", e.msg);
	cr_assert_str_eq(why, "node vm's standby is on (before the run: not set)");
	cr_assert_eq(ops->node_resume(cl, "vm", NODE_FAILBACK_NONE, &code, &e), 0, "%s", e.msg);
	v = standby_now("vm");
	cr_assert_str_eq(v, "off", "resume is standby off");
	free(v);
	cr_assert_eq(ops->undo_left(cl, u.items[0], why, sizeof(why), &e), 1, "off is not \"not set\"");
	cr_assert_eq(ops->undo(cl, u.items[0], &e), 0, "%s", e.msg);
	cr_assert_null(standby_now("vm"), "the attribute is gone, as before the run");
	cr_assert_eq(ops->undo_left(cl, u.items[0], why, sizeof(why), &e), 0, "%s", e.msg);
	cr_assert_eq(ops->undo(cl, u.items[0], &e), 0, "undoing twice is fine: %s", e.msg);
	cluster_undo_fini(&u);
	close_fake(cl, clk);
}

Test(pacemaker, node_resume_undo_puts_the_previous_value_back)
{
	struct fl_clock *clk = clock_new_real();
	struct cluster *cl = open_fake(clk);
	const struct cluster_ops *ops = cl->ops;
	char *path = xasprintf("%s/standby-vm", fake_dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("on\n", f); /* paused before the run, by someone else */
	fclose(f);
	free(path);
	struct cluster_undo u = {0};
	struct fl_err e = {0};
	long code;
	cr_assert_eq(ops->undo_plan(cl, CLUSTER_ACT_NODE_RESUME, "vm", 0, NULL, &u, &e), 0, "%s", e.msg);
	cr_assert_eq(u.n, 1);
	cr_assert_str_eq(u.items[0], "nodeattr\tvm\tstandby\ton");
	cr_assert_eq(ops->node_resume(cl, "vm", NODE_FAILBACK_POLICY, &code, &e), 0, "%s", e.msg);
	cr_assert_eq(ops->undo(cl, u.items[0], &e), 0, "%s", e.msg);
	char *v = standby_now("vm");
	cr_assert_str_eq(v, "on");
	free(v);
	cluster_undo_fini(&u);
	close_fake(cl, clk);
}

Test(pacemaker, node_pause_of_an_unknown_node_touches_nothing)
{
	struct fl_clock *clk = clock_new_real();
	struct cluster *cl = open_fake(clk);
	struct fl_err e = {0};
	long code = 0;
	cr_assert_eq(cl->ops->node_pause(cl, "nosuch", true, &code, &e), -1);
	cr_assert_eq(code, WIN_ERROR_NODE_NOT_FOUND);
	cr_assert_str_eq(e.msg, "pacemaker: no node \"nosuch\" in the cluster");
	cr_assert_null(standby_now("nosuch"));
	char *calls = xasprintf("%s/calls", fake_dir);
	cr_assert_neq(access(calls, F_OK), 0, "crm_attribute never ran");
	free(calls);
	close_fake(cl, clk);
}
