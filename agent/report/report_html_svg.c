/*
 * report_html_svg.c - the run as an SVG timeline, for the HTML report.
 *
 * A chaos run is hours of nothing and seconds of interest: a linear axis
 * over 16 hours draws every 4-second recovery as a hairline. So the axis
 * is cut into windows, one around each trial (merged when they overlap),
 * and the idle stretches between them are collapsed to a narrow gap that
 * says how long it was. Windows are laid left to right and wrapped into
 * strips; each strip repeats the lanes: one per touched resource (state
 * bands, owner node written in the band), one per probe (up/down), the
 * injection markers across all lanes, and one recovery bar per trial
 * labelled with its time, resolution and what the cluster did.
 *
 * Class names (lane, band, inject, recovery, gap) are part of the
 * contract: tests count them, the page's CSS colours them.
 */
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/report.h"
#include "faultline/util.h"
#include "report_html_int.h"

#define LABEL_W   210.0 /* lane names */
#define PLOT_W    960.0 /* time area of one strip */
#define GAP_W     18.0  /* a collapsed idle stretch */
#define MIN_W     150.0 /* narrowest window: room for a recovery label */
#define TYP_W     210.0 /* width of the median window when strips wrap */
#define HEAD_H    18.0
#define LANE_H    22.0
#define REC_H     17.0
#define STRIP_GAP 16.0
#define CHAR_W    6.0 /* average glyph width of the 10.5px labels */
#define NS_MS     1000000ULL

struct win {
	uint64_t from, to;
	double x, w; /* in the strip's plot area */
	size_t strip;
	size_t nrec; /* recovery rows used */
};

/* One state change of a lane; cls names the CSS class of what follows. */
struct chg {
	uint64_t at;
	const char *cls;
	const char *word;  /* "Online", "down" */
	const char *label; /* drawn inside the band: owner node, or NULL */
	const char *why;   /* probe reason, or NULL */
};

struct lane {
	const char *name;
	const char *kind; /* "resource" or "probe" */
	struct chg *c;
	size_t n;
};

struct layout {
	struct win *w;
	size_t nw, nstrips;
	struct lane *lanes;
	size_t nlanes, nres;
};

static void res_class(int state, const char **cls, const char **word)
{
	switch (state) {
	case RES_ONLINE:
		*cls = "s-online", *word = "Online";
		break;
	case RES_FAILED:
		*cls = "s-failed", *word = "Failed";
		break;
	case RES_OFFLINE:
		*cls = "s-offline", *word = "Offline";
		break;
	case RES_PENDING:
	case RES_ONLINE_PENDING:
	case RES_OFFLINE_PENDING:
	case RES_INITIALIZING:
		*cls = "s-pending", *word = state == RES_OFFLINE_PENDING ? "OfflinePending" : "OnlinePending";
		if (state == RES_PENDING || state == RES_INITIALIZING)
			*word = "Pending";
		break;
	default:
		*cls = "s-unknown", *word = "unknown";
	}
}

static void add_chg(struct lane *l, struct chg c)
{
	l->c = xreallocarray(l->c, l->n + 1, sizeof(*l->c));
	l->c[l->n++] = c;
}

static size_t find_lane(const struct layout *L, const char *name)
{
	for (size_t i = 0; i < L->nres; i++)
		if (strcmp(L->lanes[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

static void add_res_lane(struct layout *L, const char *name)
{
	if (name == NULL || find_lane(L, name) != SIZE_MAX)
		return;
	L->lanes = xreallocarray(L->lanes, L->nres + 1, sizeof(*L->lanes));
	L->lanes[L->nres++] = (struct lane){.name = name, .kind = "resource"};
}

/*
 * Resource lanes from the cluster's events. Before its first event a
 * resource's state is unknown, except that a first event leaving Online
 * (Failed, OfflinePending ...) tells us it was Online on that node.
 */
static void build_res_lanes(struct layout *L, const struct run_record *r)
{
	for (size_t i = 0; i < r->ntrials; i++)
		add_res_lane(L, r->trials[i].resource);
	for (size_t i = 0; i < r->nevents; i++)
		add_res_lane(L, r->events[i].resource);
	for (size_t i = 0; i < r->nevents; i++) {
		const struct rec_event *ev = &r->events[i];
		struct lane *l = &L->lanes[find_lane(L, ev->resource)];
		struct chg c = {.at = ev->at, .label = ev->node};
		if (l->n == 0 && ev->state != RES_ONLINE && ev->state != RES_UNKNOWN)
			add_chg(l, (struct chg){0, "s-online", "Online (inferred)", ev->node, NULL});
		res_class(ev->state, &c.cls, &c.word);
		add_chg(l, c);
	}
}

static void build_probe_lanes(struct layout *L, const struct run_record *r)
{
	static const char *const cls[] = {"p-unknown", "p-up", "p-down", "p-error"};
	L->nlanes = L->nres + r->nprobes;
	L->lanes = xreallocarray(L->lanes, L->nlanes ? L->nlanes : 1, sizeof(*L->lanes));
	for (size_t i = 0; i < r->nprobes; i++) {
		const struct rec_probe *p = &r->probes[i];
		struct lane *l = &L->lanes[L->nres + i];
		*l = (struct lane){.name = p->name, .kind = "probe"};
		for (size_t k = 0; k < p->nchanges; k++) {
			enum probe_status s = p->changes[k].status;
			add_chg(l, (struct chg){p->changes[k].at, (unsigned)s < 4 ? cls[s] : cls[0],
			                        probe_status_str(s), NULL, p->changes[k].reason});
		}
	}
}

static uint64_t trial_end(const struct run_record *r, const struct rec_trial *t)
{
	uint64_t end = t->closed_at;
	if (t->injected_at + t->recovery_ns > end)
		end = t->injected_at + t->recovery_ns;
	if (end <= t->injected_at)
		end = r->duration_ns > t->injected_at ? r->duration_ns : t->injected_at + 1000 * NS_MS;
	return end;
}

static int win_cmp(const void *a, const void *b)
{
	const struct win *x = a, *y = b;
	return x->from < y->from ? -1 : x->from > y->from;
}

/* One window around each trial, padded so the steady state before it shows; overlaps merged. */
static void build_windows(struct layout *L, const struct run_record *r)
{
	L->w = xcalloc(r->ntrials ? r->ntrials : 1, sizeof(*L->w));
	for (size_t i = 0; i < r->ntrials; i++) {
		const struct rec_trial *t = &r->trials[i];
		uint64_t at = t->injected_at ? t->injected_at : t->planned_at, end = trial_end(r, t);
		uint64_t pad = (end - at) / 6 > 500 * NS_MS ? (end - at) / 6 : 500 * NS_MS;
		L->w[i].from = at > pad ? at - pad : 0;
		L->w[i].to = end + pad;
	}
	L->nw = r->ntrials;
	if (L->nw == 0) {
		L->w[0] = (struct win){.from = 0, .to = r->duration_ns ? r->duration_ns : 1000 * NS_MS};
		L->nw = 1;
	}
	qsort(L->w, L->nw, sizeof(*L->w), win_cmp);
	size_t n = 1;
	for (size_t i = 1; i < L->nw; i++) {
		if (L->w[i].from <= L->w[n - 1].to) {
			if (L->w[i].to > L->w[n - 1].to)
				L->w[n - 1].to = L->w[i].to;
		} else {
			L->w[n++] = L->w[i];
		}
	}
	L->nw = n;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Widen a strip's windows in proportion until they fill the plot width: a zoom, never a squeeze. */
static void fill_strip(struct layout *L, size_t strip)
{
	double used = 0, gaps = -GAP_W;
	for (size_t i = 0; i < L->nw; i++)
		if (L->w[i].strip == strip)
			used += L->w[i].w, gaps += GAP_W;
	double k = (PLOT_W - gaps) / used, x = 0;
	if (k <= 1)
		return;
	for (size_t i = 0; i < L->nw; i++)
		if (L->w[i].strip == strip) {
			L->w[i].x = x;
			L->w[i].w *= k;
			x += L->w[i].w + GAP_W;
		}
}

/*
 * One strip at a common scale when every window gets MIN_W that way;
 * otherwise the median window gets TYP_W and windows wrap into strips.
 */
static void place_windows(struct layout *L)
{
	double total = 0, *d = xcalloc(L->nw, sizeof(*d));
	for (size_t i = 0; i < L->nw; i++)
		total += d[i] = (double)(L->w[i].to - L->w[i].from);
	double s = (PLOT_W - GAP_W * (double)(L->nw - 1)) / total;
	bool one = true;
	for (size_t i = 0; i < L->nw; i++)
		one = one && d[i] * s >= MIN_W;
	if (!one) {
		qsort(d, L->nw, sizeof(*d), dbl_cmp);
		s = TYP_W / d[L->nw / 2];
	}
	free(d);
	double x = 0;
	L->nstrips = 1;
	for (size_t i = 0; i < L->nw; i++) {
		struct win *w = &L->w[i];
		w->w = (double)(w->to - w->from) * s;
		w->w = one ? w->w : w->w < MIN_W ? MIN_W : w->w > PLOT_W ? PLOT_W : w->w;
		if (x > 0 && x + w->w > PLOT_W + 0.5) {
			L->nstrips++;
			x = 0;
		}
		w->x = x, w->strip = L->nstrips - 1;
		x += w->w + GAP_W;
	}
	for (size_t k = 0; k < L->nstrips; k++)
		fill_strip(L, k);
}

static double xat(const struct win *w, uint64_t t)
{
	if (t <= w->from)
		return LABEL_W + w->x;
	if (t >= w->to)
		return LABEL_W + w->x + w->w;
	return LABEL_W + w->x + (double)(t - w->from) * w->w / (double)(w->to - w->from);
}

static void put_band(FILE *f, const struct lane *l, const struct chg *c, const struct win *w, uint64_t a, uint64_t b,
                     double y)
{
	char t1[32], t2[32];
	double x0 = xat(w, a), x1 = xat(w, b);
	fprintf(f, "<rect class=\"band %s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>",
	        c                   ? c->cls
	        : l->kind[0] == 'r' ? "s-unknown"
	                            : "p-unknown",
	        x0, y + 3, x1 - x0, LANE_H - 6);
	html_put(f, l->name, 0);
	fprintf(f, ": %s", c ? c->word : "unknown");
	if (c && c->label) {
		fputs(" on ", f);
		html_put(f, c->label, 0);
	}
	if (c && c->why) {
		fputs(" (", f);
		html_put(f, c->why, 0);
		fputc(')', f);
	}
	fprintf(f, ", %s – %s</title></rect>\n", html_fmt_clock(a, t1, sizeof(t1)), html_fmt_clock(b, t2, sizeof(t2)));
	size_t len = c && c->label ? report_text_width(c->label) : 0;
	if (len > 0 && x1 - x0 > (double)len * CHAR_W + 6)
		fprintf(f, "<text class=\"node\" x=\"%.1f\" y=\"%.1f\">", x0 + 3, y + LANE_H / 2 + 3.5),
		    html_put(f, c->label, 0), fputs("</text>\n", f);
}

/* The lane's bands inside one window: the state at its start, then every change in it. */
static void put_lane_window(FILE *f, const struct lane *l, const struct win *w, double y)
{
	const struct chg *cur = NULL;
	size_t k = 0;
	while (k < l->n && l->c[k].at <= w->from)
		cur = &l->c[k++];
	uint64_t a = w->from;
	for (; k < l->n && l->c[k].at < w->to; k++) {
		if (l->c[k].at > a)
			put_band(f, l, cur, w, a, l->c[k].at, y);
		cur = &l->c[k];
		a = l->c[k].at;
	}
	put_band(f, l, cur, w, a, w->to, y);
}

static void put_lanes(FILE *f, const struct layout *L, size_t strip, double y)
{
	for (size_t i = 0; i < L->nlanes; i++) {
		const struct lane *l = &L->lanes[i];
		double ly = y + (double)i * LANE_H;
		fprintf(f, "<g class=\"lane lane-%s\"><text class=\"lname\" x=\"%.1f\" y=\"%.1f\">", l->kind,
		        LABEL_W - 8, ly + LANE_H / 2 + 3.5);
		html_put(f, l->name, 30);
		fprintf(f, "<title>%s ", l->kind);
		html_put(f, l->name, 0);
		fputs("</title></text>\n", f);
		for (size_t k = 0; k < L->nw; k++)
			if (L->w[k].strip == strip)
				put_lane_window(f, l, &L->w[k], ly);
		fputs("</g>\n", f);
	}
}

/* Window heads (clock readings) and the collapsed gaps between windows. */
static void put_heads(FILE *f, const struct layout *L, size_t strip, double y)
{
	char a[32], b[32];
	for (size_t k = 0; k < L->nw; k++) {
		const struct win *w = &L->w[k];
		if (w->strip != strip)
			continue;
		fprintf(f, "<text class=\"clock\" x=\"%.1f\" y=\"%.1f\">T+%s</text>\n", LABEL_W + w->x, y + 12,
		        html_fmt_clock(w->from, a, sizeof(a)));
		fprintf(f, "<text class=\"clock end\" x=\"%.1f\" y=\"%.1f\">%s</text>\n", LABEL_W + w->x + w->w, y + 12,
		        report_fmt_duration(w->to - w->from, b, sizeof(b)));
		if (k + 1 < L->nw && L->w[k + 1].strip == strip) {
			double gx = LABEL_W + w->x + w->w + GAP_W / 2;
			fprintf(f,
			        "<g class=\"gap\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			        "<title>%s idle, not drawn</title></g>\n",
			        gx, y + HEAD_H, gx, y + HEAD_H + (double)L->nlanes * LANE_H,
			        report_fmt_duration(L->w[k + 1].from - w->to, b, sizeof(b)));
		}
	}
}

static const struct win *win_of(const struct layout *L, uint64_t t)
{
	for (size_t k = 0; k < L->nw; k++)
		if (t >= L->w[k].from && t <= L->w[k].to)
			return &L->w[k];
	return NULL;
}

static void put_marker(FILE *f, const struct layout *L, const struct rec_trial *t, const struct win *w, double y)
{
	uint64_t at = t->injected_at ? t->injected_at : t->planned_at;
	double x = xat(w, at), y1 = y + HEAD_H + (double)L->nlanes * LANE_H;
	fprintf(f,
	        "<g class=\"inject\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
	        "<path d=\"M%.1f %.1fl-4.5 -7h9z\"/><title>",
	        x, y + HEAD_H, x, y1, x, y + HEAD_H);
	html_put(f, t->fault_name, 0);
	fprintf(f, " #%u: %s ", t->index + 1, t->action ? t->action : "?");
	html_put(f, t->resource, 0);
	fputs(" on ", f);
	html_put(f, t->node_before, 0);
	fputs("</title></g>\n", f);
}

/* "4.309 s ±50 ms · restart", "> 30 s · stays_failed", "≤ 20 ms · no outage seen". */
static void rec_label(const struct rec_trial *t, char *buf, size_t len)
{
	char a[32], b[32];
	report_fmt_duration(t->recovery_ns, a, sizeof(a));
	report_fmt_duration(t->resolution_ns, b, sizeof(b));
	const char *what = t->cluster == OUTCOME_NONE ? "" : cluster_outcome_str(t->cluster);
	if (t->outcome == TRIAL_RECOVERED && !t->outage_observed)
		snprintf(buf, len, "≤ %s · no outage seen", b);
	else if (t->outcome == TRIAL_RECOVERED)
		snprintf(buf, len, "%s ±%s · %s", a, b, what);
	else
		snprintf(buf, len, "> %s · %s", report_fmt_duration(t->closed_at - t->injected_at, a, sizeof(a)),
		         t->outcome == TRIAL_NOT_RECOVERED ? what : trial_outcome_str(t->outcome));
}

static void put_recovery(FILE *f, const struct layout *L, const struct rec_trial *t, struct win *w, double y)
{
	if (t->outcome == TRIAL_INJECT_FAILED || t->outcome == TRIAL_PENDING)
		return;
	bool ok = t->outcome == TRIAL_RECOVERED;
	uint64_t end = ok ? t->injected_at + t->recovery_ns : t->closed_at > t->injected_at ? t->closed_at : w->to;
	double ry = y + HEAD_H + (double)L->nlanes * LANE_H + 3 + (double)w->nrec++ * REC_H;
	double x0 = xat(w, t->injected_at), x1 = xat(w, end);
	char label[96];
	rec_label(t, label, sizeof(label));
	fprintf(f, "<g class=\"recovery %s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"5\"/>",
	        ok ? "ok" : "late", x0, ry, x1 - x0 > 1 ? x1 - x0 : 1);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", x0, ry + 14);
	html_put(f, label, 0);
	fputs("</text><title>", f);
	html_put(f, t->fault_name, 0);
	fprintf(f, " #%u: %s</title></g>\n", t->index + 1, label);
}

static size_t strip_rows(const struct layout *L, const struct run_record *r, size_t strip)
{
	size_t most = 0;
	for (size_t k = 0; k < L->nw; k++) {
		size_t n = 0;
		for (size_t i = 0; i < r->ntrials; i++)
			n += win_of(L, r->trials[i].injected_at) == &L->w[k];
		if (L->w[k].strip == strip && n > most)
			most = n;
	}
	return most;
}

static void put_strip(FILE *f, struct layout *L, const struct run_record *r, size_t strip, double y)
{
	put_heads(f, L, strip, y);
	put_lanes(f, L, strip, y + HEAD_H);
	for (size_t i = 0; i < r->ntrials; i++) {
		const struct rec_trial *t = &r->trials[i];
		struct win *w = (struct win *)win_of(L, t->injected_at ? t->injected_at : t->planned_at);
		if (w == NULL || w->strip != strip)
			continue;
		put_marker(f, L, t, w, y);
		put_recovery(f, L, t, w, y);
	}
}

static void layout_fini(struct layout *L)
{
	for (size_t i = 0; i < L->nlanes; i++)
		free(L->lanes[i].c);
	free(L->lanes);
	free(L->w);
}

void html_svg_timeline(const struct run_record *r, FILE *f)
{
	struct layout L = {0};
	build_res_lanes(&L, r);
	build_probe_lanes(&L, r);
	build_windows(&L, r);
	place_windows(&L);
	double *ys = xcalloc(L.nstrips + 1, sizeof(*ys));
	for (size_t s = 0; s < L.nstrips; s++)
		ys[s + 1] =
		    ys[s] + HEAD_H + (double)L.nlanes * LANE_H + 3 + (double)strip_rows(&L, r, s) * REC_H + STRIP_GAP;
	fprintf(f,
	        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
	        "viewBox=\"0 0 %.0f %.0f\" data-strips=\"%zu\" data-windows=\"%zu\">\n",
	        LABEL_W + PLOT_W + 10, ys[L.nstrips], LABEL_W + PLOT_W + 10, ys[L.nstrips], L.nstrips, L.nw);
	for (size_t s = 0; s < L.nstrips; s++)
		put_strip(f, &L, r, s, ys[s]);
	fputs("</svg>\n", f);
	free(ys);
	layout_fini(&L);
}
