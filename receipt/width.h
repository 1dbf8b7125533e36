/*
 * width.h - make a UTF-8 value fit a 漢字 or 英数又は漢字 field.
 *
 * 記録条件仕様 3(4): a 漢字 item holds full-width characters only; an
 * 英数又は漢字 item (氏名, 記号, 番号, 主治医氏名) is either all half-width or all
 * full-width.  Station records are typed by people and often mix the two
 * ("ADL低下", "国23"), so the claim run converts before writing:
 * half-width ASCII and JIS X 0201 katakana become their full-width JIS X 0208
 * forms (a space becomes U+3000, '"' U+201D, '\'' U+2019, '`' U+2018, '~'
 * U+301C; ｶﾞ becomes ガ).
 */
#ifndef HK_WIDTH_H
#define HK_WIDTH_H
#include <stddef.h>

/* Full-width form of in (UTF-8) into out (NUL-terminated, truncated at size). */
void hk_to_fullwidth(const char *in, char *out, size_t size);
/* For 英数又は漢字: unchanged if every character is half-width (ASCII or
 * JIS X 0201 katakana), else hk_to_fullwidth. */
void hk_one_width(const char *in, char *out, size_t size);

#endif
