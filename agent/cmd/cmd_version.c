/* cmd_version.c - `faultline version`. */
#include <stdio.h>

#include "faultline/cmd.h"

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("faultline %s (%s)\n", FAULTLINE_VERSION, FAULTLINE_GITREV);
	return FL_EXIT_OK;
}
