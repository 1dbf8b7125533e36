#include "tests/unit/harness.h"
#include "receipt/width.h"

TEST(width_ascii_and_kana_become_full_width)
{
	char out[128];
	hk_to_fullwidth("ADL低下 1-2", out, sizeof(out));
	CHECK_STR(out, "ＡＤＬ低下　１－２");
	hk_to_fullwidth("\xEF\xBD\xB6\xEF\xBE\x9E\xEF\xBE\x8A\xEF\xBE\x9F", out, sizeof(out)); /* ｶﾞﾊﾟ */
	CHECK_STR(out, "ガパ");
	hk_to_fullwidth("\xEF\xBD\xB3\xEF\xBE\x9E", out, sizeof(out)); /* ｳﾞ */
	CHECK_STR(out, "ヴ");
	hk_to_fullwidth("\xEF\xBD\xB1\xEF\xBE\x9E", out, sizeof(out)); /* ｱﾞ: no voiced form, kept apart */
	CHECK_STR(out, "ア゛");
	hk_to_fullwidth("say \"hi\"", out, sizeof(out));
	CHECK_STR(out, "ｓａｙ　”ｈｉ”");
}

TEST(width_one_width_for_eisu_or_kanji)
{
	char out[64];
	hk_one_width("AB123", out, sizeof(out));
	CHECK_STR(out, "AB123");
	hk_one_width("国23", out, sizeof(out));
	CHECK_STR(out, "国２３");
	hk_one_width("訪問 花子", out, sizeof(out));
	CHECK_STR(out, "訪問　花子");
}

TEST(width_truncates_safely)
{
	char out[5];
	hk_to_fullwidth("ABCD", out, sizeof(out));
	CHECK_STR(out, "Ａ"); /* 3 bytes fit, a second would not */
}
