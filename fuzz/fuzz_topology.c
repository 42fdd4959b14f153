/*
 * fuzz_topology.c - libFuzzer harness for the simulator's topology loader.
 * A topology that loads is also brought to life on a virtual clock and run
 * for a bounded number of timers, so the policy code sees odd inputs too.
 */
#include <stdint.h>
#include <stdlib.h>

#include "faultline/clock.h"
#include "faultline/err.h"
#include "faultline/sim.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(const struct sim_topology *t)
{
	struct fl_clock *clk = clock_new_virtual(0);
	struct fl_err e;
	struct sim *s = sim_new(t, clk, 1, &e);
	if (s != NULL) {
		long code;
		if (t->nresources > 0)
			sim_fail(s, t->resources[0].name, &code, &e);
		for (int i = 0; i < 64 && clock_step(clk) > 0; i++)
			;
		sim_free(s);
	}
	clock_free(clk);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file_setup("topology.yaml");
	fuzz_file_write(path, data, size);
	struct fl_diag d;
	diag_init(&d, path);
	struct sim_topology *t = sim_topology_load(path, &d);
	diag_sort(&d);
	for (size_t i = 0; i < d.n; i++)
		free(diag_format(&d, i));
	diag_fini(&d);
	if (t != NULL)
		exercise(t);
	sim_topology_free(t);
	return 0;
}
