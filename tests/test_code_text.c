/* test_code_text.c - backend return codes in progress lines: 997 said in words, not as a Windows number. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faultline/cluster.h"
#include "faultline/util.h"

Test(code_text, codes_for_people)
{
	char b[64];
	cr_assert_str_eq(cluster_code_text(0, b, sizeof(b)), "");
	cr_assert_str_eq(cluster_code_text(997, b, sizeof(b)), ", completing in the background");
	cr_assert_str_eq(cluster_code_text(5023, b, sizeof(b)), " (code 5023)");
}

Test(code_text, simulator_run_says_pending_in_words)
{
	FILE *p =
	    popen("./faultline run --virtual-time tests/data/run/actions.yaml 2>&1 >/dev/null | grep accepted", "r");
	char *out = xcalloc(1, 8192);
	size_t n = fread(out, 1, 8191, p);
	out[n] = '\0';
	pclose(p);
	cr_assert_not_null(strstr(out, "[   2.000s] fault drain-to-b #1: offline \"App Server\" on node-a: accepted, "
	                               "completing in the background\n"),
	                   "%s", out);
	cr_assert_null(strstr(out, "997"), "%s", out);
	free(out);
}
