# The simulator's month results: the 返戻 file has the structure of 作成手引き
# 別紙1 (HH, the receipt's records with 検索番号, HR, 8,n,0 history, HG) built from
# the uploaded file; 増減点 and 振替 CSVs follow the data tables of results.py.
. "$SRC/tests/lib.sh"
. "$SRC/tests/certs/sim.sh"
command -v curl >/dev/null || { pass no_curl_cli_skipped; exit 0; }
db=$T/st.db
mkrun "$db" 1 1
cat > "$T/sc.json" <<'JSON'
{"processing_month": "202612",
 "returns": [{"body": "1", "receipt_no": 2, "kubun": 1, "reason_code": "L3129", "reason": "資格喪失後"}],
 "adjustments": [{"body": "1", "receipt_no": 1, "amount": -1200, "reason": "B", "item": "基本療養費"}],
 "transfers": [{"body": "1", "receipt_no": 3, "kind": "分割", "old_insurer": "01130012", "new_insurer": "06132013", "split_date": "20261015"}]}
JSON
sim_start --scenario "$T/sc.json"
submit "$db" 1
[ "$rc" -eq 0 ] && pass submitted || fail submitted "exit $rc: $(cat "$T/err")"
cat "$P/station.pem" "$P/inter.pem" > "$T/client.pem"
get() { curl -s -f --max-time 5 --cacert "$P/root.pem" --cert "$T/client.pem" --key "$P/station.key" -o "$T/$1" "$URL/results/1234567/202611/$1"; }
get henrei && pass fetch_henrei || fail fetch_henrei "curl failed"
python3 - "$T/henrei" "$T/st.db.archive/run-1/1/RECEIPTH.UKE" > "$T/hen.txt" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
orig = open(sys.argv[2], "rb").read().rstrip(b"\x1a").decode("cp932").split("\r\n")
assert data.endswith(b"\r\n\x1a"), "CRLF + 0x1A"
lines = data.rstrip(b"\x1a").decode("cp932").split("\r\n")[:-1]
print("first", lines[0].split(",")[0], "last", lines[-1])
re = [l for l in lines if l.startswith("RE,")][0].split(",")
print("re_no", re[1], "search_len", len(re[14]), "search_digits", re[14].isdigit())
# the returned receipt's records are the uploaded ones, except 検索番号
o_re = [l for l in orig if l.startswith("RE,2,")][0].split(",")
print("same_except_search", re[:14] == o_re[:14])
print("hr", [l for l in lines if l.startswith("HR,")][0])
hist = [l for l in lines if l.startswith("8,")]
print("hist", len(hist), hist[0].split(",")[:4], hist[-1].split(",")[3])
PY
expect_grep henrei_header_footer "$T/hen.txt" "first HH last HG,1,5550"
expect_grep henrei_receipt "$T/hen.txt" "re_no 2 search_len 20 search_digits True"
expect_grep henrei_data_unchanged "$T/hen.txt" "same_except_search True"
expect_grep henrei_hr "$T/hen.txt" "hr HR,202612,1,L3129,資格喪失後"
expect_grep henrei_history_block "$T/hen.txt" "hist 3 ['8', '1', '0', 'RE'] HR"
get zogen && pass fetch_zogen || fail fetch_zogen "curl failed"
iconv -f CP932 -t UTF-8 "$T/zogen" > "$T/zogen.txt" 2>/dev/null || python3 -c "import sys; sys.stdout.write(open(sys.argv[1],'rb').read().decode('cp932'))" "$T/zogen" > "$T/zogen.txt"
expect_grep zogen_title "$T/zogen.txt" "2,指定訪問看護年月,レセプト番号,受付番号"
expect_grep zogen_detail "$T/zogen.txt" "-1200,B,,基本療養費"
expect_grep zogen_total "$T/zogen.txt" "6,202611,1,-1200"
get furikae && pass fetch_furikae || fail fetch_furikae "curl failed"
python3 -c "import sys; sys.stdout.write(open(sys.argv[1],'rb').read().decode('cp932'))" "$T/furikae" > "$T/fk.txt"
expect_grep furikae_row "$T/fk.txt" "分割,202610,3,"   # 指定訪問看護年月 taken from the upload
expect_grep furikae_insurers "$T/fk.txt" "01130012,06132013,20261015"
# the 検索番号 is the same across the files of the month
s1=$(grep '^RE,2,' "$T/hen.txt" 2>/dev/null; python3 -c "
import sys; l=[x for x in open(sys.argv[1],'rb').read().decode('cp932').split('\r\n') if x.startswith('RE,')][0]; print(l.split(',')[14])" "$T/henrei")
[ ${#s1} -eq 20 ] && pass search_no_present || fail search_no_present "'$s1'"
run curl -s -o /dev/null -w '%{http_code}' --max-time 5 --cacert "$P/root.pem" --cert "$T/client.pem" --key "$P/station.key" "$URL/results/1234567/202611/nosuch"
expect_grep unknown_result_404 "$T/out" "404"
