# The houkan front: help, version, usage errors, exit codes (docs/exit-codes.md).
. "$SRC/tests/lib.sh"

expect_rc version 0 "$HOUKAN" --version
expect_grep version_text "$T/out" "houkan "
expect_rc help 0 "$HOUKAN" --help
expect_grep help_lists_init "$T/out" "init"
expect_grep help_lists_check "$T/out" "check"
expect_rc help_cmd 0 "$HOUKAN" help init
expect_grep help_cmd_usage "$T/out" "--station-code"
expect_rc help_cmd_flag 0 "$HOUKAN" init --help
expect_grep help_cmd_flag_usage "$T/out" "--station-code"
expect_rc help_unknown 2 "$HOUKAN" help frobnicate
expect_rc no_args 2 "$HOUKAN"
expect_rc unknown_cmd 2 "$HOUKAN" frobnicate
expect_grep unknown_cmd_msg "$T/err" "'frobnicate' is not a houkan command"

# every command in the table has a help page and is documented in the README
"$HOUKAN" --help | sed -n '/^commands:/,/^$/p' | awk 'NF>1 {print $1}' > "$T/cmds"
n=0
while read -r c; do
	n=$((n + 1))
	if "$HOUKAN" help "$c" >/dev/null 2>&1; then pass "help_page_$c"; else fail "help_page_$c" "no help"; fi
	if grep -q "houkan $c" "$SRC/README.md"; then pass "readme_mentions_$c"; else fail "readme_mentions_$c" "README does not show houkan $c"; fi
done < "$T/cmds"
[ "$n" -ge 6 ] && pass command_table_size || fail command_table_size "only $n commands listed"

# a full stdout is an error, not silence (PRACTICES 9)
if [ -w /dev/full ]; then
	"$HOUKAN" --help >/dev/full 2>"$T/err"; rc=$?
	[ "$rc" -eq 3 ] && pass stdout_full_fails || fail stdout_full_fails "exit $rc, want 3"
fi
