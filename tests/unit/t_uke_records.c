/* Record layouts and 別表 (記録条件仕様 2(4), 別表1-28). */
#include <string.h>
#include "tests/unit/harness.h"
#include "receipt/uke.h"

/* Field counts from 記録条件仕様 2(4) (DIGEST §1.8 checked them against every
 * official example line of 作成手引き). */
TEST(uke_records_field_counts)
{
	static const struct { const char *id; int n; } want[] = {
		{ "HM", 8 }, { "RE", 15 }, { "HO", 12 }, { "KO", 8 }, { "SN", 9 }, { "JD", 33 },
		{ "MF", 33 }, { "GI", 8 }, { "IH", 7 }, { "HJ", 4 }, { "JS", 6 }, { "SY", 5 },
		{ "RJ", 29 }, { "TJ", 5 }, { "TZ", 4 }, { "KS", 5 }, { "CO", 4 }, { "KA", 9 },
		{ "GO", 1 },
	};
	size_t i;

	CHECK_INT(hk_nrecord_defs, 19);
	for (i = 0; i < HK_ARRAY_LEN(want); i++) {
		const struct hk_record_def *d = hk_record_def_find(want[i].id, 2);
		CHECK(d != NULL);
		CHECK_STR(d->id, want[i].id);
		CHECK_INT(d->nfields, want[i].n);
		/* file order */
		CHECK(d == &hk_record_defs[i]);
		CHECK_STR(d->fields[0].name, "レコード識別情報");
		CHECK_INT(d->fields[0].max, 2);
	}
	CHECK(hk_record_def_find("IR", 2) == NULL);
	CHECK(hk_record_def_find("H", 1) == NULL);
}

static const struct hk_field_def *fld(const char *id, int n)
{
	return &hk_record_def_find(id, 2)->fields[n - 1];
}

TEST(uke_records_spot_fields)
{
	const struct hk_field_def *f;

	f = fld("HO", 2);
	CHECK_STR(f->name, "保険者番号");
	CHECK(f->mode == HK_MODE_X && f->max == 8 && f->fixed && f->required);
	f = fld("RE", 5);
	CHECK_STR(f->name, "氏名");
	CHECK(f->mode == HK_MODE_XK && f->max == 40 && !f->fixed);
	f = fld("RE", 12);
	CHECK(f->table == 6 && f->code_width == 2 && f->max == 10);
	f = fld("JS", 2);
	CHECK(f->mode == HK_MODE_K && f->max == 2400 && f->required);
	CHECK(fld("JS", 3)->code_width == 2 && fld("JS", 3)->table == 13);
	CHECK(fld("JS", 4)->code_width == 3 && fld("JS", 4)->table == 14);
	CHECK(fld("SY", 3)->code_width == 4);
	CHECK(fld("RJ", 19)->code_width == 2 && fld("RJ", 19)->table == 17);
	CHECK(fld("KA", 7)->code_width == 2 && fld("KA", 7)->table == 20);
	CHECK(fld("GI", 4)->code_width == 2 && fld("GI", 4)->table == 11);
	CHECK(fld("IH", 3)->mode == HK_MODE_X && fld("IH", 3)->table == 3);
	CHECK(fld("KA", 3)->mode == HK_MODE_X && fld("KA", 3)->table == 22);
	CHECK_STR(fld("KA", 4)->name, "訪問看護療養費コード");
	CHECK(fld("KA", 4)->max == 9 && fld("KA", 4)->fixed);
	CHECK(fld("KO", 3)->keepzero);
	CHECK(fld("RJ", 12)->keepzero);  /* 時刻 hhmm 全桁 */
	CHECK(!fld("RE", 2)->keepzero);
	CHECK_STR(fld("JD", 33)->name, "31日の情報");
	CHECK_STR(fld("MF", 33)->name, "予備31");
	CHECK_STR(fld("RJ", 29)->name, "他の訪問看護ステーション2名称");
}

TEST(uke_codes)
{
	CHECK(hk_code_valid(1, "1", 1));
	CHECK(!hk_code_valid(1, "7", 1));
	CHECK(hk_code_valid(2, "47", 2));
	CHECK(!hk_code_valid(2, "48", 2));
	CHECK(hk_code_valid(4, "6116", 4));
	CHECK(hk_code_valid(4, "6350", 4));
	CHECK(hk_code_valid(4, "6242", 4));
	CHECK(!hk_code_valid(4, "6252", 4));
	CHECK(!hk_code_valid(4, "3110", 4));
	CHECK_STR(hk_code_label(12, "01", 2), "訪問看護指示");
	CHECK_STR(hk_code_label(4, "6116", 4), "訪問看護・医保単独/国保単独・家族/その他");
	CHECK(hk_code_valid(14, "092", 3));
	CHECK(!hk_code_valid(14, "021", 3));
	CHECK(hk_code_valid(20, "80", 2));
	CHECK(hk_code_valid(20, "51", 2));
	CHECK(!hk_code_valid(20, "31", 2));
	CHECK(hk_code_valid(22, "Z", 1));
	CHECK(!hk_code_valid(22, "A", 1));
	/* shaded codes: labelled but not valid in 一次請求 */
	CHECK(hk_code_valid(24, "01", 2));
	CHECK(!hk_code_valid(24, "02", 2));
	CHECK(hk_code_shaded(24, "02", 2));
	CHECK(!hk_code_valid(25, "9", 1));
	CHECK(!hk_code_valid(26, "03", 2));
	CHECK(hk_code_valid(26, "00", 2));
	CHECK(hk_code_label(24, "09", 2) != NULL);
	CHECK(!hk_code_valid(0, "1", 1));
	CHECK(!hk_code_valid(29, "1", 1));
	CHECK(hk_code_label(3, "2", 1) == NULL);
	CHECK_STR(hk_code_table_name(12), "指示区分");
}
