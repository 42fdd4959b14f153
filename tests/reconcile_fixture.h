/*
 * reconcile_fixture.h - reconciliation tests' environment: a simulator
 * cluster on a virtual clock, handed to journal_reconcile through
 * reconcile_opts.open, and a journal in a scratch directory.
 */
#ifndef FAULTLINE_TEST_RECONCILE_FIXTURE_H
#define FAULTLINE_TEST_RECONCILE_FIXTURE_H

#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/clock.h"
#include "faultline/loop.h"
#include "journal_fixture.h"

struct env {
	char *dir;
	struct fl_clock *clk;
	struct loop *loop;
	struct cluster *cl;
	struct journal *j;
	int opened;
};

static inline struct cluster *open_cb(const struct journal_run *r, struct fl_clock *clk, void *arg, struct fl_err *e)
{
	(void)e;
	struct env *v = arg;
	cr_assert_eq(clk, v->clk);
	cr_assert_str_eq(r->backend, "sim");
	v->opened++;
	return v->cl;
}

static inline void close_cb(struct cluster *cl, void *arg)
{
	(void)cl;
	(void)arg; /* the test closes it */
}

static inline void setup_env(struct env *v)
{
	memset(v, 0, sizeof(*v));
	v->dir = jfx_dir();
	v->clk = clock_new_virtual(0);
	struct fl_err e;
	v->loop = loop_new(v->clk, &e);
	struct cluster_config cfg = jfx_cfg();
	v->cl = cluster_open(&cfg, v->clk, &e);
	cr_assert_not_null(v->cl, "%s", e.msg);
	clock_advance(v->clk, 30 * NSEC_PER_SEC, 100000); /* everything online */
	v->j = journal_open(v->dir, &e);
	cr_assert_not_null(v->j, "%s", e.msg);
}

static inline void teardown_env(struct env *v)
{
	journal_close(v->j);
	cluster_close(v->cl);
	loop_free(v->loop);
	clock_free(v->clk);
	free(v->dir);
}

static inline char *reconcile(struct env *v, bool force, int *left)
{
	char *out = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&out, &len);
	struct reconcile_opts o = {.open = open_cb,
	                           .close = close_cb,
	                           .arg = v,
	                           .clk = v->clk,
	                           .loop = v->loop,
	                           .timeout_ns = 60 * NSEC_PER_SEC,
	                           .force = force,
	                           .progress = m};
	struct fl_err e;
	*left = journal_reconcile(v->j, &o, &e);
	fclose(m);
	return out;
}

#endif
