#!/bin/sh
# demo.sh HOUKAN - a demo station's monthly claim run on built-in synthetic data.
# Everything happens in a fresh directory (demo/ in the tree, replaced each run).
set -eu
HOUKAN=${1:-build/houkan}
HOUKAN=$(cd "$(dirname "$HOUKAN")" && pwd)/$(basename "$HOUKAN")
export HOUKAN_NOW=${HOUKAN_NOW:-2024-07-05T00:00:00Z}
out=demo
rm -rf "$out"
mkdir -p "$out"
cd "$out"
step() { printf '\n== %s\n' "$*"; }

step "1. a demo station and a synthetic month (June 2024, 40 patients)"
"$HOUKAN" gen --db station.db --seed 20240601 --patients 40 --month 2024-06
sqlite3 -batch station.db "SELECT 'patients: '||count(*) FROM patient; SELECT 'visits:   '||count(*) FROM visit;"

if "$HOUKAN" help build >/dev/null 2>&1; then
	step "2. the monthly claim run: one RECEIPTH.UKE per review body"
	"$HOUKAN" build --db station.db --month 2024-06 --claim-month 2024-07 --out out
	for f in out/*/RECEIPTH.UKE; do
		step "3. check $f"
		"$HOUKAN" check "$f" | tail -n 1
	done
	step "4. the first receipt, as a clerk sees it"
	"$HOUKAN" show out/*/RECEIPTH.UKE | head -n 40
else
	step "2. (the claim run is not built yet: the station records are ready in $out/station.db)"
fi
printf '\ndemo files are in %s/\n' "$out"
