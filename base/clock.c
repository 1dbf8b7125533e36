#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "base/clock.h"
#include "base/date.h"

static int pinned;
static int64_t pinned_t;

void hk_clock_set(int64_t t) { pinned = 1; pinned_t = t; }
void hk_clock_unset(void) { pinned = 0; }

int hk_clock_parse(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	struct hk_date d;
	if (n == 20 && s[10] == 'T' && s[19] == 'Z' && s[13] == ':' && s[16] == ':' &&
	    hk_date_parse(s, 10, &d)) {
		int hh = atoi(s + 11), mm = atoi(s + 14), ss = atoi(s + 17);
		if (hh > 23 || mm > 59 || ss > 60)
			return -1;
		*out = (int64_t)hk_date_to_days(d) * 86400 + hh * 3600 + mm * 60 + ss;
		return 0;
	}
	if (n > 0 && n < 20 && strspn(s, "0123456789") == n) {
		*out = strtoll(s, NULL, 10);
		return 0;
	}
	return -1;
}

int64_t hk_clock_now(void)
{
	const char *env;
	int64_t t;
	if (pinned)
		return pinned_t;
	env = getenv("HOUKAN_NOW");
	if (env && *env && hk_clock_parse(env, &t) == 0)
		return t;
	return (int64_t)time(NULL);
}

void hk_clock_fmt_iso(int64_t t, char *out)
{
	long days = (long)(t >= 0 ? t / 86400 : (t - 86399) / 86400);
	long rem = (long)(t - (int64_t)days * 86400);
	struct hk_date d = hk_days_to_date(days);
	hk_date_fmt10(d, out);
	out[10] = 'T';
	out[11] = (char)('0' + rem / 36000); out[12] = (char)('0' + rem / 3600 % 10);
	out[13] = ':';
	out[14] = (char)('0' + rem % 3600 / 600); out[15] = (char)('0' + rem % 3600 / 60 % 10);
	out[16] = ':';
	out[17] = (char)('0' + rem % 60 / 10); out[18] = (char)('0' + rem % 10);
	out[19] = 'Z';
	out[20] = '\0';
}
