# The malformed results corpus (tests/corpus/returns/bad, made by mkcorpus.py):
# every file is refused with exit 1 and an error that says what is wrong (and,
# for data errors, the file and line), and the database does not change.  The
# good files of each kind are taken in, each once.
. "$SRC/tests/lib.sh"
cd "$T" || exit 1
C=$SRC/tests/corpus/returns
"$HOUKAN" init --db st.db --station-code 1234567 --pref 13 --name "テスト訪問看護ステーション" >/dev/null || { fail init "init failed"; exit 1; }
cp st.db good.db
dbdump st.db > before.dump
n=0 bad=0
while IFS="$(printf '\t')" read -r f want; do
	[ -n "$f" ] || continue
	n=$((n + 1))
	run "$HOUKAN" ingest --db st.db "$C/bad/$f"
	if [ "$rc" -ne 1 ]; then
		fail "bad_$f" "exit $rc, want 1: $(head -c 300 "$T/err")"; bad=$((bad + 1)); continue
	fi
	if ! grep -qF -- "$want" "$T/err"; then
		fail "bad_$f" "'$want' not in: $(head -c 300 "$T/err")"; bad=$((bad + 1)); continue
	fi
	if ! grep -q "$f" "$T/err"; then
		fail "bad_$f" "the error does not name the file: $(head -c 300 "$T/err")"; bad=$((bad + 1)); continue
	fi
	if [ -s "$T/out" ]; then
		fail "bad_$f" "something was reported done: $(head -c 200 "$T/out")"; bad=$((bad + 1)); continue
	fi
done < "$C/bad/EXPECT"
[ "$n" -ge 100 ] && pass corpus_has_100 || fail corpus_has_100 "only $n files"
[ "$bad" -eq 0 ] && pass "all_${n}_refused_clearly" || fail all_refused_clearly "$bad of $n"
dbdump st.db > after.dump
expect_same db_unchanged before.dump after.dump
[ "$(sql st.db 'SELECT count(*) FROM notice')" = 0 ] && pass no_notice || fail no_notice "notices recorded"
# data errors name a line: FILE:LINE:
nl=$(for f in $(cut -f1 "$C/bad/EXPECT"); do "$HOUKAN" ingest --db st.db "$C/bad/$f" 2>&1 >/dev/null; done | grep -c "\(HEN\|csv\):[0-9][0-9]*:")
[ "$nl" -ge 90 ] && pass errors_name_lines || fail errors_name_lines "only $nl errors name a line"

for f in "$C"/good/*; do
	b=$(basename "$f")
	expect_rc "good_$b" 0 "$HOUKAN" ingest --db good.db "$f"
done
[ "$(sql good.db 'SELECT count(*) FROM notice')" -ge 5 ] && pass good_recorded || fail good_recorded "$(sql good.db 'SELECT kind, file_name FROM notice')"
# nothing matches in an empty station: every item is kept, unmatched
[ "$(sql good.db "SELECT count(*) FROM notice_item WHERE receipt_id IS NOT NULL")" = 0 ] &&
[ "$(sql good.db "SELECT count(*) FROM returned WHERE receipt_id IS NULL")" -ge 1 ] && pass unmatched_kept || fail unmatched_kept "$(sql good.db 'SELECT count(*) FROM notice_item')"
