#include <string.h>
#include "base/date.h"

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int hk_days_in_month(int y, int m)
{
	static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return dm[m - 1] + (m == 2 && is_leap(y));
}

bool hk_date_valid(int y, int m, int d)
{
	return y >= 1868 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= hk_days_in_month(y, m);
}

/* Howard Hinnant's days_from_civil. */
long hk_date_to_days(struct hk_date dt)
{
	long y = dt.y - (dt.m <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (dt.m + (dt.m > 2 ? -3 : 9)) + 2) / 5 + dt.d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

struct hk_date hk_days_to_date(long z)
{
	struct hk_date r;
	long era, doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	r.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	r.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	r.y = (int)(yoe + era * 400 + (r.m <= 2));
	return r;
}

int hk_date_weekday(struct hk_date dt)
{
	long z = hk_date_to_days(dt);
	return (int)(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

static int digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool hk_date_parse(const char *s, size_t len, struct hk_date *out)
{
	int y, m, d;
	if (len == 8) {
		y = digits(s, 4); m = digits(s + 4, 2); d = digits(s + 6, 2);
	} else if (len == 10 && s[4] == '-' && s[7] == '-') {
		y = digits(s, 4); m = digits(s + 5, 2); d = digits(s + 8, 2);
	} else {
		return false;
	}
	if (y < 0 || m < 0 || d < 0 || !hk_date_valid(y, m, d))
		return false;
	if (out) {
		out->y = y; out->m = m; out->d = d;
	}
	return true;
}

bool hk_month_parse(const char *s, size_t len, int *py, int *pm)
{
	int y, m;
	if (len == 6) {
		y = digits(s, 4); m = digits(s + 4, 2);
	} else if (len == 7 && s[4] == '-') {
		y = digits(s, 4); m = digits(s + 5, 2);
	} else {
		return false;
	}
	if (y < 1868 || y > 9999 || m < 1 || m > 12)
		return false;
	*py = y;
	*pm = m;
	return true;
}

static void put(char *o, int v, int w)
{
	for (int i = w - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

void hk_date_fmt8(struct hk_date dt, char *out)
{
	put(out, dt.y, 4); put(out + 4, dt.m, 2); put(out + 6, dt.d, 2);
	out[8] = '\0';
}

void hk_date_fmt10(struct hk_date dt, char *out)
{
	put(out, dt.y, 4); out[4] = '-'; put(out + 5, dt.m, 2); out[7] = '-'; put(out + 8, dt.d, 2);
	out[10] = '\0';
}

int hk_date_cmp(struct hk_date a, struct hk_date b)
{
	if (a.y != b.y) return a.y < b.y ? -1 : 1;
	if (a.m != b.m) return a.m < b.m ? -1 : 1;
	if (a.d != b.d) return a.d < b.d ? -1 : 1;
	return 0;
}

int hk_age_on(struct hk_date b, struct hk_date on)
{
	int age = on.y - b.y;
	if (on.m < b.m || (on.m == b.m && on.d < b.d))
		age--;
	return age;
}

int hk_time_parse(const char *s, size_t len)
{
	int h, m;
	if (len == 4) {
		h = digits(s, 2); m = digits(s + 2, 2);
	} else if (len == 5 && s[2] == ':') {
		h = digits(s, 2); m = digits(s + 3, 2);
	} else {
		return -1;
	}
	if (h < 0 || m < 0 || h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

struct hk_date hk_date_from_unix_jst(int64_t t)
{
	int64_t s = t + 9 * 3600;
	long days = (long)(s >= 0 ? s / 86400 : (s - 86399) / 86400);
	return hk_days_to_date(days);
}
