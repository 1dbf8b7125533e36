# tests/lib.sh - sourced by every tests/cli/*.sh script.
#
# A script runs named checks; each prints "ok NAME" or "FAIL NAME: why".
# tests/run.sh counts them.  Environment: HOUKAN (the binary), T (a fresh
# scratch directory, removed afterwards), SRC (the source tree).
# Everything runs with LANG=C, TZ=UTC and a pinned clock unless a test
# changes them on purpose.

set -u
export LC_ALL=C LANG=C TZ=UTC HOUKAN_NOW=2026-11-21T00:00:00Z
: "${HOUKAN:?HOUKAN must name the houkan binary}"
: "${SRC:=$(pwd)}"
# The master shipped with the tree (docs/master.md), unless a test picks another.
export HOUKAN_MASTER_DIR="${HOUKAN_MASTER_DIR:-$SRC/data/master}"
T=$(mktemp -d "${TMPDIR:-/tmp}/houkan-cli-XXXXXX")
trap 'rm -rf "$T"' EXIT
_script=$(basename "$0" .sh)

pass() { echo "ok   $_script: $1"; }
fail() { echo "FAIL $_script: $1: $2"; }

# run CMD...: runs it, output in $T/out and $T/err, status in $rc
run() { "$@" >"$T/out" 2>"$T/err"; rc=$?; }

# expect_rc NAME CODE CMD...: the command exits with CODE
expect_rc() {
	name=$1 want=$2; shift 2
	run "$@"
	if [ "$rc" -eq "$want" ]; then pass "$name"; else
		fail "$name" "exit $rc, want $want; stderr: $(head -c 400 "$T/err")"; fi
}

# expect_grep NAME FILE PATTERN: FILE contains the (fixed) text PATTERN
expect_grep() {
	if grep -qF -- "$3" "$2"; then pass "$1"; else
		fail "$1" "'$3' not in $(basename "$2"): $(head -c 400 "$2")"; fi
}

# expect_nogrep NAME FILE PATTERN
expect_nogrep() {
	if grep -qF -- "$3" "$2"; then fail "$1" "'$3' unexpectedly in $(basename "$2")"; else pass "$1"; fi
}

# expect_same NAME FILE1 FILE2: byte-identical
expect_same() {
	if cmp -s "$2" "$3"; then pass "$1"; else fail "$1" "$2 and $3 differ: $(cmp "$2" "$3" 2>&1 | head -1)"; fi
}

# sql DB QUERY: prints the result (sqlite3 CLI)
sql() { sqlite3 -batch -noheader "$1" "$2"; }

# dbdump DB: a canonical dump of the station data (for "unchanged" checks)
dbdump() { sqlite3 -batch "$1" .dump | grep -v '^INSERT INTO audit_log' ; }
