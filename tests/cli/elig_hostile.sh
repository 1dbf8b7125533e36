# Hostile and broken 資格確認 results are refused, each with its own message, and
# leave the database as it was; nothing outside the input is read or fetched.
. "$SRC/tests/lib.sh"
db="$T/st.db"
H="$SRC/tests/corpus/eligibility/hostile"
"$HOUKAN" init --db "$db" --station-code 1234567 --pref 13 --name "テスト" >/dev/null
dbdump "$db" >"$T/before"
grep -v '^#' "$H/EXPECT" | while IFS="	" read -r file msg; do
	[ -n "$file" ] || continue
	base=$(basename "$file" .xml)
	expect_rc "refused_$base" 1 "$HOUKAN" ingest --db "$db" "$H/$file"
	expect_grep "message_$base" "$T/err" "$msg"
done
# every corpus file is listed in EXPECT
for f in "$H"/*.xml; do
	grep -q "^$(basename "$f")	" "$H/EXPECT" && pass "listed_$(basename "$f" .xml)" || fail "listed_$(basename "$f" .xml)" "not in EXPECT"
done

# generated at test time: 10,000-deep nesting and a 100 MB text node
awk 'BEGIN { printf "<?xml version=\"1.0\"?>\n<XmlMsg>"; for (i = 0; i < 10000; i++) printf "<a>";
	for (i = 0; i < 10000; i++) printf "</a>"; print "</XmlMsg>" }' >"$T/deep.xml"
expect_rc refused_deep 1 "$HOUKAN" ingest --db "$db" "$T/deep.xml"
expect_grep message_deep "$T/err" "HK_MAX_XML_DEPTH"
{ printf '<?xml version="1.0"?>\n<XmlMsg><MessageBody><ProcessingResultMessage>'
  head -c 104857600 /dev/zero | tr '\0' 'A'
  printf '</ProcessingResultMessage></MessageBody></XmlMsg>\n'; } >"$T/big.xml"
[ "$(wc -c <"$T/big.xml")" -gt 104857600 ] && pass big_generated || fail big_generated "too small"
expect_rc refused_big_text 1 "$HOUKAN" ingest --db "$db" "$T/big.xml"
expect_grep message_big_text "$T/err" "HK_MAX_XML_TEXT"
rm -f "$T/big.xml"

# external entity naming a file of ours: refused, its content appears nowhere
echo "SECRET-$$-CONTENT" >"$T/secret.txt"
cat >"$T/xxe_local.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE XmlMsg [<!ENTITY s SYSTEM "file://$T/secret.txt">]>
<XmlMsg><MessageHeader><QualificationConfirmationDate>20261215</QualificationConfirmationDate></MessageHeader>
<MessageBody><QualificationValidity>4</QualificationValidity><QualificationConfirmSearchInfo><InsurerNumber>01130012</InsurerNumber><InsuredIdentificationNumber>&s;</InsuredIdentificationNumber></QualificationConfirmSearchInfo></MessageBody></XmlMsg>
XML
expect_rc refused_xxe_local 1 "$HOUKAN" ingest --db "$db" "$T/xxe_local.xml"
expect_nogrep xxe_no_leak_err "$T/err" "SECRET-$$"
expect_nogrep xxe_no_leak_out "$T/out" "SECRET-$$"
if command -v strace >/dev/null 2>&1; then
	strace -f -e trace=openat,connect -o "$T/trace" "$HOUKAN" ingest --db "$db" "$T/xxe_local.xml" >/dev/null 2>&1
	expect_nogrep xxe_never_opened "$T/trace" "secret.txt"
	# (getpwuid for the audit row may talk to nscd over a local socket: only inet counts)
	expect_nogrep no_inet_connect "$T/trace" "AF_INET"
fi

# nothing of any refused file reached the database
dbdump "$db" >"$T/after"
expect_same db_unchanged "$T/before" "$T/after"
[ "$(sql "$db" "SELECT count(*) FROM audit_log WHERE command='ingest' AND result='rejected'")" -ge 18 ] \
	&& pass refusals_audited || fail refusals_audited "$(sql "$db" "SELECT count(*) FROM audit_log WHERE command='ingest'")"
