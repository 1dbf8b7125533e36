# houkan init: creates a station database with the current schema, refuses bad input.
. "$SRC/tests/lib.sh"
db="$T/st.db"

expect_rc init_ok 0 "$HOUKAN" init --db "$db" --station-code 1234567 --pref 13 --name "テスト訪問看護ステーション" --phone 03-0000-0000
[ "$(sql "$db" 'PRAGMA user_version')" -ge 1 ] && pass schema_versioned || fail schema_versioned "user_version 0"
[ "$(sql "$db" 'PRAGMA journal_mode')" = wal ] && pass wal_mode || fail wal_mode "not WAL"
[ "$(sql "$db" 'SELECT code||pref||name FROM station')" = "123456713テスト訪問看護ステーション" ] && pass station_row || fail station_row "$(sql "$db" 'SELECT * FROM station')"
[ "$(sql "$db" "SELECT count(*) FROM audit_log WHERE command='init'")" = 1 ] && pass audit_row || fail audit_row "no audit row"
# the audit log is append-only
if sqlite3 "$db" "DELETE FROM audit_log" 2>/dev/null; then fail audit_append_only "DELETE succeeded"; else pass audit_append_only; fi
if sqlite3 "$db" "UPDATE audit_log SET result='x'" 2>/dev/null; then fail audit_no_update "UPDATE succeeded"; else pass audit_no_update; fi
# foreign keys are enforced on connections houkan opens; the schema declares them
expect_grep fk_declared_visit "$SRC/claims/schema.c" "REFERENCES patient(id)"

expect_rc refuse_overwrite 3 "$HOUKAN" init --db "$db" --station-code 1234567 --pref 13 --name X
expect_grep refuse_overwrite_msg "$T/err" "already exists"
expect_rc bad_code 2 "$HOUKAN" init --db "$T/b.db" --station-code 12345 --pref 13 --name X
expect_grep bad_code_msg "$T/err" "--station-code"
expect_rc bad_pref 2 "$HOUKAN" init --db "$T/b.db" --station-code 1234567 --pref 48 --name X
expect_grep bad_pref_msg "$T/err" "別表2"
expect_rc bad_phone 2 "$HOUKAN" init --db "$T/b.db" --station-code 1234567 --pref 13 --name X --phone "03 0000"
expect_rc missing_name 2 "$HOUKAN" init --db "$T/b.db" --station-code 1234567 --pref 13
[ ! -e "$T/b.db" ] && pass no_db_left_on_error || fail no_db_left_on_error "b.db was created"
expect_rc bad_utf8_name 2 "$HOUKAN" init --db "$T/b.db" --station-code 1234567 --pref 13 --name "$(printf 'a\377b')"

# a file that is not a database is refused with exit 3 by commands that open one
printf 'not sqlite at all, just text that is long enough to be a header....................................' > "$T/junk.db"
expect_rc not_a_db 3 "$HOUKAN" import --db "$T/junk.db" patients "$T/none.csv"
