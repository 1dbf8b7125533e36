/*
 * checkdigit.h - 検証番号 of 保険者番号, 公費負担者番号, 受給者番号 and 後期
 * 被保険者番号 (DIGEST §3.3): over the body (all digits but the last), from the
 * right, multiply alternately by 2,1,2,1...; products of two digits are
 * replaced by their digit sum; check = (10 - sum % 10) % 10.
 */
#ifndef HK_CHECKDIGIT_H
#define HK_CHECKDIGIT_H
#include <stdbool.h>
#include <stddef.h>

/* The check digit for a body of n digits; -1 if the body is not all digits. */
int hk_check_digit(const char *body, size_t n);
/* True when s (n digits, last one the check digit) is all digits and the check digit holds. */
bool hk_check_digit_ok(const char *s, size_t n);

/* Structural + check-digit validation; each returns NULL when valid, else a
 * short English reason ("must be 8 digits", "check digit should be 7"...).
 * The returned string is static or in a thread-local buffer. */
const char *hk_validate_insurer(const char *s);   /* 8 digits, or 6-digit 国保 */
const char *hk_validate_payer(const char *s);     /* 公費負担者番号: 8 digits, pref 01-47 */
const char *hk_validate_recipient(const char *s); /* 公費受給者番号: 7 digits (warning only) */
const char *hk_validate_kouki_insured(const char *s); /* 後期 被保険者番号: 8 digits */

#endif
