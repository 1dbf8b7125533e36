# Kill safety of houkan ingest (results): SIGKILL at any step (HOUKAN_KILL_AT),
# then an ordinary run, leaves exactly the database an uninterrupted run leaves
# (canonical dump, audit log aside); re-ingest after that changes nothing.
. "$SRC/tests/lib.sh"
cd "$T" || exit 1
"$HOUKAN" init --db base.db --station-code 1234567 --pref 13 --name "テスト訪問看護ステーション" >/dev/null &&
"$HOUKAN" gen --db base.db --seed 11 --patients 20 --month 2026-10 >/dev/null &&
"$HOUKAN" build --db base.db --month 2026-10 --claim-month 2026-11 --out uke >/dev/null 2>&1 || { fail setup "build failed"; exit 1; }
cat > scen.json <<'J'
{"returns": [{"body": "1", "receipt_no": 1, "reason_code": "L3129", "reason": "資格喪失後の受診"},
             {"body": "2", "receipt_no": 2, "reason_code": "L1001", "reason": "記載不備"}],
 "adjustments": [{"body": "2", "receipt_no": 1, "amount": -500, "reason": "D", "item": "加算"},
                 {"body": "2", "receipt_no": 3, "amount": 300, "reason": "K", "item": "訂正"}],
 "transfers": [{"body": "1", "receipt_no": 2, "kind": "分割", "new_insurer": "39130000", "split_date": "20261015"}]}
J
python3 "$SRC/tests/corpus/returns/mkresults.py" scen.json 1234567 202611 res uke/1/RECEIPTH.UKE uke/2/RECEIPTH.UKE ||
	{ fail setup "result generator failed"; exit 1; }
[ "$(ls res | wc -l)" = 3 ] || { fail setup "$(ls res)"; exit 1; }
cp base.db ref.db
"$HOUKAN" ingest --db ref.db res >/dev/null 2>&1 || { fail reference "uninterrupted ingest failed"; exit 1; }
dbdump ref.db > ref.dump
[ "$(sql ref.db 'SELECT count(*) FROM notice')" = 3 ] && pass reference_run || fail reference_run "$(sql ref.db 'SELECT * FROM notice')"
for point in ingest-begin ingest-begin:2 ingest-begin:3 ingest-item ingest-item:2 ingest-item:3 ingest-item:4 \
	ingest-item:5 ingest-commit ingest-commit:2 ingest-commit:3; do
	rm -f k.db k.db-wal k.db-shm
	cp base.db k.db
	HOUKAN_KILL_AT=$point "$HOUKAN" ingest --db k.db res >/dev/null 2>&1
	st=$?
	if [ "$st" -ne 137 ]; then fail "kill_$point" "exit $st, the kill point was not reached"; continue; fi
	"$HOUKAN" ingest --db k.db res >/dev/null 2>&1 || { fail "kill_$point" "the rerun failed"; continue; }
	dbdump k.db > k.dump
	if cmp -s ref.dump k.dump; then pass "kill_$point"; else fail "kill_$point" "$(diff ref.dump k.dump | head -5)"; fi
done
"$HOUKAN" ingest --db k.db res > again.out 2>&1
dbdump k.db > k2.dump
[ "$(grep -c 'already ingested' again.out)" = 3 ] && cmp -s ref.dump k2.dump && pass reingest_noop || fail reingest_noop "$(cat again.out)"
