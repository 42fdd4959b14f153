/*
 * fuzz_record.c - libFuzzer harness for JSON run records (`faultline
 * compare` and `report` read them back): any bytes give a record or a
 * message naming the JSON path, never a crash, leak or UB. A record that
 * reads is rendered as text and JUnit too, since those walk every field.
 */
#include <stdint.h>
#include <stdio.h>

#include "faultline/err.h"
#include "faultline/record.h"
#include "faultline/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run_record r;
	struct fl_err e;
	if (report_json_parse((const char *)data, size, "fuzz.json", &r, &e) != 0)
		return 0;
	FILE *null = fopen("/dev/null", "w");
	if (null != NULL) {
		report_text_write(&r, null, false);
		report_junit_write(&r, null, &e);
		fclose(null);
	}
	record_fini(&r);
	return 0;
}
