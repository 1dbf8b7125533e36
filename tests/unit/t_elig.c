/* Unit tests of switchover/eligibility.h: the reader, derivation, the
 * hostile corpus, and the API the claim run calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "tests/unit/harness.h"
#include "switchover/eligibility.h"
#include "claims/db.h"
#include "claims/station.h"
#include "base/buf.h"
#include "base/limits.h"

#define CORPUS "tests/corpus/eligibility"

struct got {
	int n;
	struct hk_elig_result r[8];
	struct hk_buf canon;  /* one line per result, for same-answer checks */
};

static int collect(void *ctx, struct hk_elig_result *r, struct hk_err *err)
{
	struct got *g = ctx;
	if (g->n < 8)
		g->r[g->n] = *r;
	g->n++;
	return hk_buf_printf(&g->canon, err, "%d|%s|%s|%s|%s|%s|%s|%s|%d|%d|%s|%s|%s|%s\n", r->validity,
			     r->query_no, r->insurer, r->symbol, r->number, r->branch, r->kind ? r->kind : "",
			     r->person ? r->person : "", r->ratio, r->kouki_ratio, r->limit_class,
			     r->specific_disease, r->valid_from, r->valid_to);
}

static int parse_str(const char *xml, struct got *g, struct hk_err *err)
{
	memset(g, 0, sizeof(*g));
	hk_buf_init(&g->canon, 1 << 20, "test");
	return hk_elig_parse_memory("mem.xml", xml, strlen(xml), collect, g, NULL, err);
}

#define HDR "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader>" \
	"<QualificationConfirmationDate>20261215</QualificationConfirmationDate>" \
	"<CharacterCodeIdentifier>0</CharacterCodeIdentifier></MessageHeader><MessageBody><ResultList>"
#define TAIL "</ResultList></MessageBody></XmlMsg>"
#define RES(x) "<ResultOfQualificationConfirmation><QualificationValidity>1</QualificationValidity>" x \
	"</ResultOfQualificationConfirmation>"

TEST(elig_derive_person_and_ratio)
{
	/* DIGEST §3.5: 後期 "010" = 10 %; 高齢受給者 ratio; 未就学 2割; 本人/家族 3割 */
	struct got g;
	struct hk_err err = {0};
	int rc = parse_str(HDR
		RES("<InsurerNumber>39130000</InsurerNumber><InsuredIdentificationNumber>1</InsuredIdentificationNumber>"
		    "<InsuredPartialContributionRatio>010</InsuredPartialContributionRatio>")
		RES("<InsurerNumber>39130000</InsurerNumber><InsuredIdentificationNumber>2</InsuredIdentificationNumber>"
		    "<InsuredPartialContributionRatio>030</InsuredPartialContributionRatio>")
		RES("<InsurerNumber>01130012</InsurerNumber><InsuredIdentificationNumber>3</InsuredIdentificationNumber>"
		    "<ElderlyRecipientCertificateInfo><ElderlyRecipientContributionRatio>30</ElderlyRecipientContributionRatio>"
		    "</ElderlyRecipientCertificateInfo>")
		RES("<InsurerNumber>131011</InsurerNumber><InsuredIdentificationNumber>4</InsuredIdentificationNumber>"
		    "<PreschoolClassification>1</PreschoolClassification>")
		RES("<InsurerNumber>01130012</InsurerNumber><InsuredIdentificationNumber>5</InsuredIdentificationNumber>"
		    "<PersonalFamilyClassification>2</PersonalFamilyClassification><InsuredBranchNumber>03</InsuredBranchNumber>")
		TAIL, &g, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(g.n, 5);
	CHECK_STR(g.r[0].kind, "kouki");
	CHECK_STR(g.r[0].person, "kourei");
	CHECK_INT(g.r[0].ratio, 10);
	CHECK_STR(g.r[1].person, "kourei7");
	CHECK_INT(g.r[1].ratio, 30);
	CHECK_STR(g.r[2].kind, "shaho");
	CHECK_STR(g.r[2].person, "kourei7");
	CHECK_STR(g.r[3].kind, "kokuho");
	CHECK_STR(g.r[3].person, "mishuugaku");
	CHECK_INT(g.r[3].ratio, 20);
	CHECK_STR(g.r[4].person, "kazoku");
	CHECK_INT(g.r[4].ratio, 30);
	CHECK_STR(g.r[4].branch, "03");
	CHECK_STR(g.r[4].confirmed_on, "2026-12-15");
	hk_buf_free(&g.canon);
}

TEST(elig_not_found_takes_search_info)
{
	struct got g;
	struct hk_err err = {0};
	int rc = parse_str("<XmlMsg><MessageHeader><QualificationConfirmationDate>20270107</QualificationConfirmationDate>"
			   "</MessageHeader><MessageBody><QualificationValidity>4</QualificationValidity>"
			   "<QualificationConfirmSearchInfo><InsurerNumber>01130012</InsurerNumber>"
			   "<InsuredIdentificationNumber>5678</InsuredIdentificationNumber>"
			   "<ArbitraryIdentifier>P0001</ArbitraryIdentifier></QualificationConfirmSearchInfo>"
			   "</MessageBody></XmlMsg>", &g, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(g.n, 1);
	CHECK_INT(g.r[0].validity, 4);
	CHECK_STR(g.r[0].query_no, "P0001");
	CHECK_STR(g.r[0].insurer, "01130012");
	hk_buf_free(&g.canon);
}

TEST(elig_field_errors_name_the_element)
{
	struct got g;
	struct hk_err err = {0};
	CHECK_INT(parse_str(HDR RES("<InsurerNumber>0113001</InsurerNumber><InsuredIdentificationNumber>1"
				    "</InsuredIdentificationNumber>") TAIL, &g, &err), -1);
	hk_buf_free(&g.canon);
	CHECK(strstr(err.msg, "mem.xml:1: InsurerNumber '0113001': 保険者番号 must be 8 digits") != NULL);
	/* check digit (DIGEST §3.3): 01130013 is one off 01130012 */
	CHECK_INT(parse_str(HDR RES("<InsurerNumber>01130013</InsurerNumber><InsuredIdentificationNumber>1"
				    "</InsuredIdentificationNumber>") TAIL, &g, &err), -1);
	hk_buf_free(&g.canon);
	CHECK(strstr(err.msg, "InsurerNumber '01130013'") != NULL);
	CHECK(parse_str(HDR RES("<InsurerNumber>01130012</InsurerNumber><InsuredIdentificationNumber>1"
				"</InsuredIdentificationNumber><InsuredCardValidDate>20260231</InsuredCardValidDate>")
			TAIL, &g, &err) < 0);
	hk_buf_free(&g.canon);
	CHECK(strstr(err.msg, "InsuredCardValidDate: '20260231' is not a date") != NULL);
	CHECK(parse_str(HDR RES("<InsurerNumber>01130012</InsurerNumber><InsuredIdentificationNumber>1"
				"</InsuredIdentificationNumber><LimitApplicationCertificateClassificationFlag>A07"
				"</LimitApplicationCertificateClassificationFlag>") TAIL, &g, &err) < 0);
	hk_buf_free(&g.canon);
	CHECK(strstr(err.msg, "限度額適用区分") != NULL);
	/* 後期 ratio on a 社保 insurer is inconsistent */
	CHECK(parse_str(HDR RES("<InsurerNumber>01130012</InsurerNumber><InsuredIdentificationNumber>1"
				"</InsuredIdentificationNumber><InsuredPartialContributionRatio>010"
				"</InsuredPartialContributionRatio>") TAIL, &g, &err) < 0);
	hk_buf_free(&g.canon);
	CHECK(strstr(err.msg, "only 後期高齢者") != NULL);
	/* a result before any confirmation date */
	CHECK(parse_str("<XmlMsg><MessageBody>" RES("<InsurerNumber>01130012</InsurerNumber>"
		"<InsuredIdentificationNumber>1</InsuredIdentificationNumber>") "</MessageBody></XmlMsg>", &g, &err) < 0);
	hk_buf_free(&g.canon);
	CHECK(strstr(err.msg, "QualificationConfirmationDate") != NULL);
}

static char *repeat_doc(const char *pre, const char *unit, int n, const char *mid, const char *unit2,
			const char *post)
{
	struct hk_buf b;
	struct hk_err err = {0};
	hk_buf_init(&b, 64u << 20, "test");
	hk_buf_adds(&b, pre, &err);
	for (int i = 0; i < n; i++)
		hk_buf_adds(&b, unit, &err);
	hk_buf_adds(&b, mid, &err);
	for (int i = 0; i < n && unit2; i++)
		hk_buf_adds(&b, unit2, &err);
	hk_buf_adds(&b, post, &err);
	return hk_buf_take(&b);
}

TEST(elig_depth_cap_is_exact)
{
	/* XmlMsg is depth 0: HK_MAX_XML_DEPTH - 1 nested <a> are the deepest allowed */
	struct got g;
	struct hk_err err = {0};
	char *ok = repeat_doc("<XmlMsg>", "<a>", HK_MAX_XML_DEPTH - 1, "", "</a>", "</XmlMsg>");
	char *bad = repeat_doc("<XmlMsg>", "<a>", HK_MAX_XML_DEPTH, "", "</a>", "</XmlMsg>");
	int rc_ok = parse_str(ok, &g, &err);
	hk_buf_free(&g.canon);
	int rc_bad = parse_str(bad, &g, &err);
	hk_buf_free(&g.canon);
	hk_free(ok);
	hk_free(bad);
	CHECK_INT(rc_ok, 0);
	CHECK_INT(rc_bad, -1);
	CHECK(strstr(err.msg, "HK_MAX_XML_DEPTH") != NULL);
}

TEST(elig_text_cap_is_exact)
{
	struct got g;
	struct hk_err err = {0};
	char *ok = repeat_doc("<XmlMsg><Name>", "A", HK_MAX_XML_TEXT, "</Name>", NULL, "</XmlMsg>");
	char *bad = repeat_doc("<XmlMsg><Name>", "A", HK_MAX_XML_TEXT + 1, "</Name>", NULL, "</XmlMsg>");
	int rc_ok = parse_str(ok, &g, &err);
	hk_buf_free(&g.canon);
	int rc_bad = parse_str(bad, &g, &err);
	hk_buf_free(&g.canon);
	hk_free(ok);
	hk_free(bad);
	CHECK_INT(rc_ok, 0);
	CHECK_INT(rc_bad, -1);
	CHECK(strstr(err.msg, "HK_MAX_XML_TEXT") != NULL);
}

TEST(elig_comments_and_cdata_pass_the_filter)
{
	struct got g;
	struct hk_err err = {0};
	int rc = parse_str(HDR "<!-- a comment -->" RES("<InsurerNumber><![CDATA[01130012]]></InsurerNumber>"
			   "<InsuredIdentificationNumber>1&amp;2</InsuredIdentificationNumber>") TAIL, &g, &err);
	CHECK_INT(rc, 0);
	CHECK_INT(g.n, 1);
	CHECK_STR(g.r[0].insurer, "01130012");
	CHECK_STR(g.r[0].number, "1&2");
	hk_buf_free(&g.canon);
}

TEST(elig_hostile_corpus_each_refused_with_its_message)
{
	FILE *f = fopen(CORPUS "/hostile/EXPECT", "r");
	char line[512];
	int n = 0;
	long loads = hk_elig_entity_loads();
	CHECK(f != NULL);
	while (fgets(line, sizeof(line), f)) {
		char path[600], *tab;
		struct got g;
		struct hk_err err = {0};
		int rc;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		line[strcspn(line, "\n")] = 0;
		tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		snprintf(path, sizeof(path), CORPUS "/hostile/%s", line);
		memset(&g, 0, sizeof(g));
		hk_buf_init(&g.canon, 1 << 20, "test");
		rc = hk_elig_parse_file(path, collect, &g, NULL, &err);
		hk_buf_free(&g.canon);
		if (rc != -1 || !strstr(err.msg, tab + 1)) {
			fclose(f);
			hk_test_fail(__FILE__, __LINE__, "%s: rc %d, message '%s', want '%s'", line, rc, err.msg, tab + 1);
			return;
		}
		CHECK_INT(err.code, HK_EXIT_INPUT);
		n++;
	}
	fclose(f);
	CHECK(n >= 18);
	/* the refusing loader was never even asked */
	CHECK_INT(hk_elig_entity_loads(), loads);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *d;
	long n;
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	d = hk_malloc((size_t)n + 1);
	*len = fread(d, 1, (size_t)n, f);
	fclose(f);
	return d;
}

TEST(elig_same_answer_file_memory_and_encodings)
{
	/* PRACTICES 16: file and memory readers, UTF-8 and Shift_JIS, one answer */
	struct got a, b, c;
	struct hk_err err = {0};
	struct hk_elig_file_info info;
	size_t len = 0;
	char *mem;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	hk_buf_init(&a.canon, 1 << 20, "t");
	hk_buf_init(&b.canon, 1 << 20, "t");
	hk_buf_init(&c.canon, 1 << 20, "t");
	CHECK_INT(hk_elig_parse_file(CORPUS "/good/bulk_202612.xml", collect, &a, &info, &err), 0);
	CHECK_INT(info.results, 3);
	CHECK_INT(info.charset, 0);
	mem = slurp(CORPUS "/good/bulk_202612.xml", &len);
	CHECK(mem != NULL);
	CHECK_INT(hk_elig_parse_memory("m", mem, len, collect, &b, NULL, &err), 0);
	hk_free(mem);
	CHECK_INT(hk_elig_parse_file(CORPUS "/good/bulk_202612_sjis.xml", collect, &c, &info, &err), 0);
	CHECK_INT(info.charset, 1);
	CHECK_INT(a.n, 3);
	CHECK_STR(hk_buf_cstr(&a.canon), hk_buf_cstr(&b.canon));
	CHECK_STR(hk_buf_cstr(&a.canon), hk_buf_cstr(&c.canon));
	CHECK(strstr(hk_buf_cstr(&c.canon), "|７７|") != NULL); /* full-width 記号 decoded from Shift_JIS */
	hk_buf_free(&a.canon);
	hk_buf_free(&b.canon);
	hk_buf_free(&c.canon);
}

TEST(elig_sniff)
{
	CHECK(hk_elig_sniff("<?xml version=\"1.0\"?>\n<XmlMsg>", 29));
	CHECK(hk_elig_sniff("\xEF\xBB\xBF<XmlMsg>", 11));
	CHECK(!hk_elig_sniff("HM,1,13,6,1234567", 17));
	CHECK(!hk_elig_sniff("<?xml version=\"1.0\"?><other/>", 29));
	CHECK(!hk_elig_sniff("", 0));
}

/* ---- the claim-run API on a small database ---- */

static sqlite3 *api_db(int online, int hold)
{
	static int seq;
	char name[64];
	struct hk_station s;
	struct hk_err err = {0};
	sqlite3 *db;
	memset(&s, 0, sizeof(s));
	snprintf(s.code, sizeof(s.code), "1234567");
	snprintf(s.pref, sizeof(s.pref), "13");
	snprintf(s.name, sizeof(s.name), "テスト");
	s.mgmt_level = 3;
	s.mgmt_daily = 1;
	s.online_elig = online;
	s.hold_unconfirmed = hold;
	snprintf(name, sizeof(name), "elig%d.db", seq++);
	if (hk_db_open(hk_test_path(name), HK_DB_CREATE_NEW, &db, &err) < 0 || hk_station_insert(db, &s, &err) < 0 ||
	    hk_db_exec(db,
		       "INSERT INTO patient(patient_key,name,sex,birth) VALUES ('P0001','a',1,'1950-04-01'),"
		       " ('P0002','b',2,'1960-05-05'), ('P0003','c',1,'1940-01-01');"
		       "INSERT INTO coverage(patient_id,insurer,symbol,number,branch,kind,person,ratio,valid_from) VALUES"
		       " (1,'01130012','1234','5678','01','shaho','honnin',30,'2020-04-01'),"
		       " (3,'39130000',NULL,'12345678',NULL,'kouki','kourei',10,'2015-01-01');"
		       "INSERT INTO visit(id,patient_id,date,start_time,end_time,staff) VALUES"
		       " (1,1,'2026-12-03','10:00','11:00','01'), (2,3,'2026-12-05','10:00','11:00','01'),"
		       " (3,3,'2026-12-01','10:00','11:00','01'), (4,1,'2027-01-05','10:00','11:00','01');",
		       &err) < 0) {
		fprintf(stderr, "api_db: %s\n", err.msg);
		return NULL;
	}
	return db;
}

static int ingest_good(sqlite3 *db, struct hk_elig_ingest_stats *st, struct hk_err *err)
{
	struct hk_elig_ingest *ig;
	int rc;
	if (hk_elig_ingest_open(db, &ig, err) < 0)
		return -1;
	rc = hk_elig_ingest_file(ig, CORPUS "/good/bulk_202612.xml", st, err);
	hk_elig_ingest_close(ig);
	return rc;
}

TEST(elig_api_coverage_and_branch_from_last_confirmation)
{
	sqlite3 *db = api_db(1, 1);
	struct hk_elig_cov c;
	struct hk_elig_ingest_stats st;
	struct hk_err err = {0};
	CHECK(db != NULL);
	/* before any result: coverage, but no 枝番 from オンライン資格確認 and not confirmed */
	CHECK_INT(hk_elig_coverage_on(db, 1, "2026-12-03", &c, &err), 1);
	CHECK_STR(c.branch, "");
	CHECK(!c.confirmed);
	CHECK_INT(ingest_good(db, &st, &err), 0);
	CHECK_INT(st.results, 3);
	CHECK_INT(st.matched, 3);
	CHECK_INT(hk_elig_coverage_on(db, 1, "2026-12-03", &c, &err), 1);
	CHECK_STR(c.insurer, "01130012");
	CHECK_STR(c.branch, "02");           /* the result's InsuredBranchNumber */
	CHECK_STR(c.person, "kazoku");
	CHECK_STR(c.limit_class, "A03");
	CHECK(c.confirmed);
	CHECK_STR(c.confirmed_on, "2026-12-15");
	/* a confirmation in December does not confirm January */
	CHECK_INT(hk_elig_coverage_on(db, 1, "2027-01-05", &c, &err), 1);
	CHECK(!c.confirmed);
	/* P0002 got its first coverage, with 特定疾病 人工透析 */
	CHECK_INT(hk_elig_coverage_on(db, 2, "2026-11-30", &c, &err), 1);
	CHECK_STR(c.insurer, "06132013");
	CHECK_STR(c.specific_disease, "1");
	CHECK_INT(hk_elig_coverage_on(db, 2, "2026-10-31", &c, &err), 0);
	/* P0003 lost coverage after 2026-12-04 */
	CHECK_INT(hk_elig_coverage_on(db, 3, "2026-12-04", &c, &err), 1);
	CHECK_INT(hk_elig_coverage_on(db, 3, "2026-12-05", &c, &err), 0);
	CHECK_INT(hk_elig_coverage_on(db, 3, "2026-12-5", &c, &err), -1);
	hk_db_close(db);
}

TEST(elig_api_visit_held_by_station_setting)
{
	struct hk_elig_ingest_stats st;
	struct hk_err err = {0};
	enum hk_visit_elig state;
	bool held, dx;
	for (int online = 0; online <= 1; online++) {
		for (int hold = 0; hold <= 1; hold++) {
			sqlite3 *db = api_db(online, hold);
			CHECK(db != NULL);
			CHECK_INT(ingest_good(db, &st, &err), 0);
			/* visit 1: P0001 on 12-03, confirmed */
			CHECK_INT(hk_elig_visit_state(db, 1, &state, &held, &err), 0);
			CHECK_INT(state, HK_VISIT_CONFIRMED);
			CHECK(!held);
			/* visit 2: P0003 on 12-05, after the loss: no coverage, held iff hold */
			CHECK_INT(hk_elig_visit_state(db, 2, &state, &held, &err), 0);
			CHECK_INT(state, HK_VISIT_NO_COVERAGE);
			CHECK_INT(held, hold);
			/* visit 4: P0001 in January, covered but not confirmed: held iff hold and online */
			CHECK_INT(hk_elig_visit_state(db, 4, &state, &held, &err), 0);
			CHECK_INT(state, HK_VISIT_UNCONFIRMED);
			CHECK_INT(held, hold && online);
			CHECK_INT(hk_elig_dx_claimable(db, &dx, &err), 0);
			CHECK_INT(dx, online);
			CHECK_INT(hk_elig_visit_state(db, 99, &state, &held, &err), -1);
			hk_db_close(db);
		}
	}
}

TEST(elig_ingest_is_all_or_nothing)
{
	sqlite3 *db = api_db(1, 0);
	struct hk_elig_ingest *ig;
	struct hk_elig_ingest_stats st;
	struct hk_err err = {0};
	sqlite3_stmt *s;
	const char *bad = hk_test_path("half.xml");
	FILE *f = fopen(bad, "w");
	CHECK(db && f);
	/* first result good, second broken: nothing of the file may stay */
	fputs(HDR RES("<ArbitraryIdentifier>P0001</ArbitraryIdentifier><InsurerNumber>01130012</InsurerNumber>"
		      "<InsuredIdentificationNumber>5678</InsuredIdentificationNumber><InsuredBranchNumber>09"
		      "</InsuredBranchNumber>")
	      RES("<InsurerNumber>x</InsurerNumber>") TAIL, f);
	fclose(f);
	CHECK_INT(hk_elig_ingest_open(db, &ig, &err), 0);
	CHECK_INT(hk_elig_ingest_file(ig, bad, &st, &err), -1);
	CHECK(strstr(err.msg, "half.xml:1: InsurerNumber") != NULL);
	hk_elig_ingest_close(ig);
	CHECK_INT(hk_db_prepare(db, "SELECT (SELECT count(*) FROM eligibility), (SELECT branch FROM coverage WHERE id = 1),"
				    " (SELECT count(*) FROM notice)", &s, &err), 0);
	CHECK_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(s, 0), 0);
	CHECK_STR((const char *)sqlite3_column_text(s, 1), "01");
	CHECK_INT(sqlite3_column_int(s, 2), 0);
	sqlite3_finalize(s);
	hk_db_close(db);
}

TEST(elig_layouts_are_tables)
{
	CHECK_INT(hk_elig_layout_count(), 4);
	CHECK_STR(hk_elig_layout_name(0), "bulk_query");
	CHECK_STR(hk_elig_layout_name(1), "consent_fetch");
	CHECK_STR(hk_elig_layout_name(2), "register_query_no");
	CHECK_STR(hk_elig_layout_name(3), "consent_cancel");
	CHECK(hk_elig_layout_name(4) == NULL);
}

/* ---- many results: batching, queued refreshes and the parser thread ----
 * 2,000 patients, one coverage each.  Every patient once (so refreshes pile
 * up past every batch size), then 1,500 picked at random (a patient read
 * again while its refresh is still queued) with some 無効 among them, some
 * end dates, and some insurer changes each right after a refresh that set
 * an end date (closing must see it).  The expected coverage rows and counts
 * come from a model of the rules in docs/eligibility.md kept by the test,
 * not from the code. */
#define MANY_PAT 2000
#define MANY_RES 3500

struct many_model {
	char symbol[8], branch[3], person[8], limit[4], valid_to[11];
	int changed;            /* insurer changed: a second coverage from 2027-04-01 */
	char new_branch[3];
};

static void many_result(FILE *f, int validity, int k, const char *insurer, const char *number_prefix,
			const char *sym, const char *br, int fam, const char *lim, const char *from, const char *to)
{
	fprintf(f, "<ResultOfQualificationConfirmation><QualificationValidity>%d</QualificationValidity>"
		"<ArbitraryIdentifier>M%05d</ArbitraryIdentifier><InsurerNumber>%s</InsurerNumber>"
		"<InsuredCardSymbol>%s</InsuredCardSymbol><InsuredIdentificationNumber>%s%d"
		"</InsuredIdentificationNumber><InsuredBranchNumber>%s</InsuredBranchNumber>"
		"<PersonalFamilyClassification>%d</PersonalFamilyClassification>", validity, k, insurer, sym,
		number_prefix, k, br, fam);
	if (lim[0])
		fprintf(f, "<LimitApplicationCertificateClassificationFlag>%s"
			"</LimitApplicationCertificateClassificationFlag>", lim);
	if (from[0])
		fprintf(f, "<InsuredCardValidDate>%s</InsuredCardValidDate>", from);
	if (to[0])
		fprintf(f, "<InsuredCardExpirationDate>%s</InsuredCardExpirationDate>", to);
	fputs("</ResultOfQualificationConfirmation>\n", f);
}

TEST(elig_ingest_many_results_follow_the_rules)
{
	static struct many_model m[MANY_PAT + 1];
	sqlite3 *db = api_db(1, 0);
	struct hk_elig_ingest *ig = NULL;
	struct hk_elig_ingest_stats st;
	struct hk_err err = {0};
	sqlite3_stmt *s = NULL;
	const char *path = hk_test_path("many.xml");
	FILE *f = fopen(path, "w");
	unsigned seed = 12345;
	long want_updated = 0, want_closed = 0, want_added = 0, bad = 0, n = 0, results = 0;
	CHECK(db && f);
	if (!db || !f)
		return;
	CHECK_INT(hk_db_exec(db, "DELETE FROM visit; DELETE FROM coverage; DELETE FROM patient;"
			     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
			     " INSERT INTO patient(id, patient_key, name, sex, birth)"
			     " SELECT i, printf('M%05d', i), 'm', 1, '1950-04-01' FROM n;"
			     "INSERT INTO coverage(id, patient_id, insurer, symbol, number, branch, kind, person, ratio,"
			     " valid_from) SELECT id, id, '01130012', 'S', 'N' || id, '01', 'shaho', 'honnin', 30,"
			     " '2020-04-01' FROM patient;", &err), 0);
	memset(m, 0, sizeof(m));
	for (int k = 1; k <= MANY_PAT; k++) {
		snprintf(m[k].symbol, sizeof(m[k].symbol), "S");
		snprintf(m[k].branch, sizeof(m[k].branch), "01");
		snprintf(m[k].person, sizeof(m[k].person), "honnin");
	}
	fputs(HDR, f);
	for (int i = 0; i < MANY_RES; i++) {
		int k, fam, validity = 1, change = 0;
		char sym[8], br[3], lim[4] = "", to[9] = "", to10[11] = "";
		seed = seed * 1103515245u + 12345u;
		k = i < MANY_PAT ? 1 + (i * 7) % MANY_PAT : 1 + (int)((seed >> 8) % MANY_PAT);
		if (m[k].changed)
			continue; /* the model follows one coverage per patient until it changes */
		if (i >= MANY_PAT && (seed >> 4) % 10 == 0)
			validity = 2;
		else if (i >= MANY_PAT && (seed >> 4) % 10 == 1)
			change = 1;
		fam = 1 + (int)((seed >> 12) % 2);
		snprintf(sym, sizeof(sym), "%s", (seed >> 14) % 3 ? "S" : "T");
		snprintf(br, sizeof(br), "0%d", 1 + (int)((seed >> 16) % 3));
		if ((seed >> 18) % 5 == 0)
			snprintf(lim, sizeof(lim), "A0%d", 1 + (int)((seed >> 20) % 3));
		if (change || (validity == 1 && (seed >> 22) % 5 == 0)) {
			snprintf(to, sizeof(to), "20271231");
			snprintf(to10, sizeof(to10), "2027-12-31");
		}
		if (validity == 2) {
			many_result(f, 2, k, "01130012", "N", sym, br, fam, lim, "", "20270131");
			results++;
			/* 無効: ends at the expiration date unless it already ends then or earlier */
			if (!m[k].valid_to[0] || strcmp(m[k].valid_to, "2027-01-31") > 0) {
				snprintf(m[k].valid_to, sizeof(m[k].valid_to), "2027-01-31");
				want_closed++;
			}
			continue;
		}
		/* 有効: refreshed when anything differs (counted once); no end date keeps the old one */
		many_result(f, 1, k, "01130012", "N", sym, br, fam, lim, "", to);
		results++;
		if (strcmp(m[k].symbol, sym) || strcmp(m[k].branch, br) || strcmp(m[k].limit, lim) ||
		    strcmp(m[k].person, fam == 2 ? "kazoku" : "honnin") || (to10[0] && strcmp(m[k].valid_to, to10)))
			want_updated++;
		snprintf(m[k].symbol, sizeof(m[k].symbol), "%s", sym);
		snprintf(m[k].branch, sizeof(m[k].branch), "%s", br);
		snprintf(m[k].limit, sizeof(m[k].limit), "%s", lim);
		snprintf(m[k].person, sizeof(m[k].person), "%s", fam == 2 ? "kazoku" : "honnin");
		if (to10[0])
			snprintf(m[k].valid_to, sizeof(m[k].valid_to), "%s", to10);
		if (change) {
			/* insurer changed: the coverage refreshed just above (ending 2027-12-31)
			 * ends the day before the new one starts */
			many_result(f, 1, k, "06132013", "X", sym, "02", fam, "", "20270401", "");
			results++;
			snprintf(m[k].valid_to, sizeof(m[k].valid_to), "2027-03-31");
			want_closed++;
			want_added++;
			m[k].changed = 1;
		}
	}
	fputs(TAIL, f);
	fclose(f);
	CHECK_INT(hk_elig_ingest_open(db, &ig, &err), 0);
	CHECK_INT(hk_elig_ingest_file(ig, path, &st, &err), 0);
	hk_elig_ingest_close(ig);
	CHECK_INT(st.results, results);
	CHECK_INT(st.matched, results);
	CHECK(want_updated > 2000 && want_closed > 50 && want_added > 50);
	CHECK_INT(st.cov_added, want_added);
	CHECK_INT(st.cov_updated, want_updated);
	CHECK_INT(st.cov_closed, want_closed);
	CHECK_INT(hk_db_prepare(db, "SELECT patient_id, symbol, branch, person, coalesce(limit_class, ''),"
				    " coalesce(valid_to, '') FROM coverage WHERE insurer = '01130012' ORDER BY id",
				&s, &err), 0);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int k = sqlite3_column_int(s, 0);
		n++;
		if (k < 1 || k > MANY_PAT || strcmp((const char *)sqlite3_column_text(s, 1), m[k].symbol) ||
		    strcmp((const char *)sqlite3_column_text(s, 2), m[k].branch) ||
		    strcmp((const char *)sqlite3_column_text(s, 3), m[k].person) ||
		    strcmp((const char *)sqlite3_column_text(s, 4), m[k].limit) ||
		    strcmp((const char *)sqlite3_column_text(s, 5), m[k].valid_to))
			bad++;
	}
	sqlite3_finalize(s);
	CHECK_INT(n, MANY_PAT);
	CHECK_INT(bad, 0);
	CHECK_INT(hk_db_prepare(db, "SELECT count(*), sum(valid_from = '2027-04-01' AND valid_to IS NULL AND"
				    " number = 'X' || patient_id AND source = 'eligibility') FROM coverage"
				    " WHERE insurer = '06132013'", &s, &err), 0);
	CHECK_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(s, 0), want_added);
	CHECK_INT(sqlite3_column_int(s, 1), want_added);
	sqlite3_finalize(s);
	/* the history: one row per result, in the file's order */
	CHECK_INT(hk_db_prepare(db, "SELECT count(*), max(id) - min(id) + 1 FROM eligibility", &s, &err), 0);
	CHECK_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_INT(sqlite3_column_int(s, 0), results);
	CHECK_INT(sqlite3_column_int(s, 1), results);
	sqlite3_finalize(s);
	CHECK_INT(hk_db_prepare(db, "SELECT query_no FROM eligibility ORDER BY id LIMIT 1 OFFSET 1999", &s, &err), 0);
	CHECK_INT(sqlite3_step(s), SQLITE_ROW);
	CHECK_STR((const char *)sqlite3_column_text(s, 0), "M01994"); /* result 2000: 1 + 1999 * 7 % 2000 */
	sqlite3_finalize(s);
	hk_db_close(db);
}
