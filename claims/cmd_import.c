/* Placeholder: replaced by the real command. */
#include <stdio.h>
#include "claims/cli.h"
int cmd_import(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "houkan import: not built yet\n");
	return HK_EXIT_INTERNAL;
}
