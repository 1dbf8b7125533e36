# houkan verify: a good seal verifies (ours and one made by the openssl CLI);
# every forgery or bad input is refused with exit 5 and its own message.
# The bad seals are made with the openssl CLI, independently of houkan.
. "$SRC/tests/lib.sh"
sh "$SRC/tests/certs/mkpki.sh" "$T/pki" || { fail pki "mkpki.sh failed"; exit 1; }
P=$T/pki
# openssl cms stamps the wall clock as signing time: verify at the real "now"
HOUKAN_NOW=$(date -u +%s); export HOUKAN_NOW
u="$T/RECEIPTH.UKE"
printf 'HM,1,13,6,1234567,テスト,202611,0300000000\r\nRE,1,6112,202610,テスト　ハナコ,2,19500101\r\nGO,1\r\n\032' > "$u"
cms_sign() { # OUT SIGNER KEY [openssl cms args]
	o=$1 s=$2 k=$3; shift 3
	openssl cms -sign -binary -outform DER -md sha256 -in "$u" -signer "$P/$s" -inkey "$P/$k" -out "$o" "$@" 2>"$T/ossl.err" ||
		echo "openssl cms failed: $(cat "$T/ossl.err")" >&2
}
msgs="$T/msgs"; : > "$msgs"
# neg NAME MESSAGE CONTENT SEAL [verify options]: exit 5 and MESSAGE in stderr
neg() {
	n=$1 m=$2 c=$3 s=$4; shift 4
	run "$HOUKAN" verify --ca "$P/root.pem" "$@" "$c" "$s"
	if [ "$rc" -ne 5 ]; then fail "$n" "exit $rc, want 5; stderr: $(head -c 300 "$T/err")"
	elif ! grep -qF -- "$m" "$T/err"; then fail "$n" "'$m' not in: $(head -c 300 "$T/err")"
	else pass "$n"; head -1 "$T/err" | sed "s|$T|T|g; s|^[^:]*: [^:]*: ||" >> "$msgs"; fi
}

expect_rc seal_ok 0 "$HOUKAN" seal --p12 "$P/station.p12" --pass-file "$P/pass.txt" --ca "$P/root.pem" "$u"
good="$u.p7s"
expect_rc verify_ok 0 "$HOUKAN" verify --ca "$P/root.pem" "$u" "$good"
expect_grep verify_ok_signer "$T/out" "1234567 Test Station"
expect_rc verify_expected_signer 0 "$HOUKAN" verify --ca "$P/root.pem" --signer "$P/station.pem" "$u" "$good"
# interoperability: OpenSSL's verifier accepts our seal, and we accept OpenSSL's
if openssl cms -verify -binary -inform DER -in "$good" -content "$u" -CAfile "$P/root.pem" -purpose any -out /dev/null 2>"$T/e"; then
	pass openssl_accepts_our_seal; else fail openssl_accepts_our_seal "$(cat "$T/e")"; fi
cms_sign "$T/ossl.p7s" station.pem station.key -certfile "$P/inter.pem"
expect_rc verify_openssl_seal 0 "$HOUKAN" verify --ca "$P/root.pem" "$u" "$T/ossl.p7s"

# --- content ---
cp "$u" "$T/flip.UKE"; printf 'X' | dd of="$T/flip.UKE" bs=1 seek=20 conv=notrunc 2>/dev/null
neg content_flipped_byte "the message digest differs" "$T/flip.UKE" "$good"
sed 's/\r$//' "$u" > "$T/lf.UKE"
neg content_lf_endings "LF line endings where CRLF was sealed" "$T/lf.UKE" "$good"
sed 's/\r$//; s/テスト/テキト/' "$u" > "$T/lf2.UKE"
neg content_lf_and_changed "has bare LF line endings" "$T/lf2.UKE" "$good"
: > "$T/empty.UKE"
neg content_missing "missing content" "$T/empty.UKE" "$good"

# --- the seal's structure ---
sz=$(wc -c < "$good")
# one bit of a byte inside the signature value, whatever that byte was (the key
# is made at test time: writing a fixed byte left the seal as it was when the
# byte already had that value)
b=$(od -An -tu1 -j $((sz - 5)) -N1 "$good" | tr -d ' ')
cp "$good" "$T/sigflip.p7s"; printf "\\$(printf '%03o' $((b ^ 1)))" | dd of="$T/sigflip.p7s" bs=1 seek=$((sz - 5)) conv=notrunc 2>/dev/null
cmp -s "$good" "$T/sigflip.p7s" && fail seal_flipped_signature_byte_changed "the flipped seal is the seal"
neg seal_flipped_signature_byte "signature does not verify" "$u" "$T/sigflip.p7s"
head -c $((sz / 2)) "$good" > "$T/trunc.p7s"
neg seal_truncated "not a valid CMS structure" "$u" "$T/trunc.p7s"
{ cat "$good"; printf 'junk'; } > "$T/trail.p7s"
neg seal_trailing_data "4 bytes of trailing data" "$u" "$T/trail.p7s"
: > "$T/empty.p7s"
neg seal_empty "seal file is empty" "$u" "$T/empty.p7s"
openssl cms -cmsout -inform DER -in "$good" -outform PEM -out "$T/pem.p7s"
neg seal_pem "is PEM text" "$u" "$T/pem.p7s"
openssl cms -data_create -binary -in "$u" -outform DER -out "$T/data.p7s"
neg seal_not_signeddata "not SignedData" "$u" "$T/data.p7s"
cms_sign "$T/attached.p7s" station.pem station.key -nodetach -certfile "$P/inter.pem"
neg seal_not_detached "embeds its content" "$u" "$T/attached.p7s"
openssl crl2pkcs7 -nocrl -certfile "$P/station.pem" -outform DER -out "$T/nosig.p7s"
neg seal_no_signer "has no signer" "$u" "$T/nosig.p7s"
cms_sign "$T/two.p7s" station.pem station.key -signer "$P/station2.pem" -inkey "$P/station2.key" -certfile "$P/inter.pem"
neg seal_extra_signer "2 signers" "$u" "$T/two.p7s"
cms_sign "$T/nocerts.p7s" station.pem station.key -nocerts
neg seal_without_certificate "includes no certificate" "$u" "$T/nocerts.p7s"
cms_sign "$T/swapped.p7s" station.pem station.key -nocerts -certfile "$P/station2.pem"
neg seal_wrong_certificate_included "matches the signer identifier" "$u" "$T/swapped.p7s"
cms_sign "$T/noattr.p7s" station.pem station.key -noattr -certfile "$P/inter.pem"
neg seal_no_signed_attributes "no signed attributes" "$u" "$T/noattr.p7s"
cms_sign "$T/sha1.p7s" station.pem station.key -md sha1 -certfile "$P/inter.pem"
neg seal_sha1_digest "digest SHA1" "$u" "$T/sha1.p7s"

# --- the signer ---
HOUKAN_NOW=$HOUKAN_NOW "$HOUKAN" seal --p12 "$P/station2.p12" --pass-file "$P/pass.txt" --out "$T/other.p7s" "$u" >/dev/null
neg wrong_signer "wrong signer: sealed by" "$u" "$T/other.p7s" --signer "$P/station.pem"
cms_sign "$T/expired.p7s" expired.pem station.key -certfile "$P/inter.pem"
neg signer_expired "expired on 2021-01-01" "$u" "$T/expired.p7s"
cms_sign "$T/future.p7s" future.pem station.key -certfile "$P/inter.pem"
neg signer_not_yet_valid "not yet valid (valid from 2040-01-01" "$u" "$T/future.p7s"
cms_sign "$T/rogue.p7s" rogue.pem rogue.key -certfile "$P/rogue-root.pem"
neg untrusted_root "(untrusted root)" "$u" "$T/rogue.p7s"
cms_sign "$T/self.p7s" self.pem station.key
neg self_signed_signer "is self-signed" "$u" "$T/self.p7s"
cms_sign "$T/nointer.p7s" station.pem station.key
neg missing_intermediate "missing intermediate certificate" "$u" "$T/nointer.p7s"
cms_sign "$T/badku.p7s" badku.pem station.key -certfile "$P/inter.pem"
neg wrong_key_usage "wrong key usage" "$u" "$T/badku.p7s"
cms_sign "$T/sha1cert.p7s" sha1.pem station.key -certfile "$P/inter.pem"
neg signer_cert_sha1 "SHA-1 and MD5 are refused" "$u" "$T/sha1cert.p7s"
cms_sign "$T/weak.p7s" weak.pem weak.key -certfile "$P/inter.pem"
neg weak_key "weak key (RSA 1024 bits" "$u" "$T/weak.p7s"
cms_sign "$T/ca.p7s" inter.pem inter.key
neg ca_as_signer "is a CA certificate" "$u" "$T/ca.p7s"
HOUKAN_NOW=$((HOUKAN_NOW + 86400)) "$HOUKAN" seal --p12 "$P/station.p12" --pass-file "$P/pass.txt" --out "$T/tomorrow.p7s" "$u" >/dev/null
neg signing_time_in_future "is later than now" "$u" "$T/tomorrow.p7s"
neg verified_after_expiry "expired on 2030-01-01" "$u" "$good" --at 2031-06-01T00:00:00Z
: > "$T/empty-ca.pem"
neg empty_ca_file "no usable CA certificate" "$u" "$good"  --ca "$T/empty-ca.pem"
neg wrong_ca_file "(wrong CA file?)" "$u" "$good" --ca "$P/rogue-root.pem"

# each negative case has its own message
[ -n "${SHOW_MSGS:-}" ] && cat "$msgs" >&2
total=$(wc -l < "$msgs"); uniq=$(sort -u "$msgs" | wc -l)
[ "$total" -ge 25 ] && pass at_least_25_negative_cases || fail at_least_25_negative_cases "only $total"
[ "$total" -eq "$uniq" ] && pass messages_distinct || fail messages_distinct "$(sort "$msgs" | uniq -d | head -3)"
# the system trust store is never consulted: no --ca, no verification
expect_rc ca_required 2 "$HOUKAN" verify "$u" "$good"
