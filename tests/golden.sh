#!/bin/sh
# tests/golden.sh [--update] HOUKAN - replay every golden/ scenario.
#
# A scenario is a directory golden/NAME/ holding
#   station.args   the options of `houkan init` for the station (one line, sh quoting)
#   month          the service month, YYYY-MM
#   patients.csv coverages.csv instructions.csv visits.csv   (import files)
#   README         what the scenario covers and where 作成手引き shows it
#   expected/      1/RECEIPTH.UKE, 2/RECEIPTH.UKE (those that exist), report.txt,
#                  charges.csv, exit (the exit code of houkan build)
# Each scenario is built twice, under TZ=UTC/LC_ALL=C and TZ=Asia/Tokyo/C.UTF-8,
# and both must equal expected/ byte for byte; every expected RECEIPTH.UKE must
# pass `houkan check` with no error.  --update rewrites expected/ (on purpose only,
# then review the diff).  Prints "ok NAME" / "FAIL NAME: why" lines.
set -u
update=0
[ "${1:-}" = "--update" ] && { update=1; shift; }
HOUKAN=${1:?usage: golden.sh [--update] HOUKAN}
case "$HOUKAN" in /*) ;; *) HOUKAN=$(pwd)/$HOUKAN ;; esac
SRC=$(cd "$(dirname "$0")/.." && pwd)
export HOUKAN_MASTER_DIR="$SRC/data/master" HOUKAN_NOW=2024-07-05T00:00:00Z
T=$(mktemp -d "${TMPDIR:-/tmp}/houkan-golden-XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0

run_case() { # DIR OUT TZ LOCALE
	dir=$1 out=$2
	rm -rf "$out"; mkdir -p "$out"
	(
		cd "$out" || exit 70
		export TZ="$3" LC_ALL="$4"
		eval "set -- $(cat "$dir/station.args")"
		"$HOUKAN" init --db st.db "$@" >/dev/null || exit 71
		for k in patients coverages instructions visits; do
			[ -f "$dir/$k.csv" ] || continue
			"$HOUKAN" import --db st.db "$k" "$dir/$k.csv" >/dev/null || exit 72
		done
		"$HOUKAN" build --db st.db --month "$(cat "$dir/month")" --out out --report report.txt >/dev/null
		echo $? > exit
	)
}

for dir in "$SRC"/golden/*/; do
	dir=${dir%/}
	name=$(basename "$dir")
	[ -f "$dir/station.args" ] || continue
	run_case "$dir" "$T/$name.a" UTC C; rc=$?
	if [ $rc -ne 0 ]; then echo "FAIL golden: $name: setup failed (step $rc)"; fails=$((fails + 1)); continue; fi
	run_case "$dir" "$T/$name.b" Asia/Tokyo C.UTF-8
	got="$T/$name.a"
	if [ $update -eq 1 ]; then
		rm -rf "$dir/expected"; mkdir -p "$dir/expected"
		for b in 1 2; do
			[ -f "$got/out/$b/RECEIPTH.UKE" ] && { mkdir -p "$dir/expected/$b"; cp "$got/out/$b/RECEIPTH.UKE" "$dir/expected/$b/"; }
		done
		cp "$got/report.txt" "$got/out/charges.csv" "$got/exit" "$dir/expected/"
		echo "ok   golden: $name: expected files rewritten"
		continue
	fi
	why=""
	for b in 1 2; do
		e="$dir/expected/$b/RECEIPTH.UKE" g="$got/out/$b/RECEIPTH.UKE"
		if [ -f "$e" ] || [ -f "$g" ]; then
			[ -f "$e" ] || { why="$why; unexpected $b/RECEIPTH.UKE"; continue; }
			[ -f "$g" ] || { why="$why; $b/RECEIPTH.UKE missing"; continue; }
			cmp -s "$e" "$g" || why="$why; $b/RECEIPTH.UKE differs: $(cmp "$e" "$g" 2>&1 | head -1)"
			cmp -s "$g" "$T/$name.b/out/$b/RECEIPTH.UKE" || why="$why; $b/RECEIPTH.UKE depends on TZ or locale"
			"$HOUKAN" check "$e" > "$T/check.out" 2>&1 || why="$why; $b/RECEIPTH.UKE fails houkan check: $(grep -m1 error "$T/check.out")"
		fi
	done
	cmp -s "$dir/expected/report.txt" "$got/report.txt" || why="$why; report.txt differs: $(diff "$dir/expected/report.txt" "$got/report.txt" | head -3 | tr '\n' ' ')"
	cmp -s "$dir/expected/charges.csv" "$got/out/charges.csv" || why="$why; charges.csv differs"
	cmp -s "$dir/expected/exit" "$got/exit" || why="$why; exit $(cat "$got/exit"), expected $(cat "$dir/expected/exit")"
	if [ -z "$why" ]; then echo "ok   golden: $name"; else echo "FAIL golden: $name: ${why#; }"; fails=$((fails + 1)); fi
done
[ $fails -eq 0 ]
