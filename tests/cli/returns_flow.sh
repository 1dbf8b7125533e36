# Results back in (issue 6): a built month goes to the simulator's result
# generator (tools/simulator/results.py); its 返戻 file, 増減点連絡書 and 振替・分割
# results are ingested, re-ingest is a no-op, the returns are listed, corrected
# and re-claimed with 検索番号 and history intact, and the output passes check.
. "$SRC/tests/lib.sh"
cd "$T" || exit 1
"$HOUKAN" init --db st.db --station-code 1234567 --pref 13 --name "テスト訪問看護ステーション" >/dev/null &&
"$HOUKAN" gen --db st.db --seed 42 --patients 30 --month 2026-10 >/dev/null &&
"$HOUKAN" build --db st.db --month 2026-10 --claim-month 2026-11 --out uke >/dev/null 2>&1 ||
	{ fail setup "init/gen/build failed"; exit 1; }
# receipts 1 and 3 of body 1 returned; receipt 2 of body 2 adjusted; receipt 2 of body 1 re-routed
cat > scen.json <<'J'
{"processing_month": "202612",
 "returns": [{"body": "1", "receipt_no": 1, "kubun": 1, "reason_code": "L3129", "reason": "資格喪失後の受診"},
             {"body": "1", "receipt_no": 3, "kubun": 2, "reason_code": "Ｌ1001", "reason": "記載不備"}],
 "adjustments": [{"body": "2", "receipt_no": 2, "amount": -1200, "reason": "B", "item": "訪問看護基本療養費"}],
 "transfers": [{"body": "1", "receipt_no": 2, "kind": "振替", "new_insurer": "06132013"}]}
J
python3 "$SRC/tests/corpus/returns/mkresults.py" scen.json 1234567 202611 res uke/1/RECEIPTH.UKE uke/2/RECEIPTH.UKE ||
	{ fail setup "result generator failed"; exit 1; }
key1=$(sql st.db "SELECT record_key FROM receipt WHERE body = 1 AND receipt_no = 1")
key3=$(sql st.db "SELECT record_key FROM receipt WHERE body = 1 AND receipt_no = 3")
adj_total=$(sql st.db "SELECT total FROM receipt WHERE body = 2 AND receipt_no = 2")
# what the returned file says (read with grep, not with houkan)
sn1=$(grep -a "^RE,1,.*,$key1," res/RECEIPTH.HEN | head -1 | tr -d '\r' | cut -d, -f15)
dbdump st.db > before.dump

expect_rc ingest_all 0 "$HOUKAN" ingest --db st.db res
expect_grep kind_henrei "$T/out" "RECEIPTH.HEN: returned file (返戻): 2 returned receipts (2 matched, 0 unmatched), 2 reasons"
expect_grep kind_zogen "$T/out" "増減点連絡書: 1 items (1 matched, 0 unmatched), -1200 yen"
expect_grep kind_furikae "$T/out" "振替・分割 results: 1 results (1 matched, 0 unmatched), 1 coverage changes"
[ "$(sql st.db "SELECT state || ' ' || search_no FROM receipt WHERE record_key = '$key1'")" = "returned $sn1" ] &&
	pass returned_state_and_search_no || fail returned_state_and_search_no "$(sql st.db "SELECT state, search_no FROM receipt WHERE record_key = '$key1'")"
# the history block is stored byte for byte: the file's 8,n,0, lines after the first receipt's RE
awk -v k="$key1" 'BEGIN{RS="\r\n"} /^RE,/{inr=index($0, ","k",")>0} inr && /^8,/{printf "%s\r\n", $0}' res/RECEIPTH.HEN > hist1.want
sqlite3 st.db "SELECT writefile('hist1.got', history_block) FROM receipt WHERE record_key = '$key1'" >/dev/null
[ -s hist1.want ] && expect_same history_byte_for_byte hist1.want hist1.got
[ "$(sql st.db "SELECT decided FROM receipt WHERE body = 2 AND receipt_no = 2 AND run_id = 1")" = "$((adj_total - 1200))" ] &&
	pass decided_amount || fail decided_amount "$(sql st.db "SELECT total, decided FROM receipt WHERE body = 2 AND receipt_no = 2")"
[ "$(sql st.db "SELECT r.state || ' ' || c.insurer || ' ' || c.source FROM receipt r JOIN coverage c ON c.id = r.coverage_id WHERE r.body = 1 AND r.receipt_no = 2 AND r.run_id = 1")" = "switched 06132013 switch" ] &&
	pass switched_to_confirmed_insurer || fail switched_to_confirmed_insurer "$(sql st.db "SELECT state, coverage_id FROM receipt WHERE body = 1 AND receipt_no = 2")"
[ "$(sql st.db "SELECT count(*) FROM receipt_state WHERE state IN ('returned','adjusted','switched') AND source LIKE '%.%'")" = 4 ] &&
	pass transitions_recorded || fail transitions_recorded "$(sql st.db "SELECT * FROM receipt_state WHERE state <> 'built'")"

# re-ingest: nothing changes, and it says so
dbdump st.db > once.dump
expect_rc reingest 0 "$HOUKAN" ingest --db st.db res
expect_grep reingest_says_so "$T/out" "already ingested"
dbdump st.db > twice.dump
expect_same reingest_no_change once.dump twice.dump

expect_rc returns_list 0 "$HOUKAN" returns --db st.db --month 2026-10
expect_grep returns_reason "$T/out" "L3129  資格喪失後の受診"
expect_grep returns_fullwidth_code "$T/out" "L1001  記載不備"
expect_grep returns_count "$T/out" "2 open returned receipt(s)"
expect_rc returns_csv 0 "$HOUKAN" returns --db st.db --csv
expect_grep returns_csv_row "$T/out" "2026-10,${key1%-*}"
expect_rc adjustments 0 "$HOUKAN" adjustments --db st.db --month 2026-10
expect_grep adjustments_item "$T/out" "事由 B      -1200  訪問看護基本療養費"
expect_grep adjustments_summary "$T/out" "adjustments -1200 yen"
expect_rc status 0 "$HOUKAN" status --db st.db --month 2026-10
expect_grep status_returned "$T/out" "returned           2"
expect_grep status_adjusted "$T/out" "adjusted           1"
expect_grep status_switched "$T/out" "switched           1"

# file mode: HH→HM, HG→GO, no HR, 検索番号 and history kept; passes check
expect_rc reclaim_file 0 "$HOUKAN" reclaim res/RECEIPTH.HEN --claim-month 202612 -o file.UKE
expect_rc reclaim_file_checks 0 "$HOUKAN" check file.UKE
head -c 3 file.UKE | grep -q '^HM,' && pass file_hm || fail file_hm "$(head -c 20 file.UKE)"
grep -aq '^HR,' file.UKE && fail file_no_hr "HR left" || pass file_no_hr
grep -aq '^HH,\|^HG,' file.UKE && fail file_no_hh_hg "HH/HG left" || pass file_no_hh_hg
[ "$(grep -ac '^8,' file.UKE)" = "$(grep -ac '^8,' res/RECEIPTH.HEN)" ] && pass file_history_kept || fail file_history_kept "history lines differ"
grep -aq ",$sn1"$'\r' file.UKE 2>/dev/null || grep -aq ",$sn1" file.UKE && pass file_search_no || fail file_search_no "$sn1 missing"

# database mode with the records unchanged gives the same file
cp st.db same.db
expect_rc reclaim_db_unchanged 0 "$HOUKAN" reclaim --db same.db --claim-month 2026-12 --out same
expect_same reclaim_db_equals_file file.UKE same/1/RECEIPTH.UKE

# correct the records: one visit of the first returned patient removed; the
# second returned patient's insurer becomes a 国保 (another review body)
p1=${key1%-*} p3=${key3%-*}
sqlite3 st.db "DELETE FROM visit WHERE id = (SELECT max(v.id) FROM visit v JOIN patient p ON p.id = v.patient_id WHERE p.patient_key = '$p1' AND v.date LIKE '2026-10-%')"
sqlite3 st.db "UPDATE coverage SET insurer = '131011', kind = 'kokuho' WHERE patient_id = (SELECT id FROM patient WHERE patient_key = '$p3')"
expect_rc reclaim_db 0 "$HOUKAN" reclaim --db st.db --claim-month 2026-12 --out re
expect_rc reclaim_db_checks 0 "$HOUKAN" check re/1/RECEIPTH.UKE re/fresh/2/RECEIPTH.UKE
[ "$(grep -ac '^RE,' re/1/RECEIPTH.UKE)" = 1 ] && pass reclaim_one_receipt || fail reclaim_one_receipt "$(grep -ac '^RE,' re/1/RECEIPTH.UKE)"
[ "$(grep -a '^RE,' re/1/RECEIPTH.UKE | tr -d '\r' | cut -d, -f15)" = "$sn1" ] && pass reclaim_keeps_search_no || fail reclaim_keeps_search_no "$(grep -a '^RE,' re/1/RECEIPTH.UKE)"
grep -a '^8,' re/1/RECEIPTH.UKE > hist1.re
expect_same reclaim_keeps_history hist1.want hist1.re
n_ka_old=$(awk -v k="$key1" 'BEGIN{RS="\r\n"} /^RE,/{inr=index($0, ","k",")>0} inr && /^KA,/{n++} END{print n}' res/RECEIPTH.HEN)
n_ka_new=$(grep -ac '^KA,' re/1/RECEIPTH.UKE)
[ "$n_ka_new" -lt "$n_ka_old" ] && pass reclaim_rerendered || fail reclaim_rerendered "KA $n_ka_old before, $n_ka_new after"
grep -aq '^HR,' re/1/RECEIPTH.UKE && fail reclaim_no_hr "HR present" || pass reclaim_no_hr
[ "$(sed -n 1p re/1/RECEIPTH.UKE | tr -d '\r' | cut -d, -f7)" = 202612 ] && pass reclaim_claim_month || fail reclaim_claim_month "$(sed -n 1p re/1/RECEIPTH.UKE)"
[ "$(grep -a '^RE,' re/fresh/2/RECEIPTH.UKE | tr -d '\r' | cut -d, -f15)" = "" ] && ! grep -aq '^8,' re/fresh/2/RECEIPTH.UKE &&
	pass fresh_first_claim || fail fresh_first_claim "$(grep -a '^RE,\|^8,' re/fresh/2/RECEIPTH.UKE | head -3)"
[ "$(sql st.db "SELECT group_concat(state) FROM (SELECT state FROM receipt WHERE record_key IN ('$key1','$key3') AND run_id = 1 ORDER BY id)")" = "reclaimed,reclaimed" ] &&
	pass old_receipts_reclaimed || fail old_receipts_reclaimed "$(sql st.db "SELECT id, state FROM receipt WHERE record_key IN ('$key1','$key3')")"
[ "$(sql st.db "SELECT count(*) FROM receipt r JOIN claim_run k ON k.id = r.run_id WHERE k.kind = 'reclaim' AND r.state = 'built'")" = 2 ] &&
	pass new_receipts_recorded || fail new_receipts_recorded "$(sql st.db 'SELECT * FROM claim_run')"
expect_rc returns_after 0 "$HOUKAN" returns --db st.db
expect_grep returns_none_left "$T/out" "0 open returned receipt(s)"
p=$(sql st.db "SELECT path FROM run_output r JOIN claim_run k ON k.id = r.run_id WHERE k.params = 'reclaim'")
cmp -s "st.db.archive/$p" re/1/RECEIPTH.UKE && pass reclaim_archived || fail reclaim_archived "$p"

# items that match nothing are kept and listed
sed 's/^RE,1,\([^,]*\),\([^,]*\),/RE,1,\1,202501,/' res/RECEIPTH.HEN | python3 -c "
import sys; d=sys.stdin.buffer.read()
sys.stdout.buffer.write(d.replace(b'$sn1', b'99999999999999999999').replace(b'$key1', b'NOSUCH-2501A'))" > other.HEN
expect_rc ingest_unmatched 0 "$HOUKAN" ingest --db st.db other.HEN
expect_grep unmatched_listed "$T/out" "unmatched: other.HEN:"
expect_rc returns_unmatched 0 "$HOUKAN" returns --db st.db
expect_grep returns_lists_unmatched "$T/out" "matches no receipt"
