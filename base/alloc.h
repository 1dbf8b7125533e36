#ifndef HK_ALLOC_H
#define HK_ALLOC_H
/* Test hook: the n-th following allocation fails (n = 0: the next); -1 disables. */
void hk_alloc_fail_after(long n);
#endif
