#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "base/fault.h"

void hk_fault_point(const char *name)
{
	static long passes;
	const char *at = getenv("HOUKAN_KILL_AT");
	size_t n;
	if (!at || !*at)
		return;
	n = strlen(name);
	if (strncmp(at, name, n) != 0 || (at[n] != '\0' && at[n] != ':'))
		return;
	if (at[n] == ':' && ++passes < strtol(at + n + 1, NULL, 10))
		return;
	kill(getpid(), SIGKILL);
}
