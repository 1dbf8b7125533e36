# houkan seal and cert info: passphrase sources, file permissions, secrets
# never leaking, deterministic seals, refusal of unusable certificates.
. "$SRC/tests/lib.sh"
sh "$SRC/tests/certs/mkpki.sh" "$T/pki" || { fail pki "mkpki.sh failed"; exit 1; }
P=$T/pki
MARK=$(cat "$P/pass.txt")
u="$T/RECEIPTH.UKE"
printf 'HM,1,13,6,1234567\r\nGO,1\r\n\032' > "$u"
all="$T/all-output"; : > "$all"
keep() { cat "$T/out" "$T/err" >> "$all"; }

expect_rc seal_pass_file 0 "$HOUKAN" seal --p12 "$P/station.p12" --pass-file "$P/pass.txt" "$u"; keep
[ -s "$u.p7s" ] && pass seal_written || fail seal_written "no $u.p7s"
cp "$u.p7s" "$T/first.p7s"
expect_rc seal_pass_fd 0 "$HOUKAN" seal --p12 "$P/station.p12" --pass-fd 3 --out "$T/fd.p7s" "$u" 3<"$P/pass.txt"; keep
expect_same seal_deterministic "$T/first.p7s" "$T/fd.p7s"
HOUKAN_NOW=2026-11-22T00:00:00Z "$HOUKAN" seal --p12 "$P/station.p12" --pass-file "$P/pass.txt" --out "$T/later.p7s" "$u" >/dev/null 2>&1
if cmp -s "$T/first.p7s" "$T/later.p7s"; then fail seal_time_from_run_clock "same seal at another clock"; else pass seal_time_from_run_clock; fi
openssl cms -cmsout -print -inform DER -in "$T/first.p7s" > "$T/dump" 2>&1
expect_grep seal_signing_time_is_run_clock "$T/dump" "Nov 21 00:00:00 2026 GMT"
expect_grep seal_sha256 "$T/dump" "sha256"
# the exact bytes: the file keeps its CRLF and 0x1A and the seal covers them
expect_rc seal_verifies 0 "$HOUKAN" verify --ca "$P/root.pem" "$u" "$u.p7s"; keep

# passphrase file and PKCS#12 readable by others are refused
cp "$P/pass.txt" "$T/pass-open.txt"; chmod 644 "$T/pass-open.txt"
expect_rc pass_file_world_readable 5 "$HOUKAN" seal --p12 "$P/station.p12" --pass-file "$T/pass-open.txt" "$u"; keep
expect_grep pass_file_world_readable_msg "$T/err" "chmod 600"
cp "$P/station.p12" "$T/open.p12"; chmod 644 "$T/open.p12"
expect_rc p12_world_readable 5 "$HOUKAN" seal --p12 "$T/open.p12" --pass-file "$P/pass.txt" "$u"; keep
expect_grep p12_world_readable_msg "$T/err" "accessible by group or others (mode 0644)"
chmod 640 "$T/open.p12"
expect_rc p12_group_readable 5 "$HOUKAN" cert info --pass-file "$P/pass.txt" "$T/open.p12"; keep
# wrong passphrase
printf 'not-the-passphrase\n' > "$T/wrong.txt"; chmod 600 "$T/wrong.txt"
expect_rc wrong_passphrase 5 "$HOUKAN" seal --p12 "$P/station.p12" --pass-file "$T/wrong.txt" "$u"; keep
expect_grep wrong_passphrase_msg "$T/err" "wrong passphrase"
# no passphrase source and no terminal
if command -v setsid >/dev/null; then
	run setsid "$HOUKAN" seal --p12 "$P/station.p12" "$u" </dev/null; keep
	[ "$rc" -eq 5 ] && grep -q -- "--pass-file" "$T/err" && pass no_tty_no_passphrase || fail no_tty_no_passphrase "exit $rc: $(cat "$T/err")"
fi
# the passphrase is not an option value, and never printed
expect_rc no_pass_option 2 "$HOUKAN" seal --p12 "$P/station.p12" --pass "$MARK" "$u"
expect_rc no_env_pass 5 env HOUKAN_PASS="$MARK" setsid "$HOUKAN" seal --p12 "$P/station.p12" "$u"

# certificates that must not seal
for v in expired future badku weak sha1; do
	expect_rc "seal_refused_$v" 5 "$HOUKAN" seal --p12 "$P/$v.p12" --pass-file "$P/pass.txt" --out "$T/$v.p7s" "$u"; keep
	[ ! -e "$T/$v.p7s" ] && pass "no_seal_written_$v" || fail "no_seal_written_$v" "seal exists"
done
expect_rc seal_refused_untrusted 5 "$HOUKAN" seal --p12 "$P/rogue.p12" --pass-file "$P/pass.txt" --ca "$P/root.pem" "$u"; keep
expect_grep seal_refused_untrusted_msg "$T/err" "untrusted root"

# cert info
expect_rc cert_info 0 "$HOUKAN" cert info --pass-file "$P/pass.txt" --ca "$P/root.pem" "$P/station.p12"; keep
expect_grep cert_info_subject "$T/out" "CN=1234567 Test Station"
expect_grep cert_info_issuer "$T/out" "CN=Houkan Test Intermediate CA"
want_fp=$(openssl x509 -in "$P/station.pem" -noout -fingerprint -sha256 | sed 's/.*=//')
expect_grep cert_info_fingerprint "$T/out" "$want_fp"
want_serial=$(openssl x509 -in "$P/station.pem" -noout -serial | sed 's/.*=//')
expect_grep cert_info_serial "$T/out" "serial:      $want_serial"
expect_grep cert_info_not_after "$T/out" "not after:   2030-01-01T00:00:00Z"
expect_nogrep cert_info_no_warning "$T/err" "warning"
# warnings 60/30/7 days before expiry (soon.p12 expires 2026-12-10)
HOUKAN_NOW=2026-10-20T00:00:00Z run "$HOUKAN" cert info --pass-file "$P/pass.txt" "$P/soon.p12"; keep
expect_grep warn_60 "$T/err" "within 60 days"
HOUKAN_NOW=2026-11-21T00:00:00Z run "$HOUKAN" cert info --pass-file "$P/pass.txt" "$P/soon.p12"; keep
expect_grep warn_30 "$T/err" "expires in 19 days"
expect_grep warn_30_threshold "$T/err" "within 30 days"
HOUKAN_NOW=2026-12-05T00:00:00Z run "$HOUKAN" cert info --pass-file "$P/pass.txt" "$P/soon.p12"; keep
expect_grep warn_7 "$T/err" "within 7 days"
HOUKAN_NOW=2026-09-01T00:00:00Z run "$HOUKAN" cert info --pass-file "$P/pass.txt" "$P/soon.p12"; keep
expect_nogrep no_warn_before_60 "$T/err" "warning"
expect_rc cert_info_expired 5 "$HOUKAN" cert info --pass-file "$P/pass.txt" "$P/expired.p12"; keep
expect_grep cert_info_expired_msg "$T/out" "NOT USABLE"
# legacy RC2 PKCS#12: loads through the legacy provider, or says exactly what to do
expect_rc legacy_p12_loads 0 "$HOUKAN" cert info --pass-file "$P/pass.txt" "$P/station-legacy.p12"; keep
expect_grep legacy_p12_noted "$T/out" "legacy encryption"
OPENSSL_MODULES=$T/nowhere run "$HOUKAN" cert info --pass-file "$P/pass.txt" "$P/station-legacy.p12"; keep
[ "$rc" -eq 5 ] && pass legacy_without_provider_rc || fail legacy_without_provider_rc "exit $rc"
expect_grep legacy_without_provider_msg "$T/err" "openssl pkcs12 -legacy -in"
expect_rc cert_info_usage 2 "$HOUKAN" cert show "$P/station.p12"

# the marker passphrase never appeared in any output
expect_nogrep passphrase_never_printed "$all" "$MARK"
