#!/bin/sh
# tools/e2e.sh HOUKAN - a whole month end to end (`make e2e`):
#   generate a synthetic station month, build the claim run, check its files,
#   seal and submit them to the review-body simulator under injected faults
#   (a dropped connection, an HTTP 500, an upload the peer kept but never
#   answered, a kill -9 between upload and ledger), rerun until settled, fetch
#   the month's results (返戻, 増減点, 振替) and ingest what houkan can ingest.
# Steps whose houkan command is missing (or not finished) are skipped and said so.
# Prints a short summary; exit 0 only when every file was received exactly once.
set -u
HOUKAN=${1:?usage: e2e.sh HOUKAN}
case "$HOUKAN" in /*) ;; *) HOUKAN=$(pwd)/$HOUKAN ;; esac
SRC=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/houkan-e2e-XXXXXX")
SIM_PID=
trap '[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null; rm -rf "$W"' EXIT
export LC_ALL=C TZ=UTC
HOUKAN_MASTER_DIR=${HOUKAN_MASTER_DIR:-$SRC/data/master}; export HOUKAN_MASTER_DIR
HOUKAN_NOW=$(date -u +%s); export HOUKAN_NOW
P=$W/pki DB=$W/station.db
say() { printf 'e2e: %s\n' "$*"; }
has() { "$HOUKAN" help "$1" >/dev/null 2>&1; }
skipped=""

sh "$SRC/tests/certs/mkpki.sh" "$P" >/dev/null 2>&1 || { say "cannot make the test PKI"; exit 1; }
say "test PKI in $P (station certificate 1234567, pinned test CA)"

# 1. generate
"$HOUKAN" init --db "$DB" --station-code 1234567 --pref 13 --name "テスト訪問看護ステーション" \
	--online-eligibility --standard 1604 --standard 1605 --standard 1606 --standard 1616 --standard 1617 >/dev/null || exit 1
month=2026-10 claim=2026-11
if has gen && "$HOUKAN" gen --db "$DB" --seed 42 --patients 30 --month $month >"$W/gen.out" 2>&1; then
	say "generated: $(tail -1 "$W/gen.out")"
else
	say "SKIP generate: houkan gen is missing or failed ($(tail -1 "$W/gen.out" 2>/dev/null))"; skipped="$skipped gen"
fi

# 2. build
run_id=
if has build; then
	"$HOUKAN" build --db "$DB" --month $month --claim-month $claim --out "$W/out" >"$W/build.out" 2>"$W/build.err"
	say "houkan build exit $?: $(grep -c . "$W/build.err") diagnostic line(s)"
	run_id=$(sqlite3 "$DB" "SELECT max(id) FROM claim_run WHERE state='done'")
fi
if [ -n "$run_id" ]; then
	for f in $(sqlite3 "$DB" "SELECT path FROM run_output WHERE run_id=$run_id"); do
		case "$f" in /*) ;; *) f=$DB.archive/$f ;; esac
		if [ ! -f "$f" ]; then
			say "run $run_id records $f, which does not exist (houkan build unfinished?)"; run_id=; break
		fi
	done
fi
if [ -n "$run_id" ]; then
	say "built run $run_id: $(sqlite3 "$DB" "SELECT group_concat('body '||body||': '||receipts||' receipts', ', ') FROM run_output WHERE run_id=$run_id")"
fi
if [ -z "$run_id" ] || [ "$(sqlite3 "$DB" "SELECT count(*) FROM run_output WHERE run_id=$run_id")" = 0 ]; then
	say "SKIP build: houkan build is missing or made no file ($(tail -1 "$W/build.err" 2>/dev/null)); using a synthetic run instead"
	skipped="$skipped build"
	run_id=900
	sqlite3 "$DB" "INSERT INTO claim_run (id, service_month, claim_month, state, started, finished) VALUES ($run_id, '$month', '$claim', 'done', '2026-11-05T00:00:00Z', '2026-11-05T00:01:00Z')"
	for b in 1 2; do
		mkdir -p "$DB.archive/run-$run_id/$b"
		python3 - "$DB.archive/run-$run_id/$b/RECEIPTH.UKE" "$b" <<'PY'
import sys
path, body = sys.argv[1], sys.argv[2]
recs = ["HM,%s,13,6,1234567,テスト訪問看護ステーション,202611," % body]
for n in range(1, 6):
    recs.append("RE,%d,6112,202610,テスト　ハナコ%d,,2,19500101,,,,,,K%s%d," % (n, n, body, n))
    recs.append("KA,1,01,%d,,,,,5550" % n)
recs.append("GO")
open(path, "wb").write(("\r\n".join(recs) + "\r\n").encode("cp932") + b"\x1a")
PY
		u=$DB.archive/run-$run_id/$b/RECEIPTH.UKE
		sqlite3 "$DB" "INSERT INTO run_output VALUES ($run_id, $b, 'run-$run_id/$b/RECEIPTH.UKE', '$(sha256sum "$u" | cut -d' ' -f1)', $(wc -c < "$u"), 5)"
	done
fi

# 3. check
files=$(sqlite3 "$DB" "SELECT path FROM run_output WHERE run_id=$run_id" | sed "s|^\([^/]\)|$DB.archive/\1|")
if has check; then
	if "$HOUKAN" check $files >"$W/check.out" 2>&1; then say "check: no errors"; else say "check: $(grep -c ': error:' "$W/check.out") error(s) (see houkan check)"; fi
else
	say "SKIP check: houkan check is missing"; skipped="$skipped check"
fi

# 4. simulator with faults, then seal + submit until settled
cat > "$W/scenario.json" <<'JSON'
{"reception": [{"match": {"body": "2"}, "errors": [{"code": "3006", "receipt": 2, "message": "記録漏れの疑い"},
                                                  {"code": "4801", "receipt": 3, "message": "参考"}]}],
 "processing_month": "202612",
 "returns": [{"body": "1", "receipt_no": 1, "kubun": 1, "reason_code": "L3129", "reason": "資格喪失後の受診"}],
 "adjustments": [{"body": "2", "receipt_no": 2, "amount": -1200, "reason": "B", "item": "訪問看護基本療養費"}],
 "transfers": [{"body": "1", "receipt_no": 3, "kind": "振替", "old_insurer": "01130012", "new_insurer": "06132013"}]}
JSON
python3 "$SRC/tools/simulator/reviewbody.py" --cert "$P/server-chain.pem" --key "$P/server-chain.key" \
	--client-ca "$P/root.pem" --port-file "$W/port" --state "$W/sim.json" --scenario "$W/scenario.json" \
	--fault drop:1 --fault 500:1 --fault accept-drop:1 --lifetime 60 2>"$W/sim.log" &
SIM_PID=$!
i=0; while [ ! -s "$W/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
URL=https://127.0.0.1:$(cat "$W/port")
say "simulator at $URL with faults: drop, 500, accept-then-drop"
sub() { "$HOUKAN" submit --db "$DB" --run "$run_id" --endpoint "$URL" --p12 "$P/station.p12" \
	--pass-file "$P/pass.txt" --ca "$P/root.pem" --connect-timeout 3 --timeout 5 --retries 3 --backoff-ms 100 "$@"; }
HOUKAN_KILL_AT=submit-after-upload sub >"$W/sub1.out" 2>&1
say "submit #1 killed with SIGKILL after the upload (exit $?)"
tries=1
until sub >"$W/sub.out" 2>&1; do
	tries=$((tries + 1)); [ $tries -gt 5 ] && { say "submit keeps failing: $(tail -1 "$W/sub.out")"; exit 1; }
done
tries=$((tries + 1))
sub >"$W/sub-again.out" 2>&1
say "submit settled after $tries runs; $(tail -1 "$W/sub.out")"
stat() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$W/sim.json"; }
nfiles=$(sqlite3 "$DB" "SELECT count(*) FROM run_output WHERE run_id=$run_id")

# 5. results of the month
cat "$P/station.pem" "$P/inter.pem" > "$W/client.pem"
mkdir -p "$W/results"
for k in henrei zogen furikae; do
	curl -s -f --max-time 5 --cacert "$P/root.pem" --cert "$W/client.pem" --key "$P/station.key" \
		-o "$W/results/$k" "$URL/results/1234567/202611/$k" && say "fetched $k ($(wc -c < "$W/results/$k") bytes)" ||
		say "could not fetch $k"
done
if has ingest; then
	if "$HOUKAN" ingest --db "$DB" "$W/results" >"$W/ingest.out" 2>&1; then
		while IFS= read -r l; do say "ingest: $l"; done < "$W/ingest.out"
		"$HOUKAN" ingest --db "$DB" "$W/results" >"$W/ingest2.out" 2>&1
		[ "$(grep -c 'already ingested' "$W/ingest2.out")" = "$(ls "$W/results" | wc -l)" ] &&
			say "ingest again: nothing done (same files)" || { say "re-ingest changed something: $(cat "$W/ingest2.out")"; exit 1; }
		if has status; then "$HOUKAN" status --db "$DB" --month $month | while IFS= read -r l; do say "status: $l"; done; fi
		if has reclaim && [ "$(sqlite3 "$DB" "SELECT count(*) FROM returned WHERE state = 'open' AND receipt_id IS NOT NULL")" -gt 0 ]; then
			if "$HOUKAN" reclaim --db "$DB" --claim-month 2026-12 --out "$W/reclaim" >"$W/reclaim.out" 2>&1 &&
			   "$HOUKAN" check "$W"/reclaim/*/RECEIPTH.UKE >/dev/null 2>&1; then say "reclaim: $(tail -1 "$W/reclaim.out"); passes houkan check"
			else say "reclaim failed: $(tail -2 "$W/reclaim.out")"; exit 1; fi
		fi
	else say "ingest: houkan ingest refused a result file: $(tail -1 "$W/ingest.out")"; skipped="$skipped ingest(results)"; fi
else
	say "SKIP ingest: houkan ingest is missing"; skipped="$skipped ingest"
fi

# summary
recv=$(stat 's["receptions"]'); ups=$(stat 's["uploads"]'); faults=$(stat '",".join(s["faults"])')
dups=$(stat 'sum(1 for v in s["by_sha256"].values() if v["count"] > 1)')
ledger=$(sqlite3 "$DB" "SELECT group_concat(body||':'||state||'/'||result||'/'||reception_no, ' ') FROM submission")
printf '\n== e2e summary\n'
printf 'run %s, %s file(s); simulator: %s reception(s), %s whole upload(s), faults hit: %s\n' "$run_id" "$nfiles" "$recv" "$ups" "$faults"
printf 'ledger: %s\n' "$ledger"
printf 'skipped:%s\n' "${skipped:- nothing}"
if [ "$recv" = "$nfiles" ] && [ "$(sqlite3 "$DB" "SELECT count(*) FROM submission WHERE state IN ('accepted','rejected')")" = "$nfiles" ] &&
   grep -q "not sent again" "$W/sub-again.out"; then
	printf 'RESULT: every file received exactly once\n'
else
	printf 'RESULT: FAILED (receptions %s for %s files)\n' "$recv" "$nfiles"; exit 1
fi
