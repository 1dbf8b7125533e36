/*
 * fault.h - named kill points for crash tests.  When the environment variable
 * HOUKAN_KILL_AT names a point (optionally "NAME:N" for its N-th passage),
 * the process kills itself with SIGKILL there, as `kill -9` would.  Tests use
 * it to prove that a command killed at any step leaves whole files and a
 * consistent database.  Without the variable a point costs one getenv.
 */
#ifndef HK_FAULT_H
#define HK_FAULT_H
void hk_fault_point(const char *name);
#endif
