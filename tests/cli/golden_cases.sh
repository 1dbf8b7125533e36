# Every golden/ scenario, byte for byte, under two time zones and locales.
. "$SRC/tests/lib.sh"
n=$(ls -d "$SRC"/golden/*/ 2>/dev/null | wc -l)
[ "$n" -ge 15 ] && pass golden_has_15_scenarios || fail golden_has_15_scenarios "only $n scenarios"
sh "$SRC/tests/golden.sh" "$HOUKAN" 2>&1 | sed 's/^ok   golden:/ok   golden_cases:/; s/^FAIL golden:/FAIL golden_cases:/'
# the same scenarios through the ASan/UBSan binary, when it was built (make test builds it)
if [ -x "$SRC/${BUILD:-build}/san/houkan" ]; then
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1 \
		sh "$SRC/tests/golden.sh" "$SRC/${BUILD:-build}/san/houkan" 2>&1 |
		sed 's/^ok   golden:/ok   golden_cases (sanitizers):/; s/^FAIL golden:/FAIL golden_cases (sanitizers):/'
fi
