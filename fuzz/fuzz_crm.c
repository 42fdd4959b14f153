/*
 * fuzz_crm.c - libFuzzer harness for the Pacemaker backend's crm_mon XML
 * reader: any document gives a status or an error, never a crash, leak or
 * UB (an empty <group> used to apply an offset to a NULL array).
 */
#include <stdint.h>

#include "../agent/cluster/pacemaker/pacemaker_int.h"
#include "faultline/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcmk_status st;
	struct fl_err e;
	if (pcmk_xml_parse((const char *)data, size, &st, &e) == 0)
		pcmk_status_fini(&st);
	return 0;
}
