# Every golden/ scenario, byte for byte, under two time zones and locales.
. "$SRC/tests/lib.sh"
n=$(ls -d "$SRC"/golden/*/ 2>/dev/null | wc -l)
[ "$n" -ge 15 ] && pass golden_has_15_scenarios || fail golden_has_15_scenarios "only $n scenarios"
sh "$SRC/tests/golden.sh" "$HOUKAN" 2>&1 | sed 's/^ok   golden:/ok   golden_cases:/; s/^FAIL golden:/FAIL golden_cases:/'
