/* Placeholder: replaced by the real command. */
#include <stdio.h>
#include "claims/cli.h"
int cmd_gen(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "houkan gen: not built yet\n");
	return HK_EXIT_INTERNAL;
}
