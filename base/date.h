/*
 * date.h - civil dates without the C library's time zone machinery.
 *
 * houkan works in 日本標準時 (JST, UTC+9, no daylight saving).  Dates are
 * counted as days since 1970-01-01; nothing here consults TZ or the locale.
 * Text forms: "YYYYMMDD" (the receipt format), "YYYY-MM-DD" (import CSVs and
 * the database), "YYYYMM" and "YYYY-MM" for months.
 */
#ifndef HK_DATE_H
#define HK_DATE_H
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct hk_date { int y, m, d; };

bool hk_date_valid(int y, int m, int d);
int hk_days_in_month(int y, int m);
/* days since 1970-01-01 (may be negative) */
long hk_date_to_days(struct hk_date dt);
struct hk_date hk_days_to_date(long days);
/* 0 = Sunday .. 6 = Saturday */
int hk_date_weekday(struct hk_date dt);
/* Parse "YYYYMMDD" or "YYYY-MM-DD" (len-delimited); false if not a real date. */
bool hk_date_parse(const char *s, size_t len, struct hk_date *out);
/* Parse "YYYYMM" or "YYYY-MM". */
bool hk_month_parse(const char *s, size_t len, int *y, int *m);
/* out must hold 9 bytes ("YYYYMMDD") / 11 bytes ("YYYY-MM-DD"). */
void hk_date_fmt8(struct hk_date dt, char *out);
void hk_date_fmt10(struct hk_date dt, char *out);
int hk_date_cmp(struct hk_date a, struct hk_date b);
/* Age in completed years on a given date. */
int hk_age_on(struct hk_date birth, struct hk_date on);
/* "hhmm" or "hh:mm" to minutes since midnight; -1 if invalid. */
int hk_time_parse(const char *s, size_t len);
/* JST civil date of a UNIX time. */
struct hk_date hk_date_from_unix_jst(int64_t t);

#endif
