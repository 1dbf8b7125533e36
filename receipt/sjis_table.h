/*
 * sjis_table.h - internal: the generated tables of the Shift_JIS codec
 * (receipt/sjis_table.c, made by tools/gen_sjis_table.py).
 *
 * hk_sjis_lead_row[b] is the row of lead byte b in hk_sjis_dec, or -1.
 * hk_sjis_dec[row][trail - 0x40] is the UTF-16 code point (CP932 mapping) of
 * an allowed JIS X 0208 cell, HK_SJIS_OUTSIDE for a CP932 character outside
 * the repertoire of 作成手引き 別紙4, or 0 for bytes that are no character.
 * hk_sjis_enc_table is sorted by code point; both the JIS and the CP932 code
 * point of a cell map to it.
 */
#ifndef HK_SJIS_TABLE_H
#define HK_SJIS_TABLE_H

#define HK_SJIS_NROWS 60
#define HK_SJIS_OUTSIDE 1

struct hk_sjis_enc {
	unsigned short ucs;
	unsigned short sjis;
};

extern const signed char hk_sjis_lead_row[256];
extern const unsigned short hk_sjis_dec[HK_SJIS_NROWS][192];
extern const struct hk_sjis_enc hk_sjis_enc_table[];
extern const unsigned hk_sjis_enc_count;

#endif
