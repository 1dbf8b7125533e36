/* Placeholder: replaced by the real command. */
#include <stdio.h>
#include "claims/cli.h"
int cmd_master(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "houkan master: not built yet\n");
	return HK_EXIT_INTERNAL;
}
