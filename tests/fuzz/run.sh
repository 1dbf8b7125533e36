#!/bin/sh
# tests/fuzz/run.sh SECONDS [NAME...] - run the libFuzzer targets built by
# `make fuzz-build` (FUZZ_DIR, default build/fuzz), each on a fresh copy of its
# corpus, for SECONDS (or NAME:SECONDS).  Prints "ok"/"FAIL" lines; a crash
# leaves its input in FUZZ_DIR (crash-*), to be turned into a corpus file and a test.
secs=${1:-60}; shift 2>/dev/null
D=${FUZZ_DIR:-build/fuzz}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
set -- ${*:-check elig returns}
corpus() { # NAME DIR
	case $1 in
	check) cp "$SRC"/tests/corpus/check/valid/*.UKE "$SRC"/tests/corpus/check/bad/*.UKE "$2"/ ;;
	elig) cp "$SRC"/tests/corpus/eligibility/good/*.xml "$SRC"/tests/corpus/eligibility/hostile/*.xml "$2"/ ;;
	returns) cp "$SRC"/tests/corpus/returns/good/* "$SRC"/tests/corpus/returns/bad/*.* "$2"/ 2>/dev/null ;;
	esac
}
for spec in "$@"; do
	name=${spec%%:*}; t=$secs
	[ "$name" != "$spec" ] && t=${spec#*:}
	bin="$D/fuzz_$name"
	if [ ! -x "$bin" ]; then echo "FAIL fuzz: $name: $bin not built (make fuzz-build)"; continue; fi
	rm -rf "$D/corpus_$name" && mkdir -p "$D/corpus_$name" && corpus "$name" "$D/corpus_$name"
	if HOUKAN_MASTER_DIR="$SRC/data/master" "$bin" -max_total_time="$t" -max_len=65536 \
		-artifact_prefix="$D/$name-" "$D/corpus_$name" >"$D/$name.log" 2>&1; then
		echo "ok   fuzz: $name: $(grep -o "Done [0-9]* runs in [0-9]* second" "$D/$name.log" | tail -1), no crash"
	else
		echo "FAIL fuzz: $name: crashed, see $D/$name.log and $D/$name-crash-*"
		grep -m3 "ERROR\|SUMMARY" "$D/$name.log"
	fi
done
