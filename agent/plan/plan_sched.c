/*
 * plan_sched.c - the `schedule:` section, used by the agent: when a plan
 * runs by itself.
 */
#include <stdio.h>
#include <string.h>

#include "faultline/util.h"
#include "plan_int.h"

static bool load_time(struct pctx *c, const struct ydoc_node *n, int *minutes)
{
	if (n->kind == YDOC_SCALAR && plan_parse_time_of_day(n->str, minutes) == 0)
		return true;
	if (n->kind == YDOC_SCALAR)
		diag_add(c->d, n->pos, "expected a time of day HH:MM from 00:00 to 23:59, got \"%s\"", n->str);
	else
		diag_add(c->d, n->pos, "expected a time of day HH:MM from 00:00 to 23:59, got a %s", ydoc_kind_str(n));
	return false;
}

static bool load_window(struct pctx *c, const struct ydoc_node *n, struct plan_window *w, const char *where)
{
	static const char *const keys[] = {"start", "end", NULL};
	w->pos = n->pos;
	if (!plan_is_map(c, n))
		return false;
	plan_keys(c, n, keys, where);
	const struct ydoc_node *s = plan_need(c, n, "start", where), *e = plan_need(c, n, "end", where);
	bool ok = s != NULL && e != NULL;
	ok = (s != NULL && load_time(c, s, &w->start_min)) && ok;
	ok = (e != NULL && load_time(c, e, &w->end_min)) && ok;
	if (ok && w->start_min == w->end_min) {
		diag_add(c->d, e->pos, "%s is empty: start and end are both %s", where, e->str);
		ok = false;
	}
	return ok;
}

static void load_cron(struct pctx *c, const struct ydoc_node *n, struct plan_schedule *s)
{
	if (!plan_get_str(c, n, &s->cron_text))
		return;
	size_t off;
	const char *why;
	if (plan_parse_cron(n->str, &s->cron, &off, &why) != 0)
		diag_add(c->d, ydoc_scalar_pos(c->doc, n, off), "invalid cron expression \"%s\": %s", n->str, why);
}

static void load_blackouts(struct pctx *c, const struct ydoc_node *n, struct plan_schedule *s)
{
	if (!plan_is_seq(c, n))
		return;
	s->blackouts = xcalloc(n->nitems, sizeof(*s->blackouts));
	for (size_t i = 0; i < n->nitems; i++)
		if (load_window(c, n->items[i], &s->blackouts[s->nblackouts], "blackout"))
			s->nblackouts++;
}

static void load_policies(struct pctx *c, const struct ydoc_node *n, struct plan_schedule *s)
{
	static const char *const missed[] = {"skip", "run_once", NULL};
	static const char *const conc[] = {"queue", "skip", NULL};
	const struct ydoc_node *v;
	int i;
	if ((v = ydoc_get(n, "jitter")) != NULL)
		plan_get_duration(c, v, &s->jitter_ns);
	if ((v = ydoc_get(n, "missed")) != NULL && (i = plan_get_enum(c, v, "missed-run policy", missed)) >= 0)
		s->missed = (enum plan_missed)i;
	if ((v = ydoc_get(n, "concurrency")) != NULL && (i = plan_get_enum(c, v, "concurrency policy", conc)) >= 0)
		s->concurrency = (enum plan_concurrency)i;
}

/*
 * A schedule must be able to fire: some minute of the day allowed by the
 * window and blackouts, and (for a cron expression) named by its hours and
 * minutes. Otherwise the agent would search years ahead for nothing.
 */
static void check_fires(struct pctx *c, const struct plan_schedule *s, const struct ydoc_node *where)
{
	const struct plan_cron *cr = &s->cron;
	for (int m = 0; m < 1440; m++)
		if ((cr->every_ns != 0 || ((cr->hours >> (m / 60) & 1) && (cr->minutes >> (m % 60) & 1))) &&
		    plan_schedule_allows_minute(s, m))
			return;
	diag_add(c->d, where->pos, "schedule never fires: its window and blackouts leave no minute of the day %s",
	         cr->every_ns != 0 ? "free" : "that its cron expression names");
}

void plan_load_schedule(struct pctx *c, const struct ydoc_node *n)
{
	static const char *const keys[] = {"cron",   "timezone", "window",      "blackout",
	                                   "jitter", "missed",   "concurrency", NULL};
	struct plan_schedule *s = &c->p->schedule;
	size_t errors = c->d->n;
	if (!plan_is_map(c, n))
		return;
	s->present = true;
	plan_keys(c, n, keys, "schedule");
	const struct ydoc_node *v;
	if ((v = plan_need(c, n, "cron", "schedule")) != NULL)
		load_cron(c, v, s);
	if ((v = ydoc_get(n, "timezone")) != NULL && plan_get_str(c, v, &s->timezone) &&
	    !plan_timezone_valid(s->timezone))
		diag_add(c->d, v->pos, "unknown time zone \"%s\" (expected UTC or an IANA name like Europe/Paris)",
		         s->timezone);
	if ((v = ydoc_get(n, "window")) != NULL)
		s->has_window = load_window(c, v, &s->window, "window");
	if ((v = ydoc_get(n, "blackout")) != NULL)
		load_blackouts(c, v, s);
	load_policies(c, n, s);
	const struct ydoc_node *where = ydoc_get(n, "blackout") ? ydoc_get(n, "blackout") : ydoc_get(n, "window");
	if (where != NULL && s->cron_text != NULL && c->d->n == errors)
		check_fires(c, s, where);
}
