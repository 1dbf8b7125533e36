#!/bin/sh
# tests/run.sh - runs every test and ends with "N passed, N failed".
#   unit tests (normal build and ASan/UBSan build), then tests/cli/*.sh
#   against the normal binary.  BUILD names the build directory (default build).  Exit status 1 if anything failed.
# Usage: sh tests/run.sh [PATTERN]   (PATTERN filters cli scripts by name)
SRC=$(cd "$(dirname "$0")/.." && pwd)
cd "$SRC" || exit 2
pat=${1:-}
B=${BUILD:-build}
passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count() { # count LOG: adds its ok/FAIL lines to the totals
	p=$(grep -c '^ok ' "$1"); f=$(grep -c '^FAIL ' "$1")
	passed=$((passed + p)); failed=$((failed + f))
}

for unit in "$B/unit-tests" "$B/san/unit-tests"; do
	[ -n "$pat" ] && break
	if [ ! -x "$unit" ]; then
		echo "FAIL $unit: not built"; failed=$((failed + 1)); continue
	fi
	echo "== $unit"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
		"$unit" >"$log" 2>&1
	st=$?
	grep -v '^ok ' "$log"
	count "$log"
	if [ $st -ne 0 ] && ! grep -q '^FAIL ' "$log"; then
		echo "FAIL $unit: exited $st with no failed test (crash or sanitizer report)"
		failed=$((failed + 1))
	fi
done

for t in tests/cli/*.sh; do
	[ -e "$t" ] || continue
	case "$t" in *"$pat"*) ;; *) continue ;; esac
	echo "== $t"
	HOUKAN="$SRC/$B/houkan" SRC="$SRC" sh "$t" >"$log" 2>&1
	st=$?
	grep -v '^ok ' "$log"
	count "$log"
	if [ $st -ne 0 ] && ! grep -q '^FAIL ' "$log"; then
		echo "FAIL $t: exited $st"
		failed=$((failed + 1))
	fi
	if ! grep -q '^ok \|^FAIL ' "$log"; then
		echo "FAIL $t: ran no check"
		failed=$((failed + 1))
	fi
done

# the fuzzers, briefly, when the caller built them (make test does)
if [ -z "$pat" ] && [ -n "${FUZZ_PLAN:-}" ]; then
	echo "== fuzz ($FUZZ_PLAN)"
	FUZZ_DIR=${FUZZ_DIR:-build/fuzz} sh tests/fuzz/run.sh 60 $FUZZ_PLAN >"$log" 2>&1
	cat "$log"
	count "$log"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
