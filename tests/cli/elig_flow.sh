# オンライン資格確認: requests for a month, results into coverage history, the report.
# Expected values follow docs/eligibility.md (rules) and DIGEST §5 (elements).
. "$SRC/tests/lib.sh"
db="$T/st.db"
C="$SRC/tests/corpus/eligibility/good"
"$HOUKAN" init --db "$db" --station-code 1234567 --pref 13 --name "テスト訪問看護" --online-eligibility --hold-unconfirmed >/dev/null
sql "$db" "INSERT INTO patient(patient_key,name,sex,birth,visit_start) VALUES
 ('P0001','試験一',1,'1950-04-01','2026-01-10'),('P0002','試験二',2,'1960-05-05','2026-12-02'),
 ('P0003','試験三',1,'1940-01-01','2025-01-01');
INSERT INTO coverage(patient_id,insurer,symbol,number,branch,kind,person,ratio,valid_from) VALUES
 (1,'01130012','1234','5678','01','shaho','honnin',30,'2020-04-01'),(3,'39130000',NULL,'12345678',NULL,'kouki','kourei',10,'2015-01-01');
UPDATE patient SET end_date='2026-12-20' WHERE id=3;
INSERT INTO visit(patient_id,date,start_time,end_time,staff) VALUES
 (1,'2026-12-03','10:00','11:00','01'),(1,'2026-12-10','10:00','11:00','01'),(2,'2026-12-02','10:00','11:00','01'),
 (3,'2026-12-05','10:00','11:00','01'),(1,'2027-01-07','10:00','11:00','01'),(2,'2027-01-08','10:00','11:00','01');"

# --- requests
expect_rc request_ok 0 "$HOUKAN" eligibility request --db "$db" --month 2026-12 --out "$T/req"
expect_grep request_counts "$T/out" "4 files: 一括照会 2, 同意済資格情報一括取得 1, 照会番号登録 2, 同意取消 1"
b="$T/req/ELIG_BULKQUERY_1361234567_202612.xml"
[ -f "$b" ] && pass bulk_file_named || fail bulk_file_named "$(ls "$T/req")"
# P0001 (has coverage) and P0003; P0002 (no coverage yet) is not in the bulk query
expect_grep bulk_p1 "$b" "<ArbitraryIdentifier>P0001</ArbitraryIdentifier>"
expect_grep bulk_p1_date "$b" "<QualificationConfirmationDate>20261203</QualificationConfirmationDate>"
expect_nogrep bulk_no_p2 "$b" "P0002"
# new patient: 同意年月日 = 訪問開始, 受診年月日 = first visit of the month
cf="$T/req/ELIG_CONSENTFETCH_1361234567_202612.xml"
expect_grep consent_date "$cf" "<ConsentDate>20261202</ConsentDate>"
expect_grep consent_visit "$cf" "<ExaminationDate>20261202</ExaminationDate>"
# 訪問終了 2026-12-20: 同意取消 for P0003 only
cc="$T/req/ELIG_CONSENTCANCEL_1361234567_202612.xml"
expect_grep cancel_p3 "$cc" "<ArbitraryIdentifier>P0003</ArbitraryIdentifier>"
expect_nogrep cancel_not_p1 "$cc" "P0001"
if command -v xmllint >/dev/null 2>&1; then
	if xmllint --noout "$T"/req/*.xml 2>"$T/x"; then pass requests_well_formed; else fail requests_well_formed "$(cat "$T/x")"; fi
fi
expect_rc request_bad_month 2 "$HOUKAN" eligibility request --db "$db" --month 2026-13 --out "$T/req2"
expect_rc request_needs_out 2 "$HOUKAN" eligibility request --db "$db" --month 2026-12

# --- ingest
expect_rc ingest_ok 0 "$HOUKAN" ingest --db "$db" "$C/bulk_202612.xml"
expect_grep ingest_summary "$T/out" "3 results: 3 matched, 0 unmatched; coverage 1 added, 1 updated, 1 closed"
# P0001: 枝番 from the result, 家族, 限度額 A03; same coverage row
[ "$(sql "$db" "SELECT branch||','||person||','||ratio||','||limit_class||','||source FROM coverage WHERE patient_id=1")" = "02,kazoku,30,A03,import" ] \
	&& pass cov_refreshed || fail cov_refreshed "$(sql "$db" 'SELECT * FROM coverage WHERE patient_id=1')"
# P0002: first coverage from the result, valid from InsuredCardValidDate
[ "$(sql "$db" "SELECT insurer||','||symbol||','||number||','||valid_from||','||source FROM coverage WHERE patient_id=2")" = "06132013,７７,246,2026-11-01,eligibility" ] \
	&& pass cov_added || fail cov_added "$(sql "$db" 'SELECT * FROM coverage WHERE patient_id=2')"
# P0003: 無効, ends at InsuredCardExpirationDate
[ "$(sql "$db" "SELECT valid_to FROM coverage WHERE patient_id=3")" = "2026-12-04" ] \
	&& pass cov_closed || fail cov_closed "$(sql "$db" 'SELECT * FROM coverage WHERE patient_id=3')"
[ "$(sql "$db" "SELECT count(*)||','||sum(validity) FROM eligibility")" = "3,4" ] && pass history_rows || fail history_rows "$(sql "$db" 'SELECT * FROM eligibility')"
[ "$(sql "$db" "SELECT specific_disease FROM eligibility WHERE query_no='P0002'")" = "1" ] && pass specific_disease || fail specific_disease "not 1"
[ "$(sql "$db" "SELECT kouki_ratio FROM eligibility WHERE query_no='P0003'")" = "10" ] && pass kouki_ratio || fail kouki_ratio "not 10"

# the same file again: nothing changes
dbdump "$db" >"$T/before"
expect_rc reingest_ok 0 "$HOUKAN" ingest --db "$db" "$C/bulk_202612.xml"
expect_grep reingest_noop "$T/out" "already ingested"
dbdump "$db" >"$T/after"
expect_same reingest_unchanged "$T/before" "$T/after"

# Shift_JIS gives the same coverage and history as UTF-8 (PRACTICES 16)
db2="$T/sj.db"
cp "$db" "$db2"
sql "$db2" "DELETE FROM eligibility; DELETE FROM notice; DELETE FROM coverage WHERE source='eligibility';
 UPDATE coverage SET branch='01', person='honnin', limit_class=NULL WHERE patient_id=1; UPDATE coverage SET valid_to=NULL WHERE patient_id=3;"
expect_rc ingest_sjis 0 "$HOUKAN" ingest --db "$db2" "$C/bulk_202612_sjis.xml"
q="SELECT * FROM coverage ORDER BY id; SELECT patient_id,query_no,confirmed_on,validity,insurer,symbol,number,branch,person,ratio,kouki_ratio,limit_class,specific_disease,valid_from,valid_to FROM eligibility ORDER BY id"
sql "$db" "$q" >"$T/u8"; sql "$db2" "$q" >"$T/sj"
expect_same sjis_same_answer "$T/u8" "$T/sj"

# --- report for December
expect_rc report_ok 0 "$HOUKAN" eligibility report --db "$db" --month 2026-12
# P0003 visited on 12-05, after the coverage ended on 12-04: no coverage, held (hold_unconfirmed)
expect_grep report_no_cov "$T/out" "$(printf '2026-12-05\tP0003\tno-coverage\tclerk\tno coverage valid on the visit date; held back from the claim')"
expect_grep report_lost "$T/out" "$(printf '2026-12-15\tP0003\tcoverage-lost\tclerk')"
expect_grep report_first "$T/out" "$(printf '2026-12-15\tP0001\tfirst-confirmation\tinfo')"
expect_nogrep report_p1_visits_confirmed "$T/out" "$(printf 'P0001\tno-')"
expect_grep report_summary "$T/out" "2026-12: 4 findings, 2 need a clerk"

# --- January: insurer changed (linked by 照会番号), ratio changed, unmatched, 該当資格なし
cat >"$T/jan.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<XmlMsg><MessageHeader><QualificationConfirmationDate>20270106</QualificationConfirmationDate><CharacterCodeIdentifier>0</CharacterCodeIdentifier></MessageHeader>
<MessageBody><ResultList>
<ResultOfQualificationConfirmation><QualificationValidity>1</QualificationValidity><ArbitraryIdentifier>P0001</ArbitraryIdentifier>
 <InsurerNumber>131011</InsurerNumber><InsuredCardSymbol>国</InsuredCardSymbol><InsuredIdentificationNumber>777</InsuredIdentificationNumber><InsuredBranchNumber>01</InsuredBranchNumber>
 <Birthdate>19500401</Birthdate><InsuredCardValidDate>20270101</InsuredCardValidDate></ResultOfQualificationConfirmation>
<ResultOfQualificationConfirmation><QualificationValidity>1</QualificationValidity><ArbitraryIdentifier>P0002</ArbitraryIdentifier>
 <InsurerNumber>06132013</InsurerNumber><InsuredCardSymbol>７７</InsuredCardSymbol><InsuredIdentificationNumber>246</InsuredIdentificationNumber><InsuredBranchNumber>00</InsuredBranchNumber>
 <PersonalFamilyClassification>1</PersonalFamilyClassification><Birthdate>19600505</Birthdate><InsuredCardValidDate>20261101</InsuredCardValidDate>
 <ElderlyRecipientCertificateInfo><ElderlyRecipientContributionRatio>20</ElderlyRecipientContributionRatio></ElderlyRecipientCertificateInfo></ResultOfQualificationConfirmation>
<ResultOfQualificationConfirmation><QualificationValidity>1</QualificationValidity><ArbitraryIdentifier>NOBODY</ArbitraryIdentifier>
 <InsurerNumber>01131234</InsurerNumber><InsuredIdentificationNumber>1</InsuredIdentificationNumber></ResultOfQualificationConfirmation>
</ResultList></MessageBody></XmlMsg>
XML
cat >"$T/notfound.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<XmlMsg><MessageHeader><QualificationConfirmationDate>20270107</QualificationConfirmationDate></MessageHeader>
<MessageBody><ProcessingResultStatus>1</ProcessingResultStatus><QualificationValidity>4</QualificationValidity>
<QualificationConfirmSearchInfo><InsurerNumber>01130012</InsurerNumber><InsuredIdentificationNumber>5678</InsuredIdentificationNumber><Birthdate>19500401</Birthdate><ArbitraryIdentifier>P0001</ArbitraryIdentifier></QualificationConfirmSearchInfo>
</MessageBody></XmlMsg>
XML
mkdir "$T/in"; cp "$T/jan.xml" "$T/notfound.xml" "$T/in/"; printf 'HH,1,13\n' >"$T/in/zz_unknown.csv"
expect_rc folder_partly_refused 1 "$HOUKAN" ingest --db "$db" "$T/in"
expect_grep folder_unknown_kind "$T/err" "zz_unknown.csv: unknown kind of file"
expect_grep folder_jan_taken "$T/out" "jan.xml: eligibility: 3 results: 2 matched, 1 unmatched"
expect_grep folder_nf_taken "$T/out" "notfound.xml: eligibility: 1 results: 1 matched"
[ "$(sql "$db" "SELECT valid_to FROM coverage WHERE patient_id=1 AND insurer='01130012'")" = "2026-12-31" ] \
	&& pass insurer_change_closes_old || fail insurer_change_closes_old "$(sql "$db" 'SELECT * FROM coverage WHERE patient_id=1')"
[ "$(sql "$db" "SELECT kind||','||valid_from FROM coverage WHERE patient_id=1 AND insurer='131011'")" = "kokuho,2027-01-01" ] \
	&& pass insurer_change_new_cov || fail insurer_change_new_cov "$(sql "$db" 'SELECT * FROM coverage WHERE patient_id=1')"
[ "$(sql "$db" "SELECT person||','||ratio FROM coverage WHERE patient_id=2")" = "kourei,20" ] \
	&& pass elderly_ratio || fail elderly_ratio "$(sql "$db" 'SELECT * FROM coverage WHERE patient_id=2')"
expect_rc report_jan 0 "$HOUKAN" eligibility report --db "$db" --month 2027-01 --clerk-only
expect_grep jan_insurer "$T/out" "$(printf '2027-01-06\tP0001\tinsurer-changed\tclerk\t01130012/5678 -> 131011/777')"
expect_grep jan_ratio "$T/out" "$(printf '2027-01-06\tP0002\tratio-changed\tclerk\t負担割合 30%% -> 20%%')"
expect_grep jan_unmatched "$T/out" "$(printf '2027-01-06\t-\tunmatched\tclerk')"
expect_grep jan_notfound "$T/out" "$(printf '2027-01-07\tP0001\tnot-found\tclerk')"
expect_nogrep jan_clerk_only "$T/out" "$(printf '\tinfo\t')"
# both January visits are covered by the 2027-01-06 results
expect_nogrep jan_visits_confirmed "$T/out" "no-co"
[ "$(sql "$db" "SELECT count(*) FROM audit_log WHERE command='ingest'")" -ge 4 ] && pass audited || fail audited "no audit rows"
