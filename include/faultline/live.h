/*
 * live.h - the live terminal view of a run.
 *
 * The engine fills a struct run_view about ten times a second (run_view.c)
 * and live_draw() repaints the terminal with it: phase, elapsed time, the
 * next injection's countdown, open trials with their running recovery
 * clocks, each probe's state, and the SLOs judged on what is known so far.
 * Progress lines go through live_log() and show as the last few lines of
 * the view. Lines are cut to the terminal's width and the frame to its
 * height (measured with TIOCGWINSZ for every frame), so it never scrolls. Names are sanitised: a resource name never
 * writes an escape sequence to the operator's terminal.
 */
#ifndef FAULTLINE_LIVE_H
#define FAULTLINE_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "faultline/record.h"

struct run_view_trial {
	const char *fault;
	unsigned index; /* 0-based */
	const char *resource;
	uint64_t open_ns; /* since the injection */
};

struct run_view_probe {
	const char *name;
	enum probe_status status;
	uint64_t since_ns;  /* in this state for */
	const char *reason; /* last failure, or "" */
};

struct run_view {
	const char *plan;
	const char *phase; /* "steady", "settle", "faults", "restore" */
	uint64_t elapsed_ns;
	bool next_known;
	uint64_t next_in_ns;
	const char *next_fault;
	const struct run_view_trial *open;
	size_t nopen;
	const struct run_view_probe *probes;
	size_t nprobes;
	size_t closed, recovered;   /* trials */
	size_t remaining;           /* trials planned but not injected yet */
	const struct rec_slo *slos; /* judged so far */
	size_t nslos;
};

struct live;

/* A view drawing on f (a terminal); color false honours NO_COLOR. Caller frees with live_free. */
struct live *live_new(FILE *f, bool color);
void live_free(struct live *l);
/* Repaint with v (borrowed for the call only). */
void live_draw(struct live *l, const struct run_view *v);
/* Keep a progress line (copied) for the view's log pane. */
void live_log(struct live *l, const char *line);
/* Leave the view: the cursor goes below it so the summary prints after it. */
void live_end(struct live *l);

#endif
