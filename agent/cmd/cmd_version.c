/* cmd_version.c - `faultline version`. */
#include <stdio.h>
#include <string.h>

#include "faultline/cmd.h"

int cmd_version(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: faultline version\n");
		return FL_EXIT_OK;
	}
	printf("faultline %s (%s)\n", FAULTLINE_VERSION, FAULTLINE_GITREV);
	return FL_EXIT_OK;
}
