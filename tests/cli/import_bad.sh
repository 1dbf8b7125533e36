#!/bin/sh
# houkan import: every kind of bad row rejects the whole file with
# FILE:LINE:COLUMN: column: message on stderr, exit 1, database unchanged.
# Each bad file also holds good rows (often a new one) to prove all-or-nothing.
. "$SRC/tests/lib.sh"
DB=$T/st.db
$HOUKAN init --db "$DB" --station-code 1312345 --pref 13 --name "架空訪問看護ステーション" >/dev/null 2>&1
for k in patients coverages instructions visits; do
	$HOUKAN import --db "$DB" $k "$SRC/docs/examples/$k.csv" >/dev/null 2>&1 || fail "setup $k" "example import failed"
done

# bad NAME KIND WANT LINE...: writes LINEs to NAME.csv, imports it from $T
# (so the message names NAME.csv) and wants "NAME.csv:WANT" on stderr.
bad() {
	name=$1 kind=$2 want=$3; shift 3
	printf '%s\n' "$@" >"$T/$name.csv"
	dbdump "$DB" >"$T/d1"
	(cd "$T" && $HOUKAN import --db "$DB" "$kind" "$name.csv") >"$T/out" 2>"$T/err"; rc=$?
	if [ $rc -eq 1 ]; then pass "$name: exit 1"; else fail "$name: exit 1" "exit $rc; $(head -c 300 "$T/err")"; fi
	expect_grep "$name: message" "$T/err" "$name.csv:$want"
	dbdump "$DB" >"$T/d2"
	expect_same "$name: database unchanged" "$T/d1" "$T/d2"
}

PH="patient_key,name,kana,sex,birth,visit_start,place,place_text,end_date,end_time,end_reason,end_text,gaf,gaf_date"
OKP="N0001,新規 一郎,シンキイチロウ,1,1950-01-01,2024-06-01,01,,,,,,,"
bad p_missing_name patients "3:2: name: required, must not be empty" "$PH" "$OKP" "N0002,,,1,1950-01-01,,01,,,,,,,"
bad p_bad_date patients "3:5: birth: '1950-02-30' is not a date (YYYY-MM-DD)" "$PH" "$OKP" "N0002,新規 二郎,,1,1950-02-30,,01,,,,,,,"
bad p_date_form patients "3:5: birth: '1950/02/03' is not a date" "$PH" "$OKP" "N0002,新規 二郎,,1,1950/02/03,,01,,,,,,,"
bad p_bad_time patients "3:10: end_time: '25:00' is not a time (hh:mm" "$PH" "$OKP" "N0002,新規 二郎,,1,1950-02-03,2024-01-01,01,,2024-06-10,25:00,01,,,"
bad p_sex_code patients "3:4: sex: '3' is not a code of 別表5" "$PH" "$OKP" "N0002,新規 二郎,,3,1950-02-03,,01,,,,,,,"
bad p_place_code patients "3:7: place: '02' is not a code of 別表16" "$PH" "$OKP" "N0002,新規 二郎,,1,1950-02-03,,02,,,,,,,"
bad p_end_reason patients "3:11: end_reason: '05' is not a code of 別表15" "$PH" "$OKP" "N0002,新規 二郎,,1,1950-02-03,2024-01-01,01,,2024-06-10,10:00,05,,,"
bad p_gaf_code patients "3:13: gaf: '12' is not a code of 別表28" "$PH" "$OKP" "N0002,新規 二郎,,1,1950-02-03,,01,,,,,,12,2024-05-01"
bad p_gaf_nodate patients "3:14: gaf_date: required with gaf" "$PH" "$OKP" "N0002,新規 二郎,,1,1950-02-03,,01,,,,,,05,"
bad p_end_before_start patients "3:9: end_date: end 2024-05-31 is before visit_start 2024-06-01" "$PH" "$OKP" "N0002,新規 二郎,,1,1950-02-03,2024-06-01,01,,2024-05-31,,01,,,"
bad p_start_before_birth patients "3:6: visit_start: 1949-12-31 is before birth 1950-01-01" "$PH" "$OKP" "N0002,新規 二郎,,1,1950-01-01,1949-12-31,01,,,,,,,"
bad p_place99_text patients "3:8: place_text: required when place is 99" "$PH" "$OKP" "N0002,新規 二郎,,1,1950-02-03,,99,,,,,,,"
bad p_kana patients "3:3: kana: 'しんき' is not full-width katakana" "$PH" "$OKP" "N0002,新規 二郎,しんき,1,1950-02-03,,01,,,,,,,"
bad p_dup_key patients "4:1: patient_key: duplicate key (N0001), first on line 2" "$PH" "$OKP" "N0003,新規 三郎,,1,1950-02-03,,01,,,,,,," "N0001,新規 一郎,,1,1950-01-01,,01,,,,,,,"
bad p_key_form patients "3:1: patient_key: 'N 0002' is not a patient key" "$PH" "$OKP" "N 0002,新規 二郎,,1,1950-02-03,,01,,,,,,,"
bad p_unknown_column patients "1:3: header: unknown column 'nickname' for patients" "patient_key,name,nickname,sex,birth" "N0002,新規 二郎,じろ,1,1950-02-03"
bad p_dup_column patients "1:3: header: column 'name' appears twice (also column 2)" "patient_key,name,name,sex,birth" "N0002,a,b,1,1950-02-03"
bad p_missing_column patients "1:4: header: required column 'birth' is missing" "patient_key,name,sex" "N0002,新規 二郎,1"
bad p_field_count patients "3:5: row has 4 fields, the header has 5" "patient_key,name,sex,birth,kana" "N0002,新規 二郎,1,1950-02-03,シンキ" "N0003,新規 三郎,1,1950-02-03"
bad p_blank_header patients "1:1: the first line is empty" "" "N0002,新規 二郎,1,1950-02-03"
: >"$T/p_empty.csv"
(cd "$T" && $HOUKAN import --db "$DB" patients p_empty.csv) >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && pass "p_empty: exit 1" || fail "p_empty: exit 1" "exit $rc"
expect_grep "p_empty: message" "$T/err" "p_empty.csv:1:1: empty file"
printf 'patient_key,name,sex,birth\nN0002,\377\376,1,1950-02-03\n' >"$T/p_utf8.csv"
dbdump "$DB" >"$T/d1"
(cd "$T" && $HOUKAN import --db "$DB" patients p_utf8.csv) >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] && pass "p_utf8: exit 1" || fail "p_utf8: exit 1" "exit $rc"
expect_grep "p_utf8: message" "$T/err" "p_utf8.csv:2:2: name: not valid UTF-8"
dbdump "$DB" >"$T/d2"; expect_same "p_utf8: database unchanged" "$T/d1" "$T/d2"

CH="patient_key,type,insurer,symbol,number,branch,kind,person,ratio,payer,recipient,monthly_cap,valid_from,valid_to"
OKC="P0001,insurance,01130012,99,12345,00,shaho,honnin,30,,,,2024-06-01,"
bad c_insurer_check coverages "3:3: insurer: '06132014': check digit is 4, should be 3" "$CH" "$OKC" "P0002,insurance,06132014,1,2,,shaho,honnin,30,,,,2024-06-01,"
bad c_kokuho_check coverages "3:3: insurer: '131012': check digit is 2, should be 1" "$CH" "$OKC" "P0002,insurance,131012,1,2,,kokuho,honnin,30,,,,2024-06-01,"
bad c_insurer_len coverages "3:3: insurer: '0113001': 保険者番号 must be 8 digits (or 6 digits for 国保)" "$CH" "$OKC" "P0002,insurance,0113001,1,2,,shaho,honnin,30,,,,2024-06-01,"
bad c_payer_check coverages "3:10: payer: '54130217': check digit is 7, should be 6" "$CH" "$OKC" "P0002,public,,,,,,,,54130217,1234566,5000,2024-06-01,"
bad c_kouki_number coverages "3:5: number: '12345675': check digit is 5, should be 4" "$CH" "$OKC" "P0003,insurance,39130000,,12345675,,kouki,kourei,10,,,,2024-06-01,"
bad c_kouki_law coverages "3:3: insurer: '01130012': kind=kouki needs a 後期高齢者医療広域連合 number (法別 39)" "$CH" "$OKC" "P0003,insurance,01130012,,12345674,,kouki,kourei,10,,,,2024-06-01,"
bad c_unknown_patient coverages "3:1: patient_key: no patient 'P9999' in the database" "$CH" "$OKC" "P9999,insurance,01130012,1,2,,shaho,honnin,30,,,,2024-06-01,"
bad c_ratio_code coverages "3:9: ratio: '40' is not a code of patient shares" "$CH" "$OKC" "P0002,insurance,01130012,1,2,,shaho,honnin,40,,,,2024-06-01,"
bad c_ratio_person coverages "3:9: ratio: 30: person mishuugaku (未就学者) pays 20 percent" "$CH" "$OKC" "P0004,insurance,01130012,1,2,,shaho,mishuugaku,30,,,,2024-06-01,"
bad c_kind_code coverages "3:7: kind: 'kenpo' is not a code of insurance kinds" "$CH" "$OKC" "P0002,insurance,01130012,1,2,,kenpo,honnin,30,,,,2024-06-01,"
bad c_to_before_from coverages "3:14: valid_to: 2024-05-31 is before valid_from 2024-06-01" "$CH" "$OKC" "P0002,insurance,01130012,1,2,,shaho,honnin,30,,,,2024-06-01,2024-05-31"
bad c_public_with_insurer coverages "3:3: insurer: only for type=insurance" "$CH" "$OKC" "P0002,public,01130012,,,,,,,54130216,1234566,,2024-06-01,"
bad c_insurance_no_number coverages "3:5: number: required for type=insurance" "$CH" "$OKC" "P0002,insurance,01130012,1,,,shaho,honnin,30,,,,2024-06-01,"
bad c_dup_key coverages "3:13: valid_from: duplicate key (insurance patient_key=P0001 insurer=01130012 number=12345 valid_from=2024-06-01), first on line 2" "$CH" "$OKC" "$OKC"
bad c_monthly_cap coverages "3:12: monthly_cap: 'abc' is not a whole number" "$CH" "$OKC" "P0002,public,,,,,,,,54130216,1234566,abc,2024-06-01,"
# 受給者番号 check digit: a warning, the file is imported
printf '%s\n' "$CH" "P0002,public,,,,,,,,54130216,1234567,3000,2024-07-01," >"$T/c_recipient.csv"
(cd "$T" && $HOUKAN import --db "$DB" coverages c_recipient.csv) >"$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 0 ] && pass "c_recipient: warning only, exit 0" || fail "c_recipient: exit 0" "exit $rc $(cat "$T/err")"
expect_grep "c_recipient: warning names the position" "$T/err" "c_recipient.csv:2:11: warning: recipient: '1234567': 受給者番号 check digit is 7, expected 6"
[ "$(sql "$DB" "select count(*) from public_coverage where recipient='1234567'")" = 1 ] && pass "c_recipient: imported" || fail "c_recipient: imported" "not in database"

IH="patient_key,kind,valid_from,valid_to,inst_pref,inst_code,inst_name,doctor,disease_name,condition"
OKI="P0001,01,2024-10-01,2025-03-31,13,1234567,架空内科クリニック,佐々木 一,慢性心不全,状態観察。"
bad i_kind_code instructions "3:2: kind: '07' is not a code of 別表12" "$IH" "$OKI" "P0002,07,2024-06-01,2024-06-10,13,1234567,架空,医師,病名,状態"
bad i_special_14 instructions "3:4: valid_to: a 特別 instruction (kind 02) lasts at most 14 days, this one 15" "$IH" "$OKI" "P0002,02,2024-06-01,2024-06-15,13,1234567,架空,医師,病名,状態"
bad i_to_before_from instructions "3:4: valid_to: 2024-05-01 is before valid_from 2024-06-01" "$IH" "$OKI" "P0002,01,2024-06-01,2024-05-01,13,1234567,架空,医師,病名,状態"
bad i_pref instructions "3:5: inst_pref: '48' is not a code of 別表2" "$IH" "$OKI" "P0002,01,2024-06-01,2024-07-01,48,1234567,架空,医師,病名,状態"
bad i_inst_code instructions "3:6: inst_code: '123456' must be exactly 7 digits" "$IH" "$OKI" "P0002,01,2024-06-01,2024-07-01,13,123456,架空,医師,病名,状態"
bad i_unknown_patient instructions "3:1: patient_key: no patient 'Q1' in the database" "$IH" "$OKI" "Q1,01,2024-06-01,2024-07-01,13,1234567,架空,医師,病名,状態"
bad i_no_condition instructions "3:10: condition: required, must not be empty" "$IH" "$OKI" "P0002,01,2024-06-01,2024-07-01,13,1234567,架空,医師,病名,"
bad i_dup_key instructions "3:3: valid_from: duplicate key (patient_key=P0001 kind=01 valid_from=2024-10-01), first on line 2" "$IH" "$OKI" "$OKI"
bad i_diseases instructions "2:3: diseases: '099' (at character 1) is not a code of 別表14" "patient_key,kind,diseases,valid_from,valid_to,inst_pref,inst_code,inst_name,doctor,disease_name,condition,disease_flag" "P0002,01,099,2024-06-01,2024-07-01,13,1234567,架空,医師,病名,状態,01"

VH="patient_key,date,start_time,end_time,staff,staff2,multi_staff,emergency"
OKV="P0001,2024-06-24,09:30,10:30,03,,,0"
bad v_end_before_start visits "3:4: end_time: 09:00 is not after start_time 09:30" "$VH" "$OKV" "P0001,2024-06-25,09:30,09:00,03,,,0"
bad v_staff_code visits "3:5: staff: '11' is not a code of 別表20" "$VH" "$OKV" "P0001,2024-06-25,09:30,10:00,11,,,0"
bad v_bad_time visits "3:3: start_time: '9:30' is not a time" "$VH" "$OKV" "P0001,2024-06-25,9:30,10:00,03,,,0"
bad v_bad_date visits "3:2: date: '2024-06-31' is not a date" "$VH" "$OKV" "P0001,2024-06-31,09:30,10:00,03,,,0"
bad v_unknown_patient visits "3:1: patient_key: no patient 'P0099' in the database" "$VH" "$OKV" "P0099,2024-06-25,09:30,10:00,03,,,0"
bad v_dup_key visits "3:3: start_time: duplicate key (patient_key=P0001 date=2024-06-24 start_time=09:30), first on line 2" "$VH" "$OKV" "P0001,2024-06-24,09:30,11:00,07,,,0"
bad v_multi_no_staff2 visits "3:6: staff2: required when multi_staff is 1" "$VH" "$OKV" "P0001,2024-06-25,09:30,10:00,03,,1,0"
bad v_flag visits "3:8: emergency: '2' is not a code of flags" "$VH" "$OKV" "P0001,2024-06-25,09:30,10:00,03,,,2"
bad v_missing_staff visits "3:5: staff: required, must not be empty" "$VH" "$OKV" "P0001,2024-06-25,09:30,10:00,,,,0"

# several problems: one line each, in file order within a row
printf '%s\n' "$VH" "P0001,2024-06-31,9:30,10:00,11,,,0" >"$T/v_many.csv"
(cd "$T" && $HOUKAN import --db "$DB" visits v_many.csv) >"$T/out" 2>"$T/err"
[ "$(grep -c '^v_many.csv:2:' "$T/err")" = 3 ] && pass "v_many: three problems, three lines" || fail "v_many" "$(cat "$T/err")"
