#!/bin/sh
# bench_elig.sh HOUKAN [RESULTS] [FILES] - ingest speed of 資格確認 results.
# Generates a station with RESULTS patients (each with a coverage) and RESULTS
# synthetic results spread over FILES files, ingests the folder with
# `houkan ingest` and prints results/second and peak RSS.  Target (issue 7):
# 1,000,000 results at >= 100,000/s with peak RSS < 64 MiB.  Exit 1 if missed.
# Needs sqlite3, awk and GNU time (/usr/bin/time).
set -eu
H=${1:?usage: bench_elig.sh HOUKAN [RESULTS] [FILES]}
N=${2:-1000000}
F=${3:-10}
case $H in /*) ;; *) H="$(pwd)/$H" ;; esac
W=$(mktemp -d "${TMPDIR:-/tmp}/houkan-bench-elig-XXXXXX")
trap 'rm -rf "$W"' EXIT
export HOUKAN_NOW=2026-12-20T00:00:00Z LC_ALL=C
"$H" init --db "$W/st.db" --station-code 1234567 --pref 13 --name bench --online-eligibility >/dev/null
sqlite3 "$W/st.db" "
PRAGMA journal_mode=WAL;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO patient(id, patient_key, name, sex, birth) SELECT i, printf('B%07d', i), 'bench', 1 + i % 2, '1950-04-01' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $N)
INSERT INTO coverage(patient_id, insurer, symbol, number, branch, kind, person, ratio, valid_from)
  SELECT i, '01130012', 'S' || (i % 1000), printf('%d', i), '01', 'shaho', 'honnin', 30, '2020-04-01' FROM n;" >/dev/null
mkdir "$W/in"
awk -v n="$N" -v files="$F" -v dir="$W/in" 'BEGIN {
	per = int((n + files - 1) / files); k = 0
	for (f = 0; f < files && k < n; f++) {
		out = sprintf("%s/result_%03d.xml", dir, f)
		printf "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<XmlMsg><MessageHeader><QualificationConfirmationDate>20261215</QualificationConfirmationDate><MedicalInstitutionCode>1361234567</MedicalInstitutionCode><SegmentOfResult>1</SegmentOfResult><CharacterCodeIdentifier>0</CharacterCodeIdentifier></MessageHeader>\n<MessageBody><ProcessingResultStatus>1</ProcessingResultStatus><ResultList>\n" > out
		for (j = 0; j < per && k < n; j++) {
			k++
			fam = 1 + k % 2; br = sprintf("%02d", k % 3)
			printf "<ResultOfQualificationConfirmation><QualificationValidity>1</QualificationValidity><ArbitraryIdentifier>B%07d</ArbitraryIdentifier><InsuredCardClassification>01</InsuredCardClassification><InsurerNumber>01130012</InsurerNumber><InsuredCardSymbol>S%d</InsuredCardSymbol><InsuredIdentificationNumber>%d</InsuredIdentificationNumber><InsuredBranchNumber>%s</InsuredBranchNumber><PersonalFamilyClassification>%d</PersonalFamilyClassification><Name>試験　太郎</Name><NameKana>ｼｹﾝ ﾀﾛｳ</NameKana><Sex1>1</Sex1><Birthdate>19500401</Birthdate><InsurerName>全国健康保険協会</InsurerName><InsuredCardValidDate>20200401</InsuredCardValidDate></ResultOfQualificationConfirmation>\n", k, k % 1000, k, br, fam > out
		}
		printf "</ResultList></MessageBody></XmlMsg>\n" > out
		close(out)
	}
}'
bytes=$(cat "$W"/in/*.xml | wc -c)
/usr/bin/time -f '%e %M' -o "$W/time" "$H" ingest --db "$W/st.db" "$W/in" >"$W/out"
read -r secs rss_kb <"$W/time"
got=$(sqlite3 "$W/st.db" "SELECT count(*) FROM eligibility")
[ "$got" -eq "$N" ] || { echo "bench_elig: ingested $got of $N results" >&2; exit 1; }
awk -v n="$N" -v s="$secs" -v kb="$rss_kb" -v b="$bytes" -v f="$F" 'BEGIN {
	rate = s > 0 ? n / s : n
	printf "eligibility ingest: %d results in %d files (%.0f MB XML): %.2f s, %.0f results/s, peak RSS %.1f MiB\n", n, f, b / 1048576, s, rate, kb / 1024
	ok = rate >= 100000 && kb < 65536
	printf "target >= 100000 results/s and < 64 MiB: %s\n", ok ? "met" : "MISSED"
	exit ok ? 0 : 1 }'
