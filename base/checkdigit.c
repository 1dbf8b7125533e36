#include <stdio.h>
#include <string.h>
#include "base/checkdigit.h"

int hk_check_digit(const char *body, size_t n)
{
	int sum = 0, w = 2;
	if (n == 0)
		return -1;
	for (size_t i = n; i-- > 0;) {
		int d, p;
		if (body[i] < '0' || body[i] > '9')
			return -1;
		d = body[i] - '0';
		p = d * w;
		sum += p >= 10 ? p / 10 + p % 10 : p;
		w = w == 2 ? 1 : 2;
	}
	return (10 - sum % 10) % 10;
}

bool hk_check_digit_ok(const char *s, size_t n)
{
	int c;
	if (n < 2 || s[n - 1] < '0' || s[n - 1] > '9')
		return false;
	c = hk_check_digit(s, n - 1);
	return c >= 0 && c == s[n - 1] - '0';
}

static _Thread_local char why[96];

static bool all_digits(const char *s, size_t n)
{
	return n > 0 && strspn(s, "0123456789") == n;
}

static const char *check(const char *s, size_t n)
{
	if (!hk_check_digit_ok(s, n)) {
		snprintf(why, sizeof(why), "check digit is %c, should be %d", s[n - 1],
			 hk_check_digit(s, n - 1));
		return why;
	}
	return NULL;
}

static bool pref_ok(const char *p)
{
	int v = (p[0] - '0') * 10 + (p[1] - '0');
	return v >= 1 && v <= 47;
}

const char *hk_validate_insurer(const char *s)
{
	size_t n = strlen(s);
	if (!all_digits(s, n) || (n != 8 && n != 6))
		return "保険者番号 must be 8 digits (or 6 digits for 国保)";
	if (!pref_ok(n == 8 ? s + 2 : s))
		return "保険者番号 has no valid 都道府県番号 (01-47)";
	return check(s, n);
}

const char *hk_validate_payer(const char *s)
{
	size_t n = strlen(s);
	if (!all_digits(s, n) || n != 8)
		return "公費負担者番号 must be 8 digits";
	if (!pref_ok(s + 2))
		return "公費負担者番号 has no valid 都道府県番号 (01-47)";
	return check(s, n);
}

const char *hk_validate_recipient(const char *s)
{
	size_t n = strlen(s);
	if (!all_digits(s, n) || n != 7)
		return "受給者番号 must be 7 digits";
	return check(s, n);
}

const char *hk_validate_kouki_insured(const char *s)
{
	size_t n = strlen(s);
	if (!all_digits(s, n) || n != 8)
		return "後期高齢者 被保険者番号 must be 8 digits";
	return check(s, n);
}
