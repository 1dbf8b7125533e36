#!/bin/sh
# houkan master: summary, items, search, revisions by date, exit codes.
. "$SRC/tests/lib.sh"
OFF="$SRC/data/master/20240601"

# --- summary of the shipped master (HOUKAN_MASTER_DIR from lib.sh) ---
expect_rc summary_ok 0 "$HOUKAN" master
expect_grep summary_effective "$T/out" "effective: 2024-06-01 (no later revision)"
expect_grep summary_kihon_rows "$T/out" "houmonkango-master-kihon.csv                 208 rows"
expect_grep summary_haihan_rows "$T/out" "4340 rows"
# the version is "YYYYMMDD:" + sha256 of the sha256sum listing of the five
# files in table order: recompute it independently
want=$(cd "$OFF" && sha256sum houmonkango-master-kihon.csv houmonkango-master-kihon-kasan-taiou.csv \
	houmonkango-master-santei-kaisu-gendo.csv houmonkango-master-heisantei-haihan.csv \
	houmonkango-master-shisetsu-kijun.csv | sha256sum | cut -d' ' -f1)
expect_grep summary_version "$T/out" "version:   20240601:$want"
kihon_sha=$(sha256sum "$OFF/houmonkango-master-kihon.csv" | cut -d' ' -f1)
expect_grep summary_file_digest "$T/out" "$kihon_sha"

# --- items ---
expect_rc item_ok 0 "$HOUKAN" master --date 2024-07-01 510000110
expect_grep item_name "$T/out" "510000110  訪問看護基本療養費１（保健師、助産師又は看護師による場合（ハを除く。））（週３日目まで）"
expect_grep item_amount "$T/out" "5550円 (金額識別 1 金額)"
expect_grep item_staff "$T/out" "職種等:     01 02 03 08"
expect_grep item_week_limit "$T/out" "算定回数限度: 3 per 週"
expect_grep item_exclusion "$T/out" "1日につき  どちらか一方算定可  510000210"
expect_grep item_addon "$T/out" "加算識別 01  510002370"
expect_rc item_percent 0 "$HOUKAN" master --date 2024-07-01 510002370
expect_grep item_percent_amount "$T/out" "50% (金額識別 5 ％加算)"
expect_rc item_facility 0 "$HOUKAN" master --date 2024-07-01 510000510
expect_grep item_facility_code "$T/out" "施設基準:   1607 (group B008"

# --- unknown and malformed codes ---
expect_rc unknown_code 1 "$HOUKAN" master --date 2024-07-01 510000110 599999999
expect_grep unknown_code_named "$T/err" "599999999: no such 訪問看護療養費コード valid on 2024-07-01"
expect_grep unknown_code_others_shown "$T/out" "510000110"
expect_rc bad_code_usage 2 "$HOUKAN" master 51000011
expect_rc bad_date_usage 2 "$HOUKAN" master --date 2024-02-30

# --- search ---
expect_rc search_ok 0 "$HOUKAN" master --date 2024-07-01 --search 特別地域訪問看護加算
if [ "$(wc -l <"$T/out")" -eq 3 ]; then pass search_three_hits; else fail search_three_hits "$(cat "$T/out")"; fi
expect_grep search_hit "$T/out" "510002370"
expect_rc search_none 1 "$HOUKAN" master --date 2024-07-01 --search 存在しない名称

# --- revisions: a later directory with a changed amount ---
mkdir -p "$T/root/20240601" "$T/root/20250101"
cp "$OFF"/*.csv "$T/root/20240601/"
cp "$OFF"/*.csv "$T/root/20250101/"
chmod u+w "$T/root/20250101"/*.csv
sed 's/"5550\.00"/"5600.00"/' "$OFF/houmonkango-master-kihon.csv" >"$T/root/20250101/houmonkango-master-kihon.csv"
expect_rc rev_before 0 "$HOUKAN" master --dir "$T/root" --date 2024-12-31 510000110
expect_grep rev_before_amount "$T/out" "5550円"
expect_rc rev_after 0 "$HOUKAN" master --dir "$T/root" --date 2025-01-01 510000110
expect_grep rev_after_amount "$T/out" "5600円"
expect_rc rev_env 0 env HOUKAN_MASTER_DIR="$T/root" "$HOUKAN" master --date 2025-01-01
expect_grep rev_env_effective "$T/out" "effective: 2025-01-01"
expect_rc rev_summary_next 0 "$HOUKAN" master --master-dir "$T/root" --date 2024-07-01
expect_grep rev_summary_next_date "$T/out" "(until the next revision, 2025-01-01)"
expect_rc rev_too_early 3 "$HOUKAN" master --dir "$T/root" --date 2024-05-31
expect_grep rev_too_early_msg "$T/err" "no master revision in force on 2024-05-31 (the earliest is 20240601)"

# --- a master that cannot be loaded ---
expect_rc no_root 3 "$HOUKAN" master --dir "$T/nonexistent"
mkdir -p "$T/broken/20240601"
cp "$OFF"/*.csv "$T/broken/20240601/"
chmod u+w "$T/broken/20240601"/*.csv
sed '2s/"20240601","99999999"/"20240631","99999999"/' "$OFF/houmonkango-master-santei-kaisu-gendo.csv" \
	>"$T/broken/20240601/houmonkango-master-santei-kaisu-gendo.csv"
expect_rc broken_master 3 "$HOUKAN" master --dir "$T/broken" --date 2024-07-01
expect_grep broken_master_where "$T/err" "houmonkango-master-santei-kaisu-gendo.csv:2:8: 項番8 変更年月日: '20240631' is not a date"
