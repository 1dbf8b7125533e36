#!/bin/sh
# houkan gen: deterministic, realistic counts, and its data passes the import checks.
. "$SRC/tests/lib.sh"

expect_rc "gen seed 42" 0 $HOUKAN gen --db "$T/a.db" --seed 42 --patients 300 --month 2024-06
expect_grep "gen reports counts" "$T/out" "300 patients"
expect_rc "gen seed 42 again" 0 $HOUKAN gen --db "$T/b.db" --seed 42 --patients 300 --month 2024-06
expect_rc "gen seed 43" 0 $HOUKAN gen --db "$T/c.db" --seed 43 --patients 300 --month 2024-06
sqlite3 "$T/a.db" .dump >"$T/a.sql"
sqlite3 "$T/b.db" .dump >"$T/b.sql"
sqlite3 "$T/c.db" .dump >"$T/c.sql"
expect_same "same seed: identical .dump" "$T/a.sql" "$T/b.sql"
if cmp -s "$T/a.sql" "$T/c.sql"; then fail "different seed: different data" "dumps are equal"; else pass "different seed: different data"; fi
# the clock is the only other input: a different HOUKAN_NOW changes station.created and audit_log only
HOUKAN_NOW=2027-01-01T00:00:00Z $HOUKAN gen --db "$T/d.db" --seed 42 --patients 300 --month 2024-06 >/dev/null 2>&1
for t in patient coverage public_coverage instruction visit; do
	sqlite3 "$T/a.db" "select * from $t order by id" >"$T/a.$t"
	sqlite3 "$T/d.db" "select * from $t order by id" >"$T/d.$t"
	expect_same "table $t does not depend on the clock" "$T/a.$t" "$T/d.$t"
done

# ranges (300 patients; generous bounds, the mix is documented in claims/gen.c)
in_range() { # NAME VALUE LO HI
	if [ "$2" -ge "$3" ] && [ "$2" -le "$4" ]; then pass "$1 ($2)"; else fail "$1" "$2 not in $3..$4"; fi
}
A=$T/a.db
in_range "patients" "$(sql "$A" 'select count(*) from patient')" 300 300
in_range "visits per patient x100" "$(sql "$A" 'select count(*)*100/300 from visit')" 800 2000
in_range "後期 share %" "$(sql "$A" "select count(*)*100/300 from coverage where kind='kouki'")" 50 80
in_range "国保 coverages" "$(sql "$A" "select count(*) from coverage where kind='kokuho' and length(insurer)=6")" 10 80
in_range "国保 numbers are 6 digits" "$(sql "$A" "select count(*) from coverage where kind='kokuho' and length(insurer)<>6")" 0 0
in_range "未就学者" "$(sql "$A" "select count(*) from coverage where person='mishuugaku' and ratio=20")" 3 30
in_range "高齢受給者 7割" "$(sql "$A" "select count(*) from coverage where person='kourei7'")" 3 60
in_range "難病 54 with caps" "$(sql "$A" "select count(*) from public_coverage where payer like '54%' and monthly_cap is not null")" 8 50
in_range "生活保護 12 単独 (no insurance)" "$(sql "$A" "select count(*) from public_coverage pc where payer like '12%' and not exists (select 1 from coverage c where c.patient_id=pc.patient_id)")" 0 10
in_range "精神科 instructions (03) with GAF" "$(sql "$A" "select count(*) from instruction i join patient p on p.id=i.patient_id where kind='03' and p.gaf is not null")" 5 40
in_range "特別 instructions of 14 days" "$(sql "$A" "select count(*) from instruction where kind in ('02','04') and julianday(valid_to)-julianday(valid_from)=13")" 5 40
in_range "days with 2+ visits" "$(sql "$A" "select count(*) from (select patient_id, date from visit group by 1,2 having count(*)>=2)")" 20 2000
in_range "emergency visits" "$(sql "$A" 'select count(*) from visit where emergency=1')" 2 100
in_range "long visits" "$(sql "$A" 'select count(*) from visit where long_visit=1')" 2 300
in_range "two-staff visits" "$(sql "$A" 'select count(*) from visit where multi_staff=1 and staff2 is not null')" 20 400
in_range "terminal with death in month" "$(sql "$A" "select count(*) from patient where death_date like '2024-06-%' and end_reason='04'")" 1 20
in_range "mid-month insurer change" "$(sql "$A" "select count(*) from (select patient_id from coverage group by 1 having count(*)=2)")" 1 20
in_range "names outside JIS X 0208" "$(sql "$A" "select count(*) from patient where name glob '*[髙﨑𠮷]*'")" 1 30
in_range "staff 03 share %" "$(sql "$A" "select count(*)*100/(select count(*) from visit) from visit where staff='03'")" 55 85
in_range "visits outside the month" "$(sql "$A" "select count(*) from visit where date not like '2024-06-%'")" 0 0
in_range "visits after death" "$(sql "$A" "select count(*) from visit v join patient p on p.id=v.patient_id where v.date > p.death_date")" 0 0

# everything gen writes passes `houkan import` (export with sqlite3, re-import into a fresh station)
B=$T/re.db
$HOUKAN init --db "$B" --station-code 1312345 --pref 13 --name "再取込" >/dev/null 2>&1
sqlite3 -csv -header "$A" "select patient_key,name,kana,sex,birth,visit_start,place,place_text,end_date,end_time,end_reason,end_text,death_date,death_time,death_place,death_text,gaf,gaf_date,consent_24h from patient order by id" >"$T/p.csv"
sqlite3 -csv -header "$A" "select p.patient_key,'insurance' as type,insurer,symbol,number,branch,kind,person,ratio,limit_class,kougaku,duty,c.valid_from,c.valid_to from coverage c join patient p on p.id=c.patient_id order by c.id" >"$T/c1.csv"
sqlite3 -csv -header "$A" "select p.patient_key,'public' as type,payer,recipient,monthly_cap,c.valid_from,c.valid_to from public_coverage c join patient p on p.id=c.patient_id order by c.id" >"$T/c2.csv"
sqlite3 -csv -header "$A" "select p.patient_key,kind,valid_from,valid_to,inst_pref,inst_table,inst_code,inst_name,doctor,last_report,disease_code,disease_name,condition,disease_flag,diseases from instruction i join patient p on p.id=i.patient_id order by i.id" >"$T/i.csv"
sqlite3 -csv -header "$A" "select p.patient_key,date,start_time,v.end_time,staff,staff2,instruction_kind,emergency,long_visit,multi_staff,terminal,special_mgmt,items,building_count,outing from visit v join patient p on p.id=v.patient_id order by v.id" >"$T/v.csv"
expect_rc "re-import gen patients" 0 $HOUKAN import --db "$B" patients "$T/p.csv"
expect_rc "re-import gen insurance" 0 $HOUKAN import --db "$B" coverages "$T/c1.csv"
expect_rc "re-import gen 公費" 0 $HOUKAN import --db "$B" coverages "$T/c2.csv"
expect_rc "re-import gen instructions" 0 $HOUKAN import --db "$B" instructions "$T/i.csv"
expect_rc "re-import gen visits" 0 $HOUKAN import --db "$B" visits "$T/v.csv"
for t in patient visit; do
	sqlite3 "$B" "select * from $t order by id" >"$T/re.$t"
	expect_same "re-imported $t rows equal gen's" "$T/a.$t" "$T/re.$t"
done

# usage
expect_rc "gen without --seed" 2 $HOUKAN gen --db "$T/e.db" --patients 3 --month 2024-06
expect_rc "gen with a bad month" 2 $HOUKAN gen --db "$T/e.db" --seed 1 --patients 3 --month 2024-13
expect_rc "gen with 0 patients" 2 $HOUKAN gen --db "$T/e.db" --seed 1 --patients 0 --month 2024-06
[ ! -e "$T/e.db" ] && pass "no database left by usage errors" || fail "no database left" "e.db exists"
