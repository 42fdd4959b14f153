/*
 * fuzz_file.h - give a libFuzzer input to a loader that wants a path.
 *
 * plan_load and sim_topology_load read regular files (they fstat and refuse
 * anything else), so each input is written to one file in a private
 * directory. That directory also holds a `clusters` link to the repo's
 * plans/clusters, so a mutated plan that names clusters/sql-3node.yaml gets
 * its topology loaded and checked too, as it would from plans/.
 */
#ifndef FAULTLINE_FUZZ_FILE_H
#define FAULTLINE_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Create the directory (once); returns the path inputs are written to. Aborts on failure. */
const char *fuzz_file_setup(const char *name);
/* Replace the file's contents with data. Aborts on failure. */
void fuzz_file_write(const char *path, const uint8_t *data, size_t size);

#endif
