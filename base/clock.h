/*
 * clock.h - the one clock (PRACTICES 7).  Nothing else in houkan reads the
 * wall clock.  HOUKAN_NOW=<unix seconds> or HOUKAN_NOW=YYYY-MM-DDThh:mm:ssZ
 * fixes "now" for tests and replays; hk_clock_set() does the same in-process.
 */
#ifndef HK_CLOCK_H
#define HK_CLOCK_H
#include <stdint.h>

int64_t hk_clock_now(void);           /* UNIX seconds */
void hk_clock_set(int64_t t);         /* pin the clock (tests, replay) */
void hk_clock_unset(void);
/* "2026-11-21T08:00:00Z" (UTC) into out[21]. */
void hk_clock_fmt_iso(int64_t t, char *out);
/* Parse the ISO form above or decimal seconds; -1 on error. */
int hk_clock_parse(const char *s, int64_t *out);

#endif
