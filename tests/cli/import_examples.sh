#!/bin/sh
# houkan import: the documented example files import cleanly, in order, and
# re-importing them changes nothing; an edited row is updated in place.
. "$SRC/tests/lib.sh"
DB=$T/st.db
$HOUKAN init --db "$DB" --station-code 1312345 --pref 13 --name "架空訪問看護ステーション" >/dev/null 2>&1
EX=$SRC/docs/examples

for k in patients coverages instructions visits; do
	expect_rc "import example $k" 0 $HOUKAN import --db "$DB" $k "$EX/$k.csv"
	n=$(($(grep -c '' "$EX/$k.csv") - 1))
	expect_grep "example $k: all $n rows added" "$T/out" "$n rows: $n added, 0 updated, 0 unchanged"
done
[ "$(sql "$DB" 'select count(*) from patient')" = 7 ] && pass "7 patients" || fail "7 patients" "$(sql "$DB" 'select count(*) from patient')"
[ "$(sql "$DB" 'select count(*) from coverage')/$(sql "$DB" 'select count(*) from public_coverage')" = 7/3 ] \
	&& pass "7 insurance + 3 公費 rows" || fail "coverage split" "$(sql "$DB" 'select count(*) from coverage')"
# values land in the right columns (checked against docs/examples by hand)
[ "$(sql "$DB" "select p.name||'|'||c.insurer||'|'||c.kind||'|'||c.ratio from coverage c join patient p on p.id=c.patient_id where p.patient_key='P0003'")" = "髙橋 一郎|39130000|kouki|10" ] \
	&& pass "P0003 後期 coverage" || fail "P0003 後期 coverage" "$(sql "$DB" "select * from coverage where patient_id=3")"
[ "$(sql "$DB" "select place_text from patient where patient_key='P0007'")" = 'サービス付き高齢者向け住宅 "ひだまり"' ] \
	&& pass "quoted CSV field" || fail "quoted CSV field" "$(sql "$DB" "select place_text from patient where patient_key='P0007'")"
[ "$(sql "$DB" "select multi_staff||staff2 from visit v join patient p on p.id=v.patient_id where p.patient_key='P0004' and date='2024-06-10'")" = "103" ] \
	&& pass "two-staff visit" || fail "two-staff visit" "$(sql "$DB" 'select * from visit where patient_id=4')"
[ "$(sql "$DB" "select count(*) from import_log")" = 4 ] && pass "import_log has 4 files" || fail "import_log" "$(sql "$DB" 'select * from import_log')"
[ "$(sql "$DB" "select count(*) from audit_log where command like 'import %' and result like 'ok%'")" = 4 ] \
	&& pass "audit log records imports" || fail "audit log" "$(sql "$DB" 'select * from audit_log')"
[ "$(sql "$DB" "select count(*) from audit_log where input_sha256 is null and command like 'import%'")" = 0 ] \
	&& pass "audit log has digests" || fail "audit digests" "$(sql "$DB" 'select * from audit_log')"

dbdump "$DB" >"$T/before"
for k in patients coverages instructions visits; do
	n=$(($(grep -c '' "$EX/$k.csv") - 1))
	expect_rc "re-import $k" 0 $HOUKAN import --db "$DB" $k "$EX/$k.csv"
	expect_grep "re-import $k: all unchanged" "$T/out" "$n rows: 0 added, 0 updated, $n unchanged"
done
dbdump "$DB" >"$T/after"
expect_same "re-import leaves the database unchanged" "$T/before" "$T/after"

# one changed row (P0002's visit end time) is updated in place, the rest unchanged
sed 's/^P0002,2024-06-04,14:00,15:00,/P0002,2024-06-04,14:00,15:10,/' "$EX/visits.csv" >"$T/visits2.csv"
id_before=$(sql "$DB" "select v.id from visit v join patient p on p.id=v.patient_id where p.patient_key='P0002' and date='2024-06-04' and start_time='14:00'")
expect_rc "import edited visits" 0 $HOUKAN import --db "$DB" visits "$T/visits2.csv"
expect_grep "edited row counted as updated" "$T/out" "16 rows: 0 added, 1 updated, 15 unchanged"
[ "$(sql "$DB" "select id||' '||end_time from visit where id=$id_before")" = "$id_before 15:10" ] \
	&& pass "updated in place (same id)" || fail "updated in place" "$(sql "$DB" "select * from visit where id=$id_before")"

# visits before their patients exist: rejected, nothing written
DB2=$T/st2.db
$HOUKAN init --db "$DB2" --station-code 1312345 --pref 13 --name "架空" >/dev/null 2>&1
expect_rc "visits before patients rejected" 1 $HOUKAN import --db "$DB2" visits "$EX/visits.csv"
expect_grep "names the unknown patient" "$T/err" "visits.csv:2:1: patient_key: no patient 'P0001' in the database"
[ "$(sql "$DB2" 'select count(*) from visit')" = 0 ] && pass "no visit written" || fail "no visit written" "rows exist"

# usage errors
expect_rc "unknown kind is a usage error" 2 $HOUKAN import --db "$DB" people "$EX/patients.csv"
expect_rc "missing file is an I/O error" 3 $HOUKAN import --db "$DB" patients "$T/nope.csv"
