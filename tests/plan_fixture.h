/*
 * plan_fixture.h - load a test plan that must load: its diagnostics are
 * printed when it does not, so a failing test says why.
 */
#ifndef FAULTLINE_TEST_PLAN_FIXTURE_H
#define FAULTLINE_TEST_PLAN_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>

#include "faultline/err.h"
#include "faultline/plan.h"

static inline struct plan *plan_load_ok(const char *path)
{
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	if (p == NULL)
		diag_print(&d, stderr);
	diag_fini(&d);
	cr_assert_not_null(p, "%s should load", path);
	return p;
}

#endif
