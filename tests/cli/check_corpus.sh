#!/bin/sh
# check_corpus.sh - `houkan check` on the malformed corpus (tests/corpus/check/bad):
# each file breaks one rule, named in its file name CODE__what.UKE (or
# CODE1+CODE2__what.UKE when one defect always raises both).  The check must
# exit 1 (0 when every listed code is a warning W-...), report every listed
# code, and report no other error code.  Valid files must pass with no error.
. "$SRC/tests/lib.sh"
export HOUKAN_MASTER_DIR="$SRC/data/master"
dir="$SRC/tests/corpus/check"

n=0
for f in "$dir"/bad/*.UKE; do
	n=$((n + 1))
	b=$(basename "$f" .UKE)
	codes=$(echo "${b%%__*}" | tr '+' ' ')
	want=0
	for c in $codes; do case $c in E-*) want=1 ;; esac; done
	run "$HOUKAN" check "$f"
	why=""
	[ "$rc" -eq "$want" ] || why="exit $rc, want $want"
	for c in $codes; do
		grep -q ": $c: " "$T/out" || why="$why; $c not reported"
	done
	others=$(sed -n 's/.*: error: \([A-Z0-9-]*\): .*/\1/p' "$T/out" | sort -u | while read -r e; do
		case " $codes " in *" $e "*) ;; *) printf '%s ' "$e" ;; esac; done)
	[ -z "$others" ] || why="$why; other errors: $others"
	if [ -z "$why" ]; then pass "$b"; else fail "$b" "$why: $(head -c 600 "$T/out")"; fi
done
if [ "$n" -ge 100 ]; then pass "corpus has $n files"; else fail corpus-size "only $n files (want >= 100)"; fi

for f in "$dir"/valid/*.UKE; do
	b=$(basename "$f" .UKE)
	expect_rc "valid_$b" 0 "$HOUKAN" check "$f"
	expect_grep "valid_${b}_no_error" "$T/out" ": 0 errors,"
done

# every code the corpus names is documented
for c in $(ls "$dir"/bad | sed 's/__.*//' | tr '+' '\n' | sort -u); do
	if grep -q "^| \`$c\` |" "$SRC/docs/check-codes.md"; then pass "documented_$c"; else
		fail "documented_$c" "$c is not in docs/check-codes.md"; fi
done
