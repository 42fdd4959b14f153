/*
 * fuzz_plan.c - libFuzzer harness for the plan loader: any bytes must give
 * either a plan or positioned errors, never a crash, leak or UB. A loaded
 * plan is also printed and summarised, since those walk every field.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "faultline/err.h"
#include "faultline/log.h"
#include "faultline/plan.h"
#include "faultline/regex.h"
#include "fuzz_file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Without the JIT: compiling it costs milliseconds per regex and it is PCRE2's code, not ours. */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	regex_set_jit(false);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file_setup("plan.yaml");
	fuzz_file_write(path, data, size);
	struct fl_diag d;
	diag_init(&d, path);
	struct plan *p = plan_load(path, &d);
	diag_sort(&d);
	for (size_t i = 0; i < d.n; i++)
		free(diag_format(&d, i));
	diag_fini(&d);
	if (p != NULL) {
		FILE *null = fopen("/dev/null", "w");
		if (null != NULL) {
			plan_print(p, null);
			plan_summary(p, null);
			fclose(null);
		}
	}
	plan_free(p);
	return 0;
}
