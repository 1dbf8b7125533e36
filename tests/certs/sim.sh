# tests/certs/sim.sh - sourced by the submit_*/tls_* CLI tests (after tests/lib.sh).
# Makes the test PKI, a station database with one finished claim run, and
# starts/stops the review-body simulator (tools/simulator/reviewbody.py).
P=$T/pki
sh "$SRC/tests/certs/mkpki.sh" "$P" >/dev/null 2>&1 || { fail pki "mkpki.sh failed"; exit 1; }
# TLS peers check certificates against the real clock: run houkan at real time too
HOUKAN_NOW=$(date -u +%s); export HOUKAN_NOW
SIM_PID=

# mkrun DB RUN [BODIES]: station DB (created if missing), claim run RUN (done), one
# RECEIPTH.UKE per body in the archive, DB.archive/run-RUN/BODY/, recorded in run_output
# (as houkan build does; the paths in run_output are relative to DB.archive).
mkrun() {
	db=$1 runid=$2 bodies=${3:-1}
	[ -e "$db" ] || "$HOUKAN" init --db "$db" --station-code 1234567 --pref 13 --name "テスト訪問看護ステーション" >/dev/null
	sql "$db" "INSERT INTO claim_run (id, service_month, claim_month, state, started, finished) VALUES ($runid, '2026-10', '2026-11', 'done', '2026-11-05T00:00:00Z', '2026-11-05T00:01:00Z')"
	for b in $bodies; do
		d="$db.archive/run-$runid/$b"; mkdir -p "$d"
		python3 - "$d/RECEIPTH.UKE" "$b" "$runid" <<'PY'
import sys
path, body, run = sys.argv[1], sys.argv[2], sys.argv[3]
recs = ["HM,%s,13,6,1234567,テスト訪問看護ステーション,202611," % body]
for n in (1, 2, 3):
    recs.append("RE,%d,6112,202610,テスト　ハナコ%d,,2,19500101,,,,,,K%s%s%d," % (n, n, run, body, n))
    recs.append("KA,1,01,%d,,,,,5550" % n)
recs.append("GO")
open(path, "wb").write(("\r\n".join(recs) + "\r\n").encode("cp932") + b"\x1a")
PY
		sha=$(sha256sum "$d/RECEIPTH.UKE" | cut -d' ' -f1); bytes=$(wc -c < "$d/RECEIPTH.UKE")
		sql "$db" "INSERT INTO run_output (run_id, body, path, sha256, bytes, receipts) VALUES ($runid, $b, 'run-$runid/$b/RECEIPTH.UKE', '$sha', $bytes, 3)"
	done
}

# sim_start [reviewbody.py options]: server cert from $SIM_CERT (default server-chain)
sim_start() {
	rm -f "$T/port" "$T/sim.json"
	c=${SIM_CERT:-server-chain}
	python3 "$SRC/tools/simulator/reviewbody.py" --cert "$P/$c.pem" --key "$P/$c.key" \
		--client-ca "$P/root.pem" --port-file "$T/port" --state "$T/sim.json" \
		--lifetime "${SIM_LIFETIME:-40}" "$@" 2>>"$T/sim.log" &
	SIM_PID=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	PORT=$(cat "$T/port" 2>/dev/null)
	URL="https://127.0.0.1:$PORT"
	[ -n "$PORT" ] || fail sim_start "simulator did not start: $(tail -3 "$T/sim.log")"
}
sim_stop() {
	[ -n "$SIM_PID" ] && kill "$SIM_PID" 2>/dev/null && wait "$SIM_PID" 2>/dev/null
	SIM_PID=
}
trap 'sim_stop; rm -rf "$T"' EXIT
# simstat EXPR: a Python expression over the state document s
simstat() { python3 -c "import json,sys; s=json.load(open(sys.argv[1])); print($1)" "$T/sim.json"; }
# submit DB RUN [options]: houkan submit online with the test PKI, short timeouts
submit() {
	db=$1 runid=$2; shift 2
	run "$HOUKAN" submit --db "$db" --run "$runid" --endpoint "$URL" --p12 "$P/station.p12" \
		--pass-file "$P/pass.txt" --ca "$P/root.pem" --connect-timeout 3 --timeout 4 --backoff-ms 50 "$@"
}
