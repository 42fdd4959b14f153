/*
 * test_report_html.c - the HTML report: SVG structure for a fixture
 * record, escaping of hostile names, the time-axis layout for one trial
 * and for 60 over 16 hours, and a real render in headless Chromium
 * (skipped loudly when chromium is not installed).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/wait.h>

#include "faultline/report.h"
#include "report_fixture.h"

/* No .timeout: with several timed suites Criterion 2.4 leaks 48 bytes under ASan; every wait here is bounded. */
TestSuite(report_html);

static void render(const struct run_record *r, FILE *f, void *arg)
{
	(void)arg;
	struct fl_err e;
	cr_assert_eq(report_html_write(r, f, &e), 0);
}

/* noinline: gcc 12 sees a dangling pointer into fx_render's buffer that is not there */
__attribute__((noinline)) static size_t count(const char *s, const char *what)
{
	size_t n = 0, off = 0;
	const char *hit;
	while ((hit = strstr(s + off, what)) != NULL) {
		n++;
		off = (size_t)(hit - s) + 1;
	}
	return n;
}

Test(report_html, svg_structure_of_fixture)
{
	struct run_record r;
	fixture_full(&r);
	char *h = fx_render(render, &r, NULL);
	/* Three windows (5 s, 20 s, 30-60 s); the long one wraps to a second strip. */
	cr_assert_eq(count(h, "<svg class=\"timeline\""), 1);
	cr_assert_not_null(strstr(h, "data-strips=\"2\" data-windows=\"3\""), "%s", h);
	/* One resource lane and two probe lanes, repeated per strip. */
	cr_assert_eq(count(h, "<g class=\"lane lane-resource\">"), 2);
	cr_assert_eq(count(h, "<g class=\"lane lane-probe\">"), 4);
	cr_assert_eq(count(h, "<g class=\"inject\">"), 3);
	cr_assert_eq(count(h, "<g class=\"recovery ok\">"), 2);
	cr_assert_eq(count(h, "<g class=\"recovery late\">"), 1);
	cr_assert_eq(count(h, "<g class=\"gap\">"), 1);
	cr_assert_not_null(strstr(h, "<title>6.903 s idle, not drawn</title>"), "%s", h);
	/* Bands coloured by state, owner node written in them. */
	cr_assert_gt(count(h, "class=\"band s-failed\""), 0);
	cr_assert_gt(count(h, "class=\"band s-online\""), 0);
	cr_assert_gt(count(h, "class=\"band p-down\""), 0);
	cr_assert_not_null(strstr(h, "<title>SQL Server (INST1): Failed on node-a, 0:05.010 – 0:11.000</title>"), "%s",
	                   h);
	cr_assert_not_null(strstr(h, "<title>SQL Server (INST1): Online (inferred) on node-a, 0:03.914 – 0:05.010"
	                             "</title>"));
	cr_assert_not_null(strstr(h, ">node-b</text>"));
	/* Recovery labels: time, resolution, what the cluster did. */
	cr_assert_not_null(strstr(h, ">6.512 s ±20 ms · failover</text>"), "%s", h);
	cr_assert_not_null(strstr(h, ">≤ 20 ms · no outage seen</text>"));
	cr_assert_not_null(strstr(h, ">&gt; 30 s · stays_failed</text>"), "%s", h);
	free(h);
	record_fini(&r);
}

Test(report_html, tables_and_identity)
{
	struct run_record r;
	fixture_full(&r);
	char *h = fx_render(render, &r, NULL);
	cr_assert_not_null(strstr(h, "<span class=\"verdict v-fail\">fail</span>"));
	cr_assert_eq(count(h, "<tr><td"), 3 + 3 + 2 + 2); /* slos, trials, probes, restores */
	cr_assert_not_null(strstr(h, "<td class=\"fail\">FAILED</td><td>move refused: code 5023</td>"), "%s", h);
	cr_assert_not_null(strstr(h, "<td class=\"inconclusive\">inconclusive</td><td class=\"num\">3</td>"
	                             "<td class=\"num\">-</td><td class=\"num\">20 s</td>"));
	cr_assert_not_null(strstr(h, "<code>9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08</code>"));
	cr_assert_not_null(strstr(h, "<th>seed</th><td>42</td>"));
	cr_assert_not_null(strstr(h, "<th>backend</th><td>sim</td>"));
	cr_assert_not_null(strstr(h, "<th>faultline</th><td>0.1.0</td>"));
	cr_assert_null(strstr(h, "<script"), "no script");
	cr_assert_null(strstr(h, "src="), "no external asset");
	cr_assert_null(strstr(h, "href="), "no external asset");
	free(h);
	record_fini(&r);
}

Test(report_html, hostile_names_are_escaped)
{
	struct run_record r;
	fixture_small(&r);
	free(r.trials[0].resource);
	r.trials[0].resource = xstrdup("<script>alert('x')</script>&\"\x1b[2J\xff");
	free(r.plan_name);
	r.plan_name = xstrdup("</title><img src=x>");
	char *h = fx_render(render, &r, NULL);
	cr_assert_null(strstr(h, "<script"));
	cr_assert_null(strstr(h, "<img"));
	cr_assert_null(strchr(h, '\x1b'));
	cr_assert_not_null(
	    strstr(h, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\xEF\xBF\xBD[2J\xEF\xBF\xBD"), "%s",
	    h);
	cr_assert_not_null(strstr(h, "<title>faultline: &lt;/title&gt;&lt;img src=x&gt; (pass)</title>"));
	free(h);
	record_fini(&r);
}

Test(report_html, one_trial_fills_one_strip)
{
	struct run_record r;
	fixture_small(&r);
	char *h = fx_render(render, &r, NULL);
	cr_assert_not_null(strstr(h, "data-strips=\"1\" data-windows=\"1\""));
	cr_assert_eq(count(h, "<g class=\"inject\">"), 1);
	cr_assert_not_null(strstr(h, ">500 ms ±20 ms · failover</text>"), "%s", h);
	free(h);
	record_fini(&r);
}

/* 60 trials 16 minutes apart over 16 hours: windows wrap, idle stretches collapse. */
static void sixty_trials(struct run_record *r)
{
	fixture_small(r);
	record_fini(r);
	fixture_small(r);
	for (unsigned i = 1; i < 60; i++) {
		struct rec_trial *t = record_add_trial(r);
		t->fault_name = xstrdup("f");
		t->index = i;
		t->resource = xstrdup("SQL Server (INST1)");
		t->node_before = xstrdup("a");
		t->outcome = TRIAL_RECOVERED;
		t->outage_observed = true;
		t->injected_at = t->planned_at = SEC(2) + (uint64_t)i * SEC(960);
		t->recovery_ns = MS(3000) + i * MS(20);
		t->closed_at = t->injected_at + t->recovery_ns;
		t->resolution_ns = MS(50);
		t->cluster = OUTCOME_RESTART;
	}
	r->duration_ns = SEC(960) * 60;
}

Test(report_html, sixty_trials_over_sixteen_hours)
{
	struct run_record r;
	sixty_trials(&r);
	char *h = fx_render(render, &r, NULL);
	/* The first window (a 500 ms trial) is narrower: 4 + 4 * 14 + 4... = 16 strips. */
	cr_assert_not_null(strstr(h, "data-strips=\"16\" data-windows=\"60\""), "%.400s", strstr(h, "<svg"));
	cr_assert_eq(count(h, "<g class=\"inject\">"), 60);
	cr_assert_eq(count(h, "<g class=\"recovery ok\">"), 60);
	cr_assert_eq(count(h, "<g class=\"gap\">"), 60 - 16);
	cr_assert_not_null(strstr(h, ">T+15:44:01</text>"), "the last window's clock");
	cr_assert_not_null(strstr(h, ">4.18 s ±50 ms · restart</text>"));
	free(h);
	record_fini(&r);
}

/* Run a shell command, return its exit status and stdout (caller frees). */
static int sh(const char *cmd, char **out)
{
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	char *buf = xcalloc(1, 4096);
	size_t n = fread(buf, 1, 4095, p);
	buf[n] = '\0';
	int st = pclose(p);
	*out = buf;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static char *chromium_path(void)
{
	char *out;
	if (sh("command -v chromium || command -v chromium-browser", &out) != 0 || out[0] == '\0') {
		free(out);
		return NULL;
	}
	out[strcspn(out, "\n")] = '\0';
	return out;
}

Test(report_html, renders_in_headless_chromium)
{
	char *chromium = chromium_path(), *out;
	if (chromium == NULL) {
		fprintf(stderr, "\n*** SKIPPED report_html::renders_in_headless_chromium: chromium is not installed "
		                "(apt-get install chromium) ***\n\n");
		cr_skip_test("chromium is not installed: the HTML report was NOT rendered");
	}
	struct run_record r;
	fixture_full(&r);
	char *html = fx_render(render, &r, NULL);
	char *page = fx_tempfile(html, strlen(html));
	char dir[] = "/tmp/faultline-chromium-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char *cmd = xasprintf("cp %s %s/r.html && timeout 60 %s --headless --no-sandbox --disable-gpu --disable-quic "
	                      "--no-first-run --disable-background-networking --disable-component-update "
	                      "--disable-sync --user-data-dir=%s/profile --window-size=1260,700 "
	                      "--screenshot=%s/r.png file://%s/r.html >/dev/null 2>&1",
	                      page, dir, chromium, dir, dir, dir);
	cr_assert_eq(sh(cmd, &out), 0, "chromium failed: %s", cmd);
	free(out);
	free(cmd);
	/* The state colours of the CSS must be on screen, in solid areas. */
	cmd = xasprintf("python3 tests/data/html/png_stats.py %s/r.png 3a9a4f d0342c 8fd19e f08a84 1f6fb2", dir);
	cr_assert_eq(sh(cmd, &out), 0, "%s", cmd);
	unsigned w = 0, h = 0, colours = 0, online = 0, failed = 0, up = 0, down = 0, bar = 0;
	cr_assert_eq(sscanf(out, "%u %u %u\n3a9a4f %u\nd0342c %u\n8fd19e %u\nf08a84 %u\n1f6fb2 %u", &w, &h, &colours,
	                    &online, &failed, &up, &down, &bar),
	             8, "%s", out);
	cr_assert_eq(w, 1260);
	cr_assert_eq(h, 700);
	cr_assert_gt(colours, 50, "a blank or flat page: %s", out);
	cr_assert_gt(online, 500, "%s", out);
	cr_assert_gt(failed, 500, "%s", out);
	cr_assert_gt(up, 500, "%s", out);
	cr_assert_gt(down, 500, "%s", out);
	cr_assert_gt(bar, 100, "%s", out);
	free(out);
	free(cmd);
	cmd = xasprintf("rm -rf %s", dir);
	sh(cmd, &out);
	free(out);
	free(cmd);
	unlink(page);
	free(page);
	free(html);
	free(chromium);
	record_fini(&r);
}
