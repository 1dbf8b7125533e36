#!/bin/sh
# build_same.sh - does a change to the claim run keep its outputs byte for byte?
#   sh tools/build_same.sh BASE_HOUKAN NEW_HOUKAN [PATIENTS] [SEED]
# Generates one station (cached under ${TMPDIR:-/tmp}/houkan-same-SEED-PATIENTS.db),
# builds June 2024 with both binaries on copies of it, and compares the claim
# files, the patient charges, the report and the recorded receipts.  Exit 0
# when everything is identical.
set -eu
base=$(realpath "$1") new=$(realpath "$2") n=${3:-20000} seed=${4:-7}
export LC_ALL=C TZ=UTC HOUKAN_NOW=2024-07-05T00:00:00Z
export HOUKAN_MASTER_DIR="${HOUKAN_MASTER_DIR:-$(cd "$(dirname "$0")/.." && pwd)/data/master}"
tmp=${TMPDIR:-/tmp}
db=$tmp/houkan-same-$seed-$n.db
[ -f "$db" ] || "$base" gen --db "$db" --seed "$seed" --patients "$n" --month 2024-06 >/dev/null
w=$(mktemp -d "$tmp/houkan-same.XXXXXX")
trap 'rm -rf "$w"' EXIT
for who in base new; do
	eval h=\$$who
	cp "$db" "$w/$who.db"
	(cd "$w" && "$h" build --db "$who.db" --month 2024-06 --out "out-$who" --report "$who.report" 2>&1 | sed -e "s/out-$who/OUT/g" -e "s/$who.report/REPORT/") >"$w/$who.stdout" || true
	sqlite3 "$w/$who.db" "SELECT patient_id, service_month, body, receipt_no, receipt_type, coverage_id, record_key, total, patient_share, state FROM receipt ORDER BY id" >"$w/$who.receipts"
	sqlite3 "$w/$who.db" "SELECT count(*), count(DISTINCT receipt_id), group_concat(DISTINCT state) FROM receipt_state" >>"$w/$who.receipts"
done
rc=0
for f in 1/RECEIPTH.UKE 2/RECEIPTH.UKE charges.csv; do
	if ! cmp -s "$w/out-base/$f" "$w/out-new/$f"; then echo "DIFFER: $f"; cmp "$w/out-base/$f" "$w/out-new/$f" || true; rc=1; fi
done
for f in report receipts stdout; do
	if ! cmp -s "$w/base.$f" "$w/new.$f"; then echo "DIFFER: $f"; diff "$w/base.$f" "$w/new.$f" | head -5; rc=1; fi
done
[ $rc = 0 ] && echo "same: $(wc -l <"$w/new.receipts") receipt rows, $(cat "$w/out-new/1/RECEIPTH.UKE" "$w/out-new/2/RECEIPTH.UKE" | wc -c) bytes"
exit $rc
