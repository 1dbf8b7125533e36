# houkan build / runs / replay: outputs pass houkan check, runs are recorded,
# replay proves them, rebuilding supersedes, a kill at any step is harmless.
. "$SRC/tests/lib.sh"
cd "$T" || exit 1
"$HOUKAN" gen --db base.db --seed 7 --patients 40 --month 2024-06 >/dev/null || { fail gen "gen failed"; exit 1; }
cp base.db st.db

run "$HOUKAN" build --db st.db --month 2024-06 --out uke
[ "$rc" -le 1 ] && pass build_runs || fail build_runs "exit $rc: $(head -c 300 "$T/err")"
[ -f uke/1/RECEIPTH.UKE ] && [ -f uke/2/RECEIPTH.UKE ] && pass both_review_bodies || fail both_review_bodies "$(ls uke uke/*)"
for b in 1 2; do
	expect_rc "check_body_$b" 0 "$HOUKAN" check uke/$b/RECEIPTH.UKE
done
[ "$(tail -c 1 uke/1/RECEIPTH.UKE | od -An -tx1 | tr -d ' ')" = 1a ] && pass final_eof || fail final_eof "no 0x1A"
ls uke/*/*.tmp >/dev/null 2>&1 && fail no_temp_files "temp files left" || pass no_temp_files
expect_grep charges_header uke/charges.csv "patient_key,service_month,review_body"
n_charges=$(($(wc -l < uke/charges.csv) - 1))
n_receipts=$(sql st.db "SELECT count(*) FROM receipt WHERE run_id = 1")
[ "$n_charges" -eq "$n_receipts" ] && [ "$n_receipts" -gt 10 ] && pass receipts_recorded || fail receipts_recorded "$n_charges charges, $n_receipts receipts"
n_file=$(grep -c '^RE,' uke/1/RECEIPTH.UKE uke/2/RECEIPTH.UKE | awk -F: '{s+=$2} END {print s}')
[ "$n_file" -eq "$n_receipts" ] && pass receipts_match_files || fail receipts_match_files "$n_file RE records, $n_receipts rows"
[ "$(sql st.db "SELECT count(*) FROM receipt_state WHERE state = 'built'")" -eq "$n_receipts" ] && pass states_recorded || fail states_recorded "no built states"
[ "$(sql st.db "SELECT sha256 FROM run_output WHERE run_id = 1 AND body = 1")" = "$(sha256sum uke/1/RECEIPTH.UKE | cut -c1-64)" ] && pass output_digest || fail output_digest "digest differs"
cmp -s uke/1/RECEIPTH.UKE st.db.archive/run-1/1/RECEIPTH.UKE && pass archived_copy || fail archived_copy "archive differs"
[ "$(sql st.db "SELECT count(*) FROM audit_log WHERE command = 'build'")" = 1 ] && pass audit_build || fail audit_build "no audit row"
# the build's write connection does not enforce foreign keys (docs/schema.md):
# every reference it wrote must still hold
[ -z "$(sql st.db 'PRAGMA foreign_key_check')" ] &&
	pass build_references_hold || fail build_references_hold "$(sql st.db 'PRAGMA foreign_key_check' | head -3)"
expect_rc runs_lists 0 "$HOUKAN" runs --db st.db
expect_grep runs_shows_run "$T/out" "2024-06"
expect_rc replay_identical 0 "$HOUKAN" replay --db st.db 1
expect_grep replay_says_identical "$T/out" "identical"
# the inputs snapshot: a plain copy of the database file (WAL empty under the
# build's lock) is a self-contained database holding exactly the inputs
[ "$(sqlite3 st.db.archive/run-1/inputs.db "PRAGMA journal_mode; PRAGMA quick_check; SELECT count(*) FROM visit; SELECT count(*) FROM receipt")" = \
  "$(printf 'delete\nok\n%s\n0' "$(sql base.db 'SELECT count(*) FROM visit')")" ] &&
	pass snapshot_self_contained || fail snapshot_self_contained "$(sqlite3 st.db.archive/run-1/inputs.db 'PRAGMA journal_mode; PRAGMA quick_check' 2>&1)"
[ "$(sql st.db "SELECT inputs_sha256 FROM claim_run WHERE id = 1")" = "$(sha256sum st.db.archive/run-1/inputs.db | cut -c1-64)" ] &&
	pass snapshot_digest || fail snapshot_digest "inputs digest differs"
# the same through the backup API (used when the WAL is not empty)
cp base.db bk.db
run env HOUKAN_SNAPSHOT_BACKUP=1 "$HOUKAN" build --db bk.db --month 2024-06 --out bk
expect_rc replay_backup_snapshot 0 "$HOUKAN" replay --db bk.db 1
cmp -s bk/2/RECEIPTH.UKE uke/2/RECEIPTH.UKE && pass backup_snapshot_same_output || fail backup_snapshot_same_output "outputs differ"

# the same records give the same bytes whatever the TZ, locale or directory
cp base.db other.db
mkdir -p elsewhere
( cd elsewhere && TZ=Asia/Tokyo LC_ALL=C.UTF-8 HOUKAN_NOW=2030-01-01T00:00:00Z "$HOUKAN" build --db ../other.db --month 2024-06 --out o2 >/dev/null 2>&1 )
cmp -s uke/1/RECEIPTH.UKE elsewhere/o2/1/RECEIPTH.UKE && cmp -s uke/2/RECEIPTH.UKE elsewhere/o2/2/RECEIPTH.UKE \
	&& pass deterministic || fail deterministic "outputs differ across TZ/locale/cwd/clock"

# the same bytes whatever the number of worker threads (chunks are consumed in order)
for n in 1 3; do
	cp base.db threads$n.db
	HOUKAN_THREADS=$n "$HOUKAN" build --db threads$n.db --month 2024-06 --out t$n --report t$n.report >/dev/null 2>&1
done
if cmp -s t1/1/RECEIPTH.UKE uke/1/RECEIPTH.UKE && cmp -s t3/2/RECEIPTH.UKE uke/2/RECEIPTH.UKE &&
   cmp -s t1/2/RECEIPTH.UKE t3/2/RECEIPTH.UKE && cmp -s t1.report t3.report && cmp -s t1/charges.csv t3/charges.csv; then
	pass same_output_any_thread_count
else
	fail same_output_any_thread_count "1 and 3 threads differ"
fi

# only patients with a visit in the month have a receipt: none for a patient
# without visits, none for one whose only visits are in the 6 days before the
# month (前週), and every other patient has one
cp base.db sparse.db
sql sparse.db "DELETE FROM visit WHERE patient_id % 3 = 0;
	UPDATE visit SET date = '2024-05-' || (26 + id % 6) WHERE patient_id = 2 AND id = (SELECT min(id) FROM visit WHERE patient_id = 2);
	DELETE FROM visit WHERE patient_id = 2 AND date >= '2024-06-01'"
run "$HOUKAN" build --db sparse.db --month 2024-06 --out sparse
with_visits=$(sql sparse.db "SELECT group_concat(patient_id) FROM (SELECT DISTINCT patient_id FROM visit WHERE date BETWEEN '2024-06-01' AND '2024-06-30' ORDER BY patient_id)")
with_receipts=$(sql sparse.db "SELECT group_concat(patient_id) FROM (SELECT DISTINCT patient_id FROM receipt ORDER BY patient_id)")
[ "$rc" -le 1 ] && [ -n "$with_visits" ] && [ "$(sql sparse.db "SELECT count(*) FROM visit WHERE patient_id = 2")" = 1 ] &&
	[ "$with_receipts" = "$with_visits" ] && pass receipts_only_for_visited_patients ||
	fail receipts_only_for_visited_patients "exit $rc; visits: $with_visits; receipts: $with_receipts"

# a visit flagged specialist (専門の研修を受けた看護師, staff 08) is claimed as
# 訪問看護基本療養費 ハ end to end: read from the visit table, derived, written, checked
cp base.db spec.db
sql spec.db "INSERT OR IGNORE INTO station_standard(code, valid_from) VALUES ('1607', '2000-01-01');
	UPDATE visit SET staff = '08', staff2 = NULL, multi_staff = 0, specialist = 1 WHERE id = (
		SELECT v.id FROM visit v WHERE v.instruction_kind IN ('01', '02') AND v.outing = 0
		AND v.date > (SELECT min(date) FROM visit w WHERE w.patient_id = v.patient_id)
		AND (SELECT count(*) FROM visit w WHERE w.patient_id = v.patient_id AND w.date = v.date) = 1
		ORDER BY v.patient_id, v.date LIMIT 1)"
run "$HOUKAN" build --db spec.db --month 2024-06 --out spec
[ "$(sql spec.db 'SELECT count(*) FROM visit WHERE specialist = 1')" = 1 ] &&
	cat spec/*/RECEIPTH.UKE | grep -a -q '^KA,[^,]*,[^,]*,51000[01]510,' &&
	! cat uke/*/RECEIPTH.UKE | grep -a -q '^KA,[^,]*,[^,]*,51000[01]510,' &&
	pass specialist_visit_claimed_as_ha || fail specialist_visit_claimed_as_ha "exit $rc; $(grep -i 'specialist\|ハ' "$T/err" | head -3)"
for b in 1 2; do
	[ -f spec/$b/RECEIPTH.UKE ] && expect_rc "specialist_check_body_$b" 0 "$HOUKAN" check spec/$b/RECEIPTH.UKE
done

# building the month again supersedes the unsubmitted run
run "$HOUKAN" build --db st.db --month 2024-06 --out uke
[ "$(sql st.db "SELECT state FROM claim_run WHERE id = 1")" = superseded ] && pass rebuild_supersedes || fail rebuild_supersedes "$(sql st.db 'SELECT id, state FROM claim_run')"
[ "$(sql st.db "SELECT count(*) FROM receipt WHERE state = 'built'")" -eq "$n_receipts" ] && pass no_double_receipts || fail no_double_receipts "duplicate built receipts"
cmp -s uke/1/RECEIPTH.UKE st.db.archive/run-1/1/RECEIPTH.UKE && pass rebuild_same_bytes || fail rebuild_same_bytes "rebuild differs"
# outputs are published read-only; the first run's archive (a link to its
# output when on the same file system) survives the second run's publication
[ "$(stat -c %a uke/1/RECEIPTH.UKE)" = 444 ] && pass output_read_only || fail output_read_only "$(stat -c %a uke/1/RECEIPTH.UKE)"
[ "$(sha256sum st.db.archive/run-1/2/RECEIPTH.UKE | cut -c1-64)" = "$(sql st.db "SELECT sha256 FROM run_output WHERE run_id = 1 AND body = 2")" ] &&
	pass archive_kept_after_rebuild || fail archive_kept_after_rebuild "run-1 archive changed"
expect_rc replay_superseded_run 0 "$HOUKAN" replay --db st.db 1

# once a run has gone out, the month is not built again
sql st.db "UPDATE receipt SET state = 'submitted' WHERE run_id = 2 AND receipt_no = 1 AND body = 1"
expect_rc refuse_after_submit 1 "$HOUKAN" build --db st.db --month 2024-06 --out uke
expect_grep refuse_after_submit_msg "$T/err" "houkan reclaim"
sql st.db "UPDATE receipt SET state = 'built' WHERE run_id = 2"

# replay notices a tampered archive
cp st.db.archive/run-2/inputs.db saved.db
printf 'x' >> st.db.archive/run-2/inputs.db
expect_rc replay_tampered_inputs 1 "$HOUKAN" replay --db st.db 2
expect_grep replay_tampered_inputs_msg "$T/err" "do not match the digest"
cp saved.db st.db.archive/run-2/inputs.db
f=st.db.archive/run-2/2/RECEIPTH.UKE
chmod u+w "$f"
sed -i '3s/,/;/' "$f"  # a different historic build: third line changed, digest re-recorded
sql st.db "UPDATE run_output SET sha256 = '$(sha256sum "$f" | cut -c1-64)' WHERE run_id = 2 AND body = 2"
expect_rc replay_different 1 "$HOUKAN" replay --db st.db 2
expect_grep replay_first_line "$T/out" "line 3 differs"

# usage and input errors
expect_rc bad_month 2 "$HOUKAN" build --db st.db --month 2024-13 --out x
expect_rc missing_db 3 "$HOUKAN" build --db nope.db --month 2024-06 --out x
expect_rc claim_before_month 1 "$HOUKAN" build --db st.db --month 2024-06 --claim-month 2024-05 --out x
expect_rc replay_no_run 1 "$HOUKAN" replay --db st.db 99

# a kill at any step leaves no partial file and a consistent database; the next run completes
cp base.db ref.db
"$HOUKAN" build --db ref.db --month 2024-06 --out ref >/dev/null 2>&1
for point in build-snapshot build-receipt:5 build-engine-done build-before-commit build-after-commit build-published-one; do
	name=kill_$(echo "$point" | tr ':-' '__')
	rm -rf k k.db k.db-wal k.db-shm k.db.archive
	cp base.db k.db
	HOUKAN_KILL_AT=$point "$HOUKAN" build --db k.db --month 2024-06 --out k >/dev/null 2>&1
	krc=$?
	[ $krc -eq 137 ] || { fail "$name" "not killed (exit $krc)"; continue; }
	bad=""
	for b in 1 2; do
		[ -f k/$b/RECEIPTH.UKE ] || continue
		cmp -s k/$b/RECEIPTH.UKE ref/$b/RECEIPTH.UKE || bad="$bad partial or wrong k/$b/RECEIPTH.UKE;"
	done
	[ "$(sql k.db 'PRAGMA integrity_check')" = ok ] || bad="$bad integrity;"
	[ -z "$(sql k.db 'PRAGMA foreign_key_check')" ] || bad="$bad dangling reference;"
	[ "$(sql k.db "SELECT count(*) FROM claim_run WHERE state = 'started'")" = 0 ] || bad="$bad run left started;"
	"$HOUKAN" build --db k.db --month 2024-06 --out k >/dev/null 2>&1
	cmp -s k/1/RECEIPTH.UKE ref/1/RECEIPTH.UKE && cmp -s k/2/RECEIPTH.UKE ref/2/RECEIPTH.UKE || bad="$bad rerun differs;"
	[ "$(sql k.db "SELECT count(*) FROM receipt WHERE state = 'built'")" = "$(sql ref.db "SELECT count(*) FROM receipt WHERE state = 'built'")" ] || bad="$bad receipts counted twice;"
	ls k/*/*.tmp >/dev/null 2>&1 && bad="$bad temp files left;"
	[ -z "$bad" ] && pass "$name" || fail "$name" "$bad"
done
