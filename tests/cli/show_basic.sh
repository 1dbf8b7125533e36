#!/bin/sh
# houkan show: a readable rendering of RECEIPTH.UKE, exit codes.
# The fixture is written here from UTF-8 text with Python's cp932 codec; the
# expected names/amounts come from the master CSV and the 別表, not from show.
. "$SRC/tests/lib.sh"
MD="$SRC/data/master"

mk() { # mk FILE: UTF-8 lines on stdin -> CRLF, cp932, final 0x1A
	python3 -c '
import sys
s = sys.stdin.read().replace("\n", "\r\n").encode("cp932")
open(sys.argv[1], "wb").write(s + b"\x1a")' "$1"
}

mk "$T/a.UKE" <<'X'
HM,1,13,6,1234567,テスト訪問看護ステーション,202407,03-0000-0000
RE,1,6112,202406,看護　太郎,カンゴタロウ,1,19600101,,,,,,P000123,
HO,06139992,１２３,４５６,4,29870,,,,,,
JD,1,,,1,,,,,,,1,,,,,,,1,,,,,,,1,,,,,,,
IH,13,1,0123456,テスト病院,医師　一郎,
KA,20240603,1,510000110,,5550,03,01,01
KA,20240603,1,550000410,,7670,,,
KA,20240610,1,510000110,,5550,03,01,01
KA,20240617,1,510000110,,5550,03,01,01
KA,20240624,1,510000110,,5550,03,01,01
RE,2,6212,202406,試験　花子,,2,19500505,,,,,,,
KO,12136017,1234567,,1,5550,,
KA,20240605,5,510000110,,5550,03,01,01
GO
X

expect_rc show_ok 0 "$HOUKAN" show --master-dir "$MD" "$T/a.UKE"
expect_grep show_station "$T/out" "訪問看護ステーション: 1234567 テスト訪問看護ステーション"
expect_grep show_review_body "$T/out" "審査支払機関: 1 社会保険診療報酬支払基金"
expect_grep show_claim_month "$T/out" "請求年月: 2024年07月"
# 別表4 label of 6112 (記録条件仕様 別表４)
expect_grep show_type_label "$T/out" "種別 6112 訪問看護・医保単独/国保単独・本人/世帯主"
expect_grep show_patient "$T/out" "氏名: 看護　太郎 (カンゴタロウ)  性別: 男  生年月日: 1960-01-01"
expect_grep show_insurer "$T/out" "保険者番号: 06139992  記号: １２３  番号: ４５６  実日数: 4  合計金額: 29,870円"
expect_grep show_kohi "$T/out" "公費: 負担者番号 12136017  受給者番号 1234567"
expect_grep show_visit_days "$T/out" ": 3 10 17 24"
# KA name straight from the master CSV (column 7 基本名称 of 510000110)
name=$(iconv -f CP932 -t UTF-8 "$MD/20240601/houmonkango-master-kihon.csv" | awk -F, '$3 == "510000110" || $3 == "\"510000110\"" { gsub(/"/, "", $7); print $7; exit }')
if [ -n "$name" ]; then expect_grep show_ka_name "$T/out" "2024-06-03  510000110      5,550円  $name"
else fail show_ka_name "510000110 not found in the master CSV"; fi
# totals: 4 x 5550 + 7670 = 29870; file 29870 + 5550 = 35420
expect_grep show_receipt_total "$T/out" "レセプト計: 訪問看護療養費 5 件  29,870円"
expect_grep show_file_total "$T/out" "ファイル計: レセプト 2 件  訪問看護療養費 6 件  35,420円"
if [ "$(grep -c '^$' "$T/err")" -eq 0 ] && [ ! -s "$T/err" ]; then pass show_no_diags; else fail show_no_diags "$(head -c 300 "$T/err")"; fi

# without the master: codes only, still exit 0
expect_rc show_no_master 0 "$HOUKAN" show --no-master "$T/a.UKE"
expect_grep show_no_master_code "$T/out" "510000110      5,550円  (名称不明)"
# a master root with nothing in force on the KA dates: warning, exit 0
mkdir -p "$T/emptymaster"
expect_rc show_master_missing 0 "$HOUKAN" show --master-dir "$T/emptymaster" "$T/a.UKE"
expect_grep show_master_missing_warn "$T/err" "KA names are not shown"

# stdin
"$HOUKAN" show --no-master - <"$T/a.UKE" >"$T/stdin.out" 2>"$T/stdin.err"; rc=$?
if [ $rc -eq 0 ] && grep -qF "ファイル計: レセプト 2 件" "$T/stdin.out"; then pass show_stdin; else fail show_stdin "rc=$rc"; fi

# LF line ends and no 0x1A: shown (tolerant), warnings on stderr
python3 -c '
import sys
d = open(sys.argv[1], "rb").read()[:-1].replace(b"\r\n", b"\n")
open(sys.argv[2], "wb").write(d)' "$T/a.UKE" "$T/lf.UKE"
expect_rc show_lf 0 "$HOUKAN" show --no-master "$T/lf.UKE"
expect_grep show_lf_total "$T/out" "35,420円"
expect_grep show_lf_warn "$T/err" "warning: W-LF"
expect_grep show_noeof_warn "$T/err" "warning: W-NO-EOF"

# a character outside 別紙4 (NEC ① 0x8740) is shown as U+FFFD and reported
python3 -c '
import sys
d = open(sys.argv[1], "rb").read().replace("看護　太郎".encode("cp932"), b"\x87\x40")
open(sys.argv[2], "wb").write(d)' "$T/a.UKE" "$T/bad.UKE"
expect_rc show_badchar 0 "$HOUKAN" show --no-master "$T/bad.UKE"
expect_grep show_badchar_out "$T/out" "氏名: � (カンゴタロウ)"
expect_grep show_badchar_diag "$T/err" ":2: error: E-CHARSET: field 5"

# exit codes: empty or non-UKE file 1, unreadable 3, usage 2
: >"$T/empty.UKE"
expect_rc show_empty 1 "$HOUKAN" show "$T/empty.UKE"
expect_grep show_empty_diag "$T/err" "E-EMPTY"
printf 'hello,world\r\n\032' >"$T/junk.UKE"
expect_rc show_junk 1 "$HOUKAN" show "$T/junk.UKE"
expect_grep show_junk_msg "$T/err" "no record of the visiting-nursing receipt file"
expect_rc show_missing 3 "$HOUKAN" show "$T/nope.UKE"
expect_rc show_usage 2 "$HOUKAN" show
expect_rc show_usage2 2 "$HOUKAN" show a b
