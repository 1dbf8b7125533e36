#!/bin/sh
# check_cli.sh - `houkan check` as a command: exit codes, output formats,
# --tolerant, several files, and the rule table against docs/check-codes.md.
. "$SRC/tests/lib.sh"
export HOUKAN_MASTER_DIR="$SRC/data/master"
dir="$SRC/tests/corpus/check"
good="$dir/valid/multi_kohi_kouki.UKE"
bad="$dir/bad/E-KA-ORDER__ka_17_before_10.UKE"

expect_rc usage_no_file 2 "$HOUKAN" check
expect_rc usage_bad_format 2 "$HOUKAN" check --format=xml "$good"
expect_rc usage_bad_option 2 "$HOUKAN" check --nope "$good"
expect_rc unreadable_file 3 "$HOUKAN" check "$T/does-not-exist.UKE"
expect_grep unreadable_names_file "$T/err" "does-not-exist.UKE"

expect_rc valid_exit_0 0 "$HOUKAN" check "$good"
expect_grep valid_summary "$T/out" "checked 4 receipts: 0 errors, 0 warnings"

expect_rc error_exit_1 1 "$HOUKAN" check "$bad"
# the diagnostic line format FILE:LINE: REC[FIELD]: error: CODE: message
# (line 14: HM RE HO SN JD IH HJ JS SY RJ, then KA 0603 0603 0617 0610)
expect_grep error_line_format "$T/out" "$bad:14: KA[2]: error: E-KA-ORDER: 算定年月日 20240610 comes after 20240617"
expect_grep error_summary "$T/out" "checked 4 receipts: 1 errors, 0 warnings"

# warnings only: exit 0
expect_rc warning_exit_0 0 "$HOUKAN" check "$dir/bad/W-GI__gi_record.UKE"
expect_grep warning_line "$T/out" ": GI: warning: W-GI: "

# several files: the worst wins, the summary adds up
expect_rc two_files_exit_1 1 "$HOUKAN" check "$good" "$bad"
expect_grep two_files_summary "$T/out" "checked 8 receipts: 1 errors, 0 warnings"
expect_rc unreadable_among_good 3 "$HOUKAN" check "$good" "$T/nope.UKE"

# stdin
run sh -c "\"$HOUKAN\" check - < \"$bad\""
if [ "$rc" -eq 1 ] && grep -q "^-:14: KA\[2\]: error: E-KA-ORDER" "$T/out"; then pass stdin; else fail stdin "rc=$rc $(head -c 300 "$T/out")"; fi

# JSON lines
expect_rc json_exit_1 1 "$HOUKAN" check --format=json "$bad"
expect_grep json_diag "$T/out" '"line":14,"record":"KA","field":2,"severity":"error","code":"E-KA-ORDER"'
expect_grep json_summary "$T/out" '{"summary":true,"files":1,"receipts":4,"errors":1,"warnings":0}'
if command -v python3 >/dev/null 2>&1; then
	if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$T/out" 2>/dev/null; then
		pass json_parses; else fail json_parses "not JSON lines: $(head -c 300 "$T/out")"; fi
fi

# --tolerant: LF line ends and a missing 0x1A become warnings
tr -d '\r\032' < "$good" > "$T/lf.UKE"
expect_rc strict_lf_is_error 1 "$HOUKAN" check "$T/lf.UKE"
expect_grep strict_lf_code "$T/out" "error: E-LF:"
expect_rc tolerant_lf_is_warning 0 "$HOUKAN" check --tolerant "$T/lf.UKE"
expect_grep tolerant_lf_code "$T/out" "warning: W-LF:"
expect_grep tolerant_eof_code "$T/out" "warning: W-NO-EOF:"

# master: --no-master skips the KA master rules; a missing master is a warning
m="$dir/bad/E-KA-MASTER__unknown_code.UKE"
expect_rc master_rule 1 "$HOUKAN" check "$m"
expect_rc no_master_skips 0 "$HOUKAN" check --no-master "$m"
expect_rc missing_master_warns 0 "$HOUKAN" check --master-dir "$T/empty" "$m"
expect_grep missing_master_code "$T/out" "warning: W-NO-MASTER:"

# every rule of the checker's table is documented in docs/check-codes.md
for c in $(sed -n 's/^	{"\([EW]-[A-Z0-9-]*\)", [EW], .*/\1/p' "$SRC/receipt/check_rules.c"); do
	if grep -q "^| \`$c\` |" "$SRC/docs/check-codes.md"; then pass "rule_documented_$c"; else
		fail "rule_documented_$c" "not in docs/check-codes.md"; fi
done
