# houkan submit: exactly once under faults (dropped connection, HTTP 500,
# timeout, kill -9 before/after the upload), ledger contents, reception
# results per receipt, outbox mode.  The simulator counts receptions.
. "$SRC/tests/lib.sh"
. "$SRC/tests/certs/sim.sh"
db=$T/st.db
mkrun "$db" 1 "1 2"
sha1=$(sql "$db" "SELECT sha256 FROM run_output WHERE run_id=1 AND body=1")
sha2=$(sql "$db" "SELECT sha256 FROM run_output WHERE run_id=1 AND body=2")
cat > "$T/scenario.json" <<'JSON'
{"reception": [{"match": {"body": "2"}, "errors": [
  {"code": "3006", "receipt": 2, "message": "記録漏れ (test)"},
  {"code": "4801", "receipt": 3, "message": "normal (test)"}]}]}
JSON

# 1. a clean submission
sim_start --scenario "$T/scenario.json"
submit "$db" 1
[ "$rc" -eq 0 ] && pass submit_ok || fail submit_ok "exit $rc: $(cat "$T/err")"
[ "$(simstat 's["receptions"]')" = 2 ] && pass two_receptions || fail two_receptions "$(cat "$T/sim.json")"
[ "$(sql "$db" "SELECT state||','||result FROM submission WHERE sha256='$sha1'")" = "accepted,accepted" ] && pass ledger_accepted || fail ledger_accepted "$(sql "$db" 'SELECT * FROM submission')"
[ "$(sql "$db" "SELECT state||','||result FROM submission WHERE sha256='$sha2'")" = "accepted,要確認" ] && pass ledger_needs_check || fail ledger_needs_check "$(sql "$db" 'SELECT * FROM submission')"
rno=$(simstat "s['by_sha256']['$sha1']['reception']")
[ "$(sql "$db" "SELECT reception_no FROM submission WHERE sha256='$sha1'")" = "$rno" ] && pass reception_number_recorded || fail reception_number_recorded "want $rno"
[ "$(sql "$db" "SELECT group_concat(code||':'||class||':'||receipt_no, ' ') FROM (SELECT * FROM submission_error ORDER BY code)")" = "3006:check:2 4801:normal:3" ] && pass error_classes_per_receipt || fail error_classes_per_receipt "$(sql "$db" 'SELECT * FROM submission_error')"
[ -s "$T/st.db.archive/run-1/1/RECEIPTH.UKE.p7s" ] && pass sealed_before_upload || fail sealed_before_upload "no seal"
expect_rc seal_of_run_verifies 0 "$HOUKAN" verify --ca "$P/root.pem" "$T/st.db.archive/run-1/1/RECEIPTH.UKE" "$T/st.db.archive/run-1/1/RECEIPTH.UKE.p7s"
# rerun: nothing is sent again
submit "$db" 1
[ "$rc" -eq 0 ] && pass rerun_ok || fail rerun_ok "exit $rc"
expect_grep rerun_says_already "$T/out" "already submitted"
[ "$(simstat 's["uploads"]')" = 2 ] && pass rerun_sends_nothing || fail rerun_sends_nothing "uploads $(simstat 's["uploads"]')"
sim_stop

# 2. faults: each run ends with the file received exactly once
fault_case() { # NAME FAULT [submit options]
	n=$1 f=$2; shift 2
	rm -f "$T/st-$n.db"; mkrun "$T/st-$n.db" 7 1
	sim_start --fault "$f"
	submit "$T/st-$n.db" 7 "$@"
	[ "$rc" -eq 0 ] && pass "${n}_recovers_by_retry" || fail "${n}_recovers_by_retry" "exit $rc: $(head -c 300 "$T/err")"
	[ "$(simstat 's["receptions"]')" = 1 ] && [ "$(simstat 's["by_sha256"].popitem()[1]["count"]')" -le 2 ] && pass "${n}_exactly_once" || fail "${n}_exactly_once" "$(cat "$T/sim.json")"
	[ "$(simstat 'len(s["faults"])')" -ge 1 ] && pass "${n}_fault_injected" || fail "${n}_fault_injected" "no fault happened"
	[ "$(sql "$T/st-$n.db" "SELECT state FROM submission")" = accepted ] && pass "${n}_ledger" || fail "${n}_ledger" "$(sql "$T/st-$n.db" 'SELECT * FROM submission')"
	sim_stop
}
fault_case drop_mid_upload drop:1
fault_case http_500 500:2
fault_case timeout stall:1 --timeout 2
fault_case accepted_then_dropped accept-drop:1
expect_grep retry_noted "$T/out" "retry 1 of 3"

# 3. network fault beyond the retries: exit 4, ledger says uploading, rerun settles it
rm -f "$T/st-x.db"; mkrun "$T/st-x.db" 3 1
sim_start --fault 500:5
submit "$T/st-x.db" 3 --retries 1
[ "$rc" -eq 4 ] && pass gives_up_exit_4 || fail gives_up_exit_4 "exit $rc"
expect_grep gives_up_msg "$T/err" "giving up after 2 attempts"
[ "$(sql "$T/st-x.db" "SELECT state||','||attempts FROM submission")" = "uploading,1" ] && pass ledger_uploading_after_failure || fail ledger_uploading_after_failure "$(sql "$T/st-x.db" 'SELECT * FROM submission')"
submit "$T/st-x.db" 3 --retries 5
[ "$rc" -eq 0 ] && [ "$(simstat 's["receptions"]')" = 1 ] && pass rerun_after_giving_up || fail rerun_after_giving_up "exit $rc $(cat "$T/sim.json")"
sim_stop

# 4. kill -9 between the upload and the ledger write, and before the upload
rm -f "$T/st-k.db"; mkrun "$T/st-k.db" 4 1
sim_start
HOUKAN_KILL_AT=submit-after-upload submit "$T/st-k.db" 4
[ "$rc" -eq 137 ] && pass killed_after_upload || fail killed_after_upload "exit $rc"
[ "$(sql "$T/st-k.db" "SELECT state FROM submission")" = uploading ] && pass ledger_uploading_after_kill || fail ledger_uploading_after_kill "$(sql "$T/st-k.db" 'SELECT * FROM submission')"
[ "$(simstat 's["uploads"]')" = 1 ] && pass peer_has_it_once || fail peer_has_it_once "$(cat "$T/sim.json")"
submit "$T/st-k.db" 4
[ "$rc" -eq 0 ] && pass rerun_after_kill || fail rerun_after_kill "exit $rc: $(cat "$T/err")"
expect_grep rerun_asks_first "$T/out" "the peer already has it"
[ "$(simstat 's["uploads"]')" = 1 ] && pass not_sent_twice_after_kill || fail not_sent_twice_after_kill "uploads $(simstat 's["uploads"]')"
[ "$(sql "$T/st-k.db" "SELECT state FROM submission")" = accepted ] && pass not_forgotten_after_kill || fail not_forgotten_after_kill "$(sql "$T/st-k.db" 'SELECT * FROM submission')"
rm -f "$T/st-b.db"; mkrun "$T/st-b.db" 5 1
HOUKAN_KILL_AT=submit-before-upload submit "$T/st-b.db" 5
[ "$rc" -eq 137 ] && pass killed_before_upload || fail killed_before_upload "exit $rc"
submit "$T/st-b.db" 5
[ "$rc" -eq 0 ] && [ "$(simstat 's["receptions"]')" = 2 ] && [ "$(simstat 's["uploads"]')" = 2 ] && pass rerun_after_kill_before_upload || fail rerun_after_kill_before_upload "exit $rc $(cat "$T/sim.json")"
sim_stop

# 5. rejected file (受付不能): recorded per receipt
rm -f "$T/st-r.db"; mkrun "$T/st-r.db" 6 1
cat > "$T/rej.json" <<'JSON'
{"reception": [{"match": {}, "errors": [{"code": "2101", "receipt": 1, "message": "unreadable receipt (test)"}]}]}
JSON
sql "$T/st-r.db" "INSERT INTO patient (id, patient_key, name, sex, birth) VALUES (1, 'P1', 'テスト', 2, '1950-01-01'); INSERT INTO receipt (run_id, patient_id, service_month, body, receipt_no, receipt_type, record_key, total, patient_share) VALUES (6,1,'2026-10',1,1,'6112','K1',5550,0),(6,1,'2026-10',1,2,'6112','K2',5550,0)"
sim_start --scenario "$T/rej.json"
submit "$T/st-r.db" 6
[ "$(sql "$T/st-r.db" "SELECT state||','||result FROM submission")" = "rejected,受付不能" ] && pass rejected_recorded || fail rejected_recorded "$(sql "$T/st-r.db" 'SELECT * FROM submission')"
[ "$(sql "$T/st-r.db" "SELECT receipt_no||':'||state FROM receipt ORDER BY receipt_no" | tr '\n' ' ')" = "1:rejected 2:accepted " ] && pass receipt_states || fail receipt_states "$(sql "$T/st-r.db" 'SELECT * FROM receipt')"
[ "$(sql "$T/st-r.db" "SELECT receipt_id IS NOT NULL FROM submission_error")" = 1 ] && pass error_linked_to_receipt || fail error_linked_to_receipt "$(sql "$T/st-r.db" 'SELECT * FROM submission_error')"
sim_stop

# 6. outbox mode
rm -f "$T/st-o.db"; mkrun "$T/st-o.db" 8 "1 2"
run "$HOUKAN" submit --db "$T/st-o.db" --run 8 --outbox "$T/outbox" --p12 "$P/station.p12" --pass-file "$P/pass.txt" --ca "$P/root.pem"
[ "$rc" -eq 0 ] && pass outbox_ok || fail outbox_ok "exit $rc: $(cat "$T/err")"
expect_same outbox_file_copied "$T/st-o.db.archive/run-8/1/RECEIPTH.UKE" "$T/outbox/2026-11-1-shaho/RECEIPTH.UKE"
expect_rc outbox_seal_verifies 0 "$HOUKAN" verify --ca "$P/root.pem" "$T/outbox/2026-11-2-kokuho/RECEIPTH.UKE" "$T/outbox/2026-11-2-kokuho/RECEIPTH.UKE.p7s"
[ "$(sql "$T/st-o.db" "SELECT group_concat(mode||':'||state) FROM submission")" = "outbox:outboxed,outbox:outboxed" ] && pass outbox_ledger || fail outbox_ledger "$(sql "$T/st-o.db" 'SELECT * FROM submission')"
sim_start
submit "$T/st-o.db" 8
expect_grep outboxed_not_sent_online "$T/out" "already handed to the online-claim terminal"
[ "$(simstat 's["uploads"]')" = 0 ] && pass outbox_then_online_sends_nothing || fail outbox_then_online_sends_nothing "$(cat "$T/sim.json")"
sim_stop

# 7. refusals before anything is sent
rm -f "$T/st-c.db"; mkrun "$T/st-c.db" 9 1
printf 'X' >> "$T/st-c.db.archive/run-9/1/RECEIPTH.UKE"
sim_start
submit "$T/st-c.db" 9
[ "$rc" -eq 1 ] && pass changed_file_refused || fail changed_file_refused "exit $rc"
expect_grep changed_file_msg "$T/err" "changed since claim run 9 recorded it"
sql "$T/st-c.db" "UPDATE claim_run SET state='started' WHERE id=9"
submit "$T/st-c.db" 9
expect_grep unfinished_run_refused "$T/err" "not 'done'"
submit "$T/st-c.db" 42
expect_grep unknown_run_refused "$T/err" "no claim run 42"
[ "$(simstat 's["uploads"]')" = 0 ] && pass refusals_send_nothing || fail refusals_send_nothing "$(cat "$T/sim.json")"
sim_stop
expect_rc endpoint_must_be_https 2 "$HOUKAN" submit --db "$db" --run 1 --endpoint "http://127.0.0.1:1" --p12 "$P/station.p12" --ca "$P/root.pem"
expect_rc endpoint_xor_outbox 2 "$HOUKAN" submit --db "$db" --run 1 --endpoint "$URL" --outbox "$T/o" --p12 "$P/station.p12" --ca "$P/root.pem"
MARK=$(cat "$P/pass.txt")
if grep -rqF -- "$MARK" "$T/out" "$T/err" "$T/sim.log"; then fail passphrase_not_logged "marker found"; else pass passphrase_not_logged; fi
