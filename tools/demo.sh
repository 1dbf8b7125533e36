#!/bin/sh
# demo.sh HOUKAN - a demo station's monthly claim run on built-in synthetic data:
# generate the station's month, write the eligibility requests, build the claim
# files, check and show them, prove the run by replay, seal the files with a
# throw-away test certificate and put them in the outbox for the online-claim
# terminal.  Everything happens in demo/ (replaced on each run).
set -eu
HOUKAN=${1:-build/houkan}
HOUKAN=$(cd "$(dirname "$HOUKAN")" && pwd)/$(basename "$HOUKAN")
SRC=$(cd "$(dirname "$0")/.." && pwd)
export HOUKAN_NOW=${HOUKAN_NOW:-2026-11-21T00:00:00Z}
out=demo
rm -rf "$out"
mkdir -p "$out"
cd "$out"
step() { printf '\n== %s\n' "$*"; }

step "1. a demo station and a synthetic month (June 2024, 40 patients)"
"$HOUKAN" gen --db station.db --seed 20240601 --patients 40 --month 2024-06
sqlite3 -batch station.db "SELECT 'patients: '||count(*) FROM patient; SELECT 'visits:   '||count(*) FROM visit;"

step "2. オンライン資格確認: the month's request files for the eligibility terminal"
"$HOUKAN" eligibility request --db station.db --month 2024-06 --out eligibility

step "3. the monthly claim run: one RECEIPTH.UKE per review body (report in build-report.txt)"
"$HOUKAN" build --db station.db --month 2024-06 --claim-month 2024-07 --out out --report build-report.txt

for f in out/*/RECEIPTH.UKE; do
	step "4. houkan check $f"
	"$HOUKAN" check "$f" | tail -n 1
done

step "5. the first receipt of the 国保連 file, as a clerk sees it"
"$HOUKAN" show out/2/RECEIPTH.UKE | head -n 32

step "6. the run is recorded; replay rebuilds it from its archived inputs"
"$HOUKAN" runs --db station.db
"$HOUKAN" replay --db station.db 1

if command -v openssl >/dev/null 2>&1 && [ -f "$SRC/tests/certs/mkpki.sh" ]; then
	step "7. seal with a throw-away test certificate and put the run in the outbox"
	sh "$SRC/tests/certs/mkpki.sh" pki >/dev/null 2>&1
	"$HOUKAN" submit --db station.db --run 1 --outbox outbox --p12 pki/station.p12 \
		--pass-file pki/pass.txt --ca pki/root.pem
	for f in outbox/*/*.UKE outbox/*.UKE; do
		[ -f "$f" ] || continue
		[ -f "$f.p7s" ] && "$HOUKAN" verify --ca pki/root.pem "$f" "$f.p7s"
	done
fi
printf '\ndemo files are in %s/\n' "$out"
