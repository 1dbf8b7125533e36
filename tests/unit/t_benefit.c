#include "tests/unit/harness.h"
#include "claims/benefit.h"

#define D(y, m, d) ((struct hk_date){(y), (m), (d)})

TEST(benefit_school_age_boundary)
{
	/* born 2018-04-02: 6th birthday eve 2024-04-01 -> 未就学 until 2025-03-31 */
	struct hk_date s = hk_school_start(D(2018, 4, 2));
	CHECK_INT(s.y, 2025); CHECK_INT(s.m, 4); CHECK_INT(s.d, 1);
	/* born 2018-04-01: eve 2024-03-31 -> 未就学 until 2024-03-31 (早生まれ) */
	s = hk_school_start(D(2018, 4, 1));
	CHECK_INT(s.y, 2024);
	/* 29 February births */
	s = hk_school_start(D(2016, 2, 29));
	CHECK_INT(s.y, 2022);
}

TEST(benefit_kourei_start_month)
{
	struct hk_date s = hk_kourei_start(D(1954, 6, 15));
	CHECK_INT(s.y, 2024); CHECK_INT(s.m, 7); CHECK_INT(s.d, 1);
	s = hk_kourei_start(D(1954, 6, 1)); /* 1st-of-month birthday: that month */
	CHECK_INT(s.m, 6);
	s = hk_kourei_start(D(1954, 12, 20));
	CHECK_INT(s.y, 2025); CHECK_INT(s.m, 1);
}

TEST(benefit_person_class_by_age)
{
	CHECK_INT(hk_person_on(HK_INS_SHAHO, HK_P_KAZOKU, 30, D(2020, 5, 5), D(2024, 6, 1)), HK_P_MISHUUGAKU);
	CHECK_INT(hk_person_on(HK_INS_SHAHO, HK_P_KAZOKU, 30, D(2010, 5, 5), D(2024, 6, 1)), HK_P_KAZOKU);
	CHECK_INT(hk_person_on(HK_INS_KOKUHO, HK_P_HONNIN, 20, D(1953, 1, 10), D(2024, 6, 1)), HK_P_KOUREI);
	CHECK_INT(hk_person_on(HK_INS_KOKUHO, HK_P_HONNIN, 30, D(1953, 1, 10), D(2024, 6, 1)), HK_P_KOUREI7);
	CHECK_INT(hk_person_on(HK_INS_SHAHO, HK_P_HONNIN, 30, D(1954, 6, 15), D(2024, 6, 30)), HK_P_HONNIN);
	CHECK_INT(hk_person_on(HK_INS_KOUKI, HK_P_HONNIN, 10, D(1940, 1, 1), D(2024, 6, 1)), HK_P_KOUREI);
	CHECK_INT(hk_person_on(HK_INS_KOUKI, HK_P_HONNIN, 30, D(1940, 1, 1), D(2024, 6, 1)), HK_P_KOUREI7);
	CHECK_INT(hk_person_ratio(HK_INS_SHAHO, HK_P_MISHUUGAKU, 30), 20);
	CHECK_INT(hk_person_ratio(HK_INS_KOUKI, HK_P_KOUREI, 10), 10);
}

TEST(benefit_receipt_types_are_in_betsuhyo4)
{
	char t[5];
	CHECK(hk_receipt_type(HK_INS_SHAHO, HK_P_HONNIN, 0, t) == 0); CHECK_STR(t, "6112");
	CHECK(hk_receipt_type(HK_INS_SHAHO, HK_P_MISHUUGAKU, 0, t) == 0); CHECK_STR(t, "6114");
	CHECK(hk_receipt_type(HK_INS_KOKUHO, HK_P_KAZOKU, 1, t) == 0); CHECK_STR(t, "6126");
	CHECK(hk_receipt_type(HK_INS_SHAHO, HK_P_KOUREI7, 4, t) == 0); CHECK_STR(t, "6150");
	CHECK(hk_receipt_type(HK_INS_KOUKI, HK_P_KOUREI, 0, t) == 0); CHECK_STR(t, "6318");
	CHECK(hk_receipt_type(HK_INS_KOUKI, HK_P_KOUREI7, 2, t) == 0); CHECK_STR(t, "6330");
	CHECK(hk_receipt_type(HK_INS_NONE, HK_P_HONNIN, 1, t) == 0); CHECK_STR(t, "6212");
	CHECK(hk_receipt_type(HK_INS_NONE, HK_P_HONNIN, 3, t) == 0); CHECK_STR(t, "6232");
	CHECK(hk_receipt_type(HK_INS_NONE, HK_P_HONNIN, 0, t) < 0);
	CHECK(hk_receipt_type(HK_INS_SHAHO, HK_P_HONNIN, 5, t) < 0);
}

TEST(benefit_routing_and_priority)
{
	CHECK_INT(hk_route_body(HK_INS_SHAHO, NULL), 1);
	CHECK_INT(hk_route_body(HK_INS_KOKUHO, NULL), 2);
	CHECK_INT(hk_route_body(HK_INS_KOUKI, NULL), 2);
	CHECK_INT(hk_route_body(HK_INS_NONE, "12130004"), 1);
	CHECK(hk_public_priority("54130008") < hk_public_priority("12130004"));
	CHECK(hk_public_priority("21130008") < hk_public_priority("54130008"));
	CHECK(hk_public_priority("81130008") < hk_public_priority("12130004"));
}

TEST(benefit_round10_and_limits)
{
	CHECK_INT(hk_round10(1665), 1670);
	CHECK_INT(hk_round10(1664), 1660);
	CHECK_INT(hk_limit_amount("A03", 300000, false), 80100 + 330);
	CHECK_INT(hk_limit_amount("A03", 200000, false), 80100);
	CHECK_INT(hk_limit_amount("A03", 0, true), 44400);
	CHECK_INT(hk_limit_amount("B04", 500000, false), 18000);
	CHECK_INT(hk_limit_amount("B06", 500000, false), 8000);
	CHECK_INT(hk_limit_amount("Z99", 1, false), -1);
}

TEST(benefit_split_insurance_only)
{
	struct hk_burden_in in = {0};
	struct hk_burden_out out;
	struct hk_err err = {0};
	in.kind = HK_INS_SHAHO;
	in.ratio = 30;
	in.amount[1] = 29870; /* DIGEST §1.7 example */
	CHECK(hk_burden_split(&in, &out, &err) == 0);
	CHECK_INT(out.total[0], 29870);
	CHECK_INT(out.patient, 8960); /* 8961 -> 8960 */
	CHECK_INT(out.insurer_pays, 29870 - 8960);
	CHECK(!out.ins_share_recorded);
	CHECK_STR(out.window, "00");
}

TEST(benefit_split_kougaku_caps_the_share)
{
	struct hk_burden_in in = {0};
	struct hk_burden_out out;
	struct hk_err err = {0};
	in.kind = HK_INS_KOKUHO;
	in.ratio = 30;
	in.kougaku = 1;
	in.limit_class = "A04";
	in.amount[1] = 300000;
	CHECK(hk_burden_split(&in, &out, &err) == 0);
	CHECK_INT(out.ins_share, 57600);
	CHECK(out.ins_share_recorded);
	CHECK_INT(out.patient, 57600);
	CHECK_STR(out.window, "01");
}

TEST(benefit_split_nanbyou_with_cap)
{
	struct hk_burden_in in = {0};
	struct hk_burden_out out;
	struct hk_err err = {0};
	in.kind = HK_INS_SHAHO;
	in.ratio = 30;
	in.npub = 1;
	in.payer[0] = "54137014";
	in.cap[0] = 5000;
	in.amount[3] = 100000; /* all lines borne by insurance and 公費① */
	CHECK(hk_burden_split(&in, &out, &err) == 0);
	CHECK_INT(out.total[0], 100000);
	CHECK_INT(out.total[1], 100000);
	CHECK_INT(out.pub_share[0], 5000);   /* 2割 = 20000, capped at 5000 */
	CHECK(out.pub_share_recorded[0]);
	CHECK_INT(out.public_pays[0], 30000 - 5000);
	CHECK_INT(out.patient, 5000);
	/* a lower cap remaining (already paid elsewhere this month) */
	in.cap[0] = 0;
	CHECK(hk_burden_split(&in, &out, &err) == 0);
	CHECK_INT(out.patient, 0);
}

TEST(benefit_split_partial_public_days)
{
	struct hk_burden_in in = {0};
	struct hk_burden_out out;
	struct hk_err err = {0};
	in.kind = HK_INS_SHAHO;
	in.ratio = 30;
	in.npub = 1;
	in.payer[0] = "54137014";
	in.cap[0] = -1;
	in.amount[1] = 10000;  /* days before the 公費 started */
	in.amount[3] = 20000;
	CHECK(hk_burden_split(&in, &out, &err) == 0);
	CHECK_INT(out.total[0], 30000);
	CHECK_INT(out.total[1], 20000);
	CHECK_INT(out.patient, 3000 + 4000);
}

TEST(benefit_split_seikatsuhogo_alone)
{
	struct hk_burden_in in = {0};
	struct hk_burden_out out;
	struct hk_err err = {0};
	in.kind = HK_INS_NONE;
	in.npub = 1;
	in.payer[0] = "12130004";
	in.cap[0] = -1;
	in.amount[2] = 40000;
	CHECK(hk_burden_split(&in, &out, &err) == 0);
	CHECK_INT(out.total[1], 40000);
	CHECK_INT(out.patient, 0);
	CHECK_INT(out.public_pays[0], 40000);
	CHECK(!out.pub_share_recorded[0]);
	CHECK_STR(out.window, "");
	/* an amount on a payer that does not exist is a bug, not silence */
	in.amount[1] = 5;
	CHECK(hk_burden_split(&in, &out, &err) < 0);
}
