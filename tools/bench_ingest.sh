#!/bin/sh
# bench_ingest.sh HOUKAN [MIB] [FILES] - ingest speed of result files (issue 6).
# Makes a station with 1,000,000 receipts (100,000 patients x 10 months, each
# with a 検索番号), generates about MIB MiB (default 2048) of results - FILES
# 増減点連絡書 CSVs (CP932; per receipt one detail row and fill-down rows), one
# returned file (返戻) and one 振替・分割 file - and ingests them with
# `houkan ingest`, first a quarter of the set, then the whole set (time must be
# linear in size), printing rows/s applied and peak RSS.  Reference in the same
# run: the time to read the same bytes (cat > /dev/null) and to SHA-256 them.
# Target: >= 300,000 rows/s, peak RSS < 64 MiB.  Exit 1 if missed.
# Needs sqlite3, awk and GNU time (/usr/bin/time).
set -eu
H=${1:?usage: bench_ingest.sh HOUKAN [MIB] [FILES]}
MIB=${2:-2048}
F=${3:-16}
case $H in /*) ;; *) H="$(pwd)/$H" ;; esac
W=$(mktemp -d "${TMPDIR:-/tmp}/houkan-bench-ingest-XXXXXX")
trap 'rm -rf "$W"' EXIT
export HOUKAN_NOW=2026-12-20T00:00:00Z LC_ALL=C
P=100000 M=10
"$H" init --db "$W/st.db" --station-code 1234567 --pref 13 --name bench >/dev/null
sqlite3 "$W/st.db" "
PRAGMA journal_mode=WAL;
INSERT INTO claim_run(id, service_month, claim_month, state, started) VALUES (1, '2026-01', '2026-02', 'done', '2026-02-01T00:00:00Z');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $P)
INSERT INTO patient(id, patient_key, name, sex, birth) SELECT i, printf('B%07d', i), 'bench', 1 + i % 2, '1950-04-01' FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $P)
INSERT INTO coverage(id, patient_id, insurer, number, kind, person, ratio, valid_from)
  SELECT i, i, '01130012', printf('%d', i), 'shaho', 'honnin', 30, '2020-04-01' FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $P * $M - 1)
INSERT INTO receipt(run_id, patient_id, service_month, body, receipt_no, receipt_type, coverage_id, record_key, search_no,
  total, patient_share, state)
  SELECT 1, 1 + i % $P, printf('2026-%02d', 1 + i / $P), 1, 1 + i, '6112', 1 + i % $P,
    printf('B%07d-26%02dA', 1 + i % $P, 1 + i / $P), printf('9%019d', i), 50000, 15000, 'accepted' FROM n;" >/dev/null
mkdir "$W/all" "$W/quarter"
# 増減点連絡書: per receipt a detail row (kind 3) with its keys and 4 fill-down rows (kind 4)
awk -v mib="$MIB" -v files="$F" -v dir="$W/all" -v P=$P -v M=$M 'BEGIN {
	per = mib * 1048576 / files; r = 0
	title = "2,指定訪問看護年月,レセプト番号,受付番号,予備,特別審査委員会,明細種別,保険者番号,予備,第一公費負担者番号,第二公費負担者番号,第三公費負担者番号,第四公費負担者番号,区分,高額療養費負担区分,職務上の事由,予備,氏名,訪問看護記録番号等,箇所１,箇所２,法別番号,増減金額,事由,負担（請求内容）,請求内容,負担（補正・査定後内容）,補正・査定後内容,検索番号,請求情報"
	for (f = 0; f < files; f++) {
		out = sprintf("%s/zogn_%03d.csv", dir, f); bytes = 0; n = 0; tot = 0
		printf "1,202612,1,,1234567\r\n%s\r\n", title > out
		while (bytes < per) {
			i = r % (P * M); r++
			m = 1 + int(i / P); p = 1 + i % P
			line = sprintf("3,2026%02d,%d,,,,,01130012,,,,,,,,,,,B%07d-26%02dA,,,,-120,B,,KIHON,,,9%019d,", m, p, p, m, i)
			printf "%s\r\n", line > out; bytes += length(line) + 2; n++; tot -= 120
			for (k = 0; k < 4; k++) {
				line = sprintf("4,,,,,,,,,,,,,,,,,,,,,,-%d,D,,KASAN%d,,,,", 10 + k, k)
				printf "%s\r\n", line > out; bytes += length(line) + 2; n++; tot -= 10 + k
			}
		}
		printf "6,202612,%d,%d\r\n", n, tot > out
		close(out)
	}
}'
# 返戻: 20,000 returned receipts; 振替・分割: 20,000 results
awk -v dir="$W/all" 'BEGIN {
	out = dir "/RECEIPTH.HEN"
	printf "HH,1,13,6,1234567,bench,202602,\r\n" > out
	for (i = 0; i < 20000; i++) {
		p = 1 + i; re = sprintf("RE,%d,6112,202601,bench,,1,19500401,,,,,,B%07d-2601A,9%019d", p, p, i)
		printf "%s\r\nHO,01130012,,%d,1,50000,,,,,,\r\nKA,20260105,1,510000110,,5550,03,01,01\r\nHR,202603,1,L3129,X\r\n", re, p > out
		printf "8,1,0,%s\r\n8,2,0,HR,202603,1,L3129,X\r\n", re > out
	}
	printf "HG,20000,0\r\n\032" > out; close(out)
	out = dir "/furikae.csv"
	printf "区分,指定訪問看護年月,レセプト番号,検索番号,訪問看護記録番号等,旧保険者番号,新保険者番号,分割年月日,金額\r\n" > out
	for (i = 100000; i < 120000; i++)
		printf "振替,202602,%d,9%019d,,01130012,06132013,,0\r\n", 1 + i % 100000, i > out
	close(out)
}'
for f in "$W"/all/*.csv "$W"/all/*.HEN; do iconv -f UTF-8 -t CP932 "$f" > "$f.x" && mv "$f.x" "$f"; done
q=$((F / 4)); [ "$q" -ge 1 ] || q=1
for f in $(ls "$W"/all/zogn_*.csv | head -n "$q"); do cp "$f" "$W/quarter/"; done
rows() { # data rows in the files (everything but headers, titles and totals)
	cat "$@" | awk -F, '/^(3|4),/ {n++} /^(振替|分割),/ {n++} /^RE,/ {n++} END {print n}'
}
bytes=$(cat "$W"/all/* | wc -c)
t0=$(date +%s.%N); cat "$W"/all/* > /dev/null; t1=$(date +%s.%N)
sha256sum "$W"/all/* > /dev/null; t2=$(date +%s.%N)
ref_read=$(echo "$t1 $t0" | awk '{print $1 - $2}') ref_sha=$(echo "$t2 $t1" | awk '{print $1 - $2}')
run() { # run DIR LABEL
	cp "$W/st.db" "$W/run.db"
	/usr/bin/time -f '%e %M' -o "$W/time" "$H" ingest --db "$W/run.db" "$1" >"$W/out" 2>&1 || { cat "$W/out" >&2; exit 1; }
	read -r secs kb <"$W/time"
	n=$(sqlite3 "$W/run.db" "SELECT count(*) FROM notice_item")
	nb=$(cat "$1"/* | wc -c)
	echo "$2 $n $nb $secs $kb"
}
set -- $(run "$W/quarter" quarter)
q_rows=$2 q_bytes=$3 q_secs=$4 q_kb=$5
set -- $(run "$W/all" all)
a_rows=$2 a_bytes=$3 a_secs=$4 a_kb=$5
matched=$(sqlite3 "$W/run.db" "SELECT count(*) FROM notice_item WHERE receipt_id IS NOT NULL")
awk -v qr="$q_rows" -v qb="$q_bytes" -v qs="$q_secs" -v qk="$q_kb" -v ar="$a_rows" -v ab="$a_bytes" -v as="$a_secs" \
    -v ak="$a_kb" -v m="$matched" -v rr="$ref_read" -v rs="$ref_sha" 'BEGIN {
	qrate = qs > 0 ? qr / qs : qr; arate = as > 0 ? ar / as : ar
	printf "reference: reading %.0f MiB takes %.2f s (%.0f MiB/s), SHA-256 %.2f s\n", ab / 1048576, rr, ab / 1048576 / (rr > 0 ? rr : 1), rs
	printf "quarter: %d rows, %.0f MiB: %.2f s, %.0f rows/s, peak RSS %.1f MiB\n", qr, qb / 1048576, qs, qrate, qk / 1024
	printf "all:     %d rows (%d matched), %.0f MiB: %.2f s, %.0f rows/s, peak RSS %.1f MiB\n", ar, m, ab / 1048576, as, arate, ak / 1024
	lin = (as / ab) / (qs / qb)
	printf "time per byte, all / quarter: %.2f (1.00 = linear)\n", lin
	ok = arate >= 300000 && ak < 65536 && qk < 65536 && lin < 1.5
	printf "target >= 300000 rows/s, < 64 MiB, linear: %s\n", ok ? "met" : "MISSED"
	exit ok ? 0 : 1 }'
