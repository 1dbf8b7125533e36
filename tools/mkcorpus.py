#!/usr/bin/env python3
"""mkcorpus.py - (re)make tests/corpus/check/: valid RECEIPTH.UKE files and a
malformed corpus in which each file breaks exactly ONE rule of `houkan check`.

    python3 tools/mkcorpus.py [OUTDIR]      (default tests/corpus/check)

File names: valid/NAME.UKE must pass (exit 0, no error); bad/CODE__what.UKE
must report CODE (an error, exit 1 - or a warning, exit 0, for W- codes) and no
other error code.  All data is synthetic (fictitious names, numbers chosen for
their 検証番号).  The files are committed; rerun this after changing it and
review the diff.
"""
import copy, os, sys

def cd(body):  # 検証番号 (DIGEST 3.3)
    s, w = 0, 2
    for ch in reversed(body):
        p = int(ch) * w
        s += p // 10 + p % 10
        w = 3 - w
    return str((10 - s % 10) % 10)

def num(body):
    return body + cd(body)

INS_KUMIAI = num("0613999")       # 06139992 健保組合 (DIGEST 1.7)
INS_KYOKAI = "01130012"           # 協会けんぽ東京 (DIGEST 3.3)
INS_KOUKI = num("3913000")        # 39130000 東京都後期高齢者医療広域連合
KOUKI_NO = num("1234567")
PAYER_54 = num("5413001")         # 難病 (法別54), 東京
PAYER_12 = num("1213001")         # 生活保護 (法別12), 東京
RECIP_54 = num("123456")
RECIP_12 = num("765432")
assert INS_KUMIAI == "06139992" and INS_KOUKI == "39130000"

def jd(kind, days, code="1"):
    d = [""] * 31
    for x in days:
        d[x - 1] = code
    return ["JD", str(kind)] + d

def rj():
    return ["RJ", "20240401", "01"] + [""] * 26

def mf(k="00"):
    return ["MF", k] + [""] * 31

COMMON = [
    ["IH", "13", "1", "0123456", "テスト病院", "医師　一郎", ""],
    ["HJ", "01", "20240401", "20240930"],
    ["JS", "日常生活動作に一部介助を要する。", "03", "", "", ""],
    ["SY", "0000999", "", "テスト病名", ""],
    rj(),
]

def ka(date, futan, code, amount, staff="", times="", instr="", qty=""):
    return ["KA", date, futan, code, qty, str(amount), staff, times, instr]

def base_line(date, futan, amount=5550):
    return ka(date, futan, "510000110", amount, "03", "01", "01")

def receipt_a(n=1):
    """医保単独 本人 (6112): DIGEST 1.7, moved to 令和6年6月 (the master starts 20240601)."""
    days = [3, 10, 17, 24]
    kas = [base_line("20240603", "1"), ka("20240603", "1", "550000410", 7670)]
    kas += [base_line("202406%02d" % d, "1") for d in days[1:]]
    return [
        ["RE", str(n), "6112", "202406", "看護　太郎", "カンゴタロウ", "1", "19600101", "", "", "", "", "", "P000123", ""],
        ["HO", INS_KUMIAI, "１２３", "４５６", "4", str(4 * 5550 + 7670), "", "", "", "", "", ""],
        ["SN", "1", "01", "", "", "", "01", "", ""],
        jd(1, days),
    ] + copy.deepcopy(COMMON) + kas

def receipt_b(n=2):
    """医保 + 2 公費 (難病 54, 生活保護 12) (6132), with a percentage add-on (特別地域 50%)."""
    kas = []
    for d in ("20240605", "20240612"):
        kas += [base_line(d, "4", 8325), ka(d, "4", "510002370", 0)]
        if d == "20240605":
            kas.append(ka(d, "4", "550000410", 7670))
    total = str(8325 * 2 + 7670)
    return [
        ["RE", str(n), "6132", "202406", "試験　花子", "シケンハナコ", "2", "19700505", "", "", "", "", "", "P000124", ""],
        ["HO", INS_KYOKAI, "１０", "２０", "2", total, "", "", "", "", "", ""],
        ["KO", PAYER_54, RECIP_54, "", "2", total, "", ""],
        ["KO", PAYER_12, RECIP_12, "", "2", total, "", ""],
        ["SN", "1", "01", "", "", "", "02", "", ""],
        ["SN", "3", "01", "", "", "", "", "", ""],
        jd(1, [5, 12]), jd(2, [5, 12]), jd(3, [5, 12]),
        mf("00"),
    ] + copy.deepcopy(COMMON) + [["TZ", "04", "", ""]] + kas

def receipt_c(n=3):
    """公費単独 生活保護 (6212), SN for the 12- 公費."""
    return [
        ["RE", str(n), "6212", "202406", "見本　次郎", "", "1", "19800808", "", "", "", "", "", "", ""],
        ["KO", PAYER_12, RECIP_12, "", "1", "5550", "", ""],
        ["SN", "2", "01", "", "", "", "", "", ""],
        jd(2, [7]),
    ] + copy.deepcopy(COMMON) + [base_line("20240607", "5")]

def receipt_d(n=4):
    """後期高齢者 単独 一般 (6318), no SN (allowed for 後期), no JD."""
    return [
        ["RE", str(n), "6318", "202406", "仮名　三郎", "カメイサブロウ", "1", "19400303", "", "", "", "", "", "", ""],
        ["HO", INS_KOUKI, "", KOUKI_NO, "1", "5550", "", "", "", "", "", ""],
    ] + copy.deepcopy(COMMON) + [base_line("20240614", "1")]

HM = ["HM", "1", "13", "6", "1234567", "テスト訪問看護ステーション", "202407", "03-0000-0000"]

def multi():
    return [list(HM)] + receipt_a(1) + receipt_b(2) + receipt_c(3) + receipt_d(4) + [["GO"]]

def single():
    return [list(HM)] + receipt_a(1) + [["GO"]]

def encode(recs, eol=b"\r\n", eof=b"\x1a"):
    out = b""
    for r in recs:
        if isinstance(r, bytes):
            out += r + eol
        else:
            out += ",".join(r).encode("cp932") + eol
    return out + eof

# ---- helpers for mutations -------------------------------------------------
def find(recs, rid, nth=0, start=0):
    """index of the nth record with id rid at or after index start"""
    k = 0
    for i in range(start, len(recs)):
        r = recs[i]
        if not isinstance(r, bytes) and r[0] == rid:
            if k == nth:
                return i
            k += 1
    raise KeyError(rid)

def rstart(recs, n):
    """index of the RE of receipt n (1-based)"""
    return find(recs, "RE", n - 1)

def setf(rid, field, value, nth=0, receipt=None):
    """field is the 1-based field number of 記録条件仕様 (1 = record id)"""
    def m(recs):
        i = find(recs, rid, nth, rstart(recs, receipt) if receipt else 0)
        recs[i][field - 1] = value
        return recs
    return m

def chain(*fs):
    def m(recs):
        for f in fs:
            recs = f(recs)
        return recs
    return m

def delete(rid, nth=0, receipt=None):
    def m(recs):
        del recs[find(recs, rid, nth, rstart(recs, receipt) if receipt else 0)]
        return recs
    return m

def insert_after(rid, rec, nth=0, receipt=None):
    def m(recs):
        i = find(recs, rid, nth, rstart(recs, receipt) if receipt else 0)
        recs.insert(i + 1, rec)
        return recs
    return m

def move_after(rid, nth, after_rid, after_nth=0, receipt=None):
    def m(recs):
        base = rstart(recs, receipt) if receipt else 0
        i = find(recs, rid, nth, base)
        r = recs.pop(i)
        j = find(recs, after_rid, after_nth, base)
        recs.insert(j + 1, r)
        return recs
    return m

def raw(fn):  # byte-level mutation of the encoded base
    return ("raw", fn)

def sjis_in(rid, field, bad, receipt=None):
    """put raw bytes `bad` into a field"""
    def m(recs):
        i = find(recs, rid, 0, rstart(recs, receipt) if receipt else 0)
        r = recs[i]
        parts = [x.encode("cp932") for x in r]
        parts[field - 1] = parts[field - 1][:4] + bad + parts[field - 1][4:]
        recs[i] = b",".join(parts)
        return recs
    return m

A, B, C, D = 1, 2, 3, 4

CASES = [
    # --- file level (the reader's codes, h1) ---
    ("E-EMPTY", "empty_file", raw(lambda b: b"")),
    ("E-NO-EOF", "no_eof_byte", raw(lambda b: b[:-1])),
    ("E-EOF-POS", "data_after_eof", raw(lambda b: b + b"GO\r\n")),
    ("E-EOF-MULTI", "two_eof_bytes", raw(lambda b: b + b"\x1a")),
    ("E-EOF-POS+E-EOF-MULTI", "eof_inside_record", raw(lambda b: b.replace(b"P000123", b"P000\x1a123", 1))),
    ("E-LF", "lf_line_ends", raw(lambda b: b.replace(b"\r\n", b"\n"))),
    ("E-LF", "one_lf_line_end", raw(lambda b: b.replace(b"\r\n", b"\n", 3).replace(b"\n", b"\r\n", 2))),
    ("E-CR", "cr_line_end", raw(lambda b: b.replace(b"202407,03-0000-0000\r\n", b"202407,03-0000-0000\r", 1))),
    ("E-TRUNCATED+E-NO-EOF", "truncated_after_go", raw(lambda b: b[:-3])),
    ("E-TRUNCATED", "go_without_crlf", raw(lambda b: b[:-3] + b"\x1a")),
    ("E-QUOTE", "quote_in_record_number", raw(lambda b: b.replace(b"P000123", b'P000"123', 1))),
    ("E-SJIS", "invalid_lead_byte", sjis_in("JS", 2, b"\x80\x81", A)),
    ("E-SJIS", "lone_lead_byte", raw(lambda b: b.replace(b"P000123", b"P000123\x82", 1))),
    ("E-CHARSET", "nec_row13_circled_one", sjis_in("JS", 2, b"\x87\x40", A)),
    ("E-CHARSET", "ibm_extension", sjis_in("JS", 2, b"\xfa\x40", A)),
    ("E-CHARSET", "user_defined_area", sjis_in("JS", 2, b"\xf0\x40", A)),
    ("E-CHARSET", "control_byte_tab", raw(lambda b: b.replace(b"P000123", b"P000\t123", 1))),
    ("E-RECORD-LONG", "record_over_8192_bytes", sjis_in("TZ", 4, "あ".encode("cp932") * 4200, B)),
    ("E-FIELDS-MAX", "more_than_64_fields", raw(lambda b: b.replace(b"\r\nGO\r\n", b"\r\nGO" + b"," * 70 + b"\r\n"))),
    # --- file structure ---
    ("E-HM-FIRST", "no_hm", delete("HM")),
    ("E-HM-DUP", "hm_twice", lambda r: [r[0]] + r),
    ("E-GO-LAST", "no_go", delete("GO")),
    ("E-GO-LAST", "go_before_last_receipt", lambda r: r[:rstart(r, 4)] + [["GO"]] + r[rstart(r, 4):-1]),
    ("E-GO-DUP", "go_twice", lambda r: r + [["GO"]]),
    ("E-NO-RECEIPT", "hm_then_go", lambda r: [r[0], r[-1]]),
    ("E-REC-ORPHAN", "ih_before_first_re", lambda r: [r[0], list(COMMON[0])] + r[1:]),
    # --- record level ---
    ("E-REC-ID", "unknown_id_ZZ", insert_after("IH", ["ZZ", "1"], 0, A)),
    ("E-REC-ID", "medical_record_SI", insert_after("IH", ["SI", "11", "1", "111000110", "", "", "1"], 0, A)),
    ("E-REC-ID", "lowercase_ka", lambda r: [x if x is not r[find(r, "TZ")] else ["tz", "04", "", ""] for x in r]),
    ("E-REC-FIELDS", "re_14_fields", lambda r: (r[rstart(r, 1)].pop(), r)[1]),
    ("E-REC-FIELDS", "ka_10_fields", lambda r: (r[find(r, "KA", 0)].append(""), r)[1]),
    ("E-REC-FIELDS", "go_2_fields", setf("GO", 1, "GO,")),
    ("E-REC-FIELDS", "jd_32_fields", lambda r: (r[find(r, "JD")].pop(), r)[1]),
    ("E-MODE", "x_field_fullwidth", setf("RE", 14, "Ｐ０００１２３", 0, A)),
    ("E-MODE", "k_field_halfwidth", setf("IH", 5, "Test Hospital", 0, A)),
    ("E-MODE", "n_field_letters", setf("KA", 6, "5550Y", 0, A)),
    ("E-MODE", "phone_fullwidth", setf("HM", 8, "０３")),
    ("E-MODE", "js_text_halfwidth", setf("JS", 2, "ADL partly assisted", 0, A)),
    ("E-MODE", "jitsu_fullwidth_digit", setf("HO", 5, "４", 0, A)),
    ("E-MODE-MIXED", "name_halfwidth_space", setf("RE", 5, "看護 太郎", 0, A)),
    ("E-MODE-MIXED", "doctor_name_mixed", setf("IH", 6, "医師ichiro", 0, A)),
    ("E-LEN", "station_name_21_chars", setf("HM", 6, "テ" * 21)),
    ("E-LEN", "record_number_21_bytes", setf("RE", 14, "P" * 21, 0, A)),
    ("E-LEN", "tz_text_over_400_bytes", setf("TZ", 4, "あ" * 201, 0, B)),
    ("E-LEN", "receipt_number_7_digits", lambda r: setf("RE", 2, "1000000", 0, A)(r)),
    ("E-FIXED", "station_code_6_digits", setf("HM", 5, "123456")),
    ("E-LEN", "doctor_institution_code_8", setf("IH", 4, "01234567", 0, A)),
    ("E-FIXED", "doctor_institution_code_6", setf("IH", 4, "012345", 0, A)),
    ("E-FIXED", "hj_kubun_1_digit", setf("HJ", 2, "1", 0, A)),
    ("E-FIXED", "birth_date_7_digits", setf("RE", 8, "1960011", 0, A)),
    ("E-REQUIRED", "re_name_empty", setf("RE", 5, "", 0, A)),
    ("E-REQUIRED", "hm_station_name_empty", setf("HM", 6, "")),
    ("E-REQUIRED", "hj_until_empty", setf("HJ", 4, "", 0, A)),
    ("E-REQUIRED", "js_umu_empty", setf("JS", 3, "", 0, A)),
    ("E-REQUIRED", "rj_start_empty", setf("RJ", 2, "", 0, A)),
    ("E-REQUIRED", "sn_kakunin_empty", setf("SN", 3, "", 0, A)),
    ("E-TRAILING-SPACE", "ih_name_fullwidth_space", setf("IH", 5, "テスト病院　", 0, A)),
    ("E-TRAILING-SPACE", "phone_trailing_space", setf("HM", 8, "03-0000-0000 ")),
    ("W-NUM-ZERO", "receipt_number_01", setf("RE", 2, "01", 0, A)),
    ("W-NUM-ZERO", "ko_jitsu_leading_zero", setf("KO", 5, "01", 0, C)),
    ("E-CODE", "receipt_type_6119", setf("RE", 3, "6119", 0, A)),
    ("E-CODE", "shinsa_3", setf("HM", 2, "3")),
    ("E-CODE", "pref_48", setf("HM", 3, "48")),
    ("E-CODE", "sex_3", setf("RE", 7, "3", 0, A)),
    ("E-CODE", "shiji_07", setf("HJ", 2, "07", 0, A)),
    ("E-CODE", "futan_A", setf("KA", 3, "A", 0, D)),
    ("E-CODE", "tokki_03", setf("RE", 12, "03", 0, A)),
    ("E-CODE", "tokki_odd_length", setf("RE", 12, "011", 0, A)),
    ("E-CODE", "disease_021", setf("JS", 4, "021", 0, A)),
    ("E-CODE", "jd_day_code_3", setf("JD", 5, "3", 0, A)),
    ("E-CODE", "place_02", setf("RJ", 3, "02", 0, A)),
    ("E-CODE-DUP", "tokki_0101", setf("RE", 12, "0101", 0, A)),
    ("E-CODE-DUP", "diseases_001001", chain(setf("JS", 3, "01", 0, A), setf("JS", 4, "001001", 0, A))),
    ("E-DATE", "birth_0231", setf("RE", 8, "19600231", 0, A)),
    ("E-DATE", "hj_month_13", setf("HJ", 3, "20241301", 0, A)),
    ("E-DATE", "rj_day_00", setf("RJ", 2, "20240400", 0, A)),
    ("E-DATE", "ih_report_date", setf("IH", 7, "20240631", 0, A)),
    ("E-MONTH", "claim_month_00", setf("HM", 7, "202400")),
    ("E-TIME", "rj_end_time_2460", chain(setf("RJ", 11, "20240628", 0, A), setf("RJ", 12, "2460", 0, A))),
    ("E-TIME", "rj_death_time_0960", chain(setf("RJ", 15, "20240628", 0, A), setf("RJ", 16, "0960", 0, A))),
    ("E-INSURER", "insurer_check_digit", setf("HO", 2, "06139993", 0, A)),
    ("E-INSURER", "kokuho_left_aligned", setf("HO", 2, "139998  ", 0, A)),
    ("E-INSURER", "kokuho_bad_check_digit", setf("HO", 2, "  139997", 0, A)),
    ("E-INSURER", "insurer_pref_00", setf("HO", 2, num("0100001"), 0, A)),
    ("E-KOUKI-NUMBER", "kouki_insured_check_digit", setf("HO", 4, KOUKI_NO[:-1] + str((int(KOUKI_NO[-1]) + 1) % 10), 0, D)),
    ("E-PAYER-NUMBER", "payer_check_digit", setf("KO", 2, PAYER_12[:-1] + str((int(PAYER_12[-1]) + 1) % 10), 0, C)),
    ("E-PAYER-NUMBER", "payer_pref_00", setf("KO", 2, num("5400001"), 0, B)),
    ("W-RECIPIENT-NUMBER", "recipient_check_digit", setf("KO", 3, RECIP_54[:-1] + str((int(RECIP_54[-1]) + 1) % 10), 0, B)),
    ("E-KANA", "kana_hiragana", setf("RE", 6, "かんごたろう", 0, A)),
    ("E-KANA", "kana_dash_815c", setf("RE", 6, "カンゴ―タロウ", 0, A)),
    ("E-KANA", "kana_with_space", setf("RE", 6, "カンゴ　タロウ", 0, A)),
    ("E-TENSU", "hm_tensu_1", setf("HM", 4, "1")),
    ("E-TENSU", "ih_tensu_6", setf("IH", 3, "6", 0, A)),
    # --- receipt level ---
    ("E-RE-ORDER", "ka_before_rj", move_after("KA", 0, "SY", 0, D)),
    ("E-RE-ORDER", "ho_after_ko", move_after("HO", 0, "KO", 0, B)),
    ("E-RE-ORDER", "sn_after_jd", move_after("SN", 0, "JD", 0, A)),
    ("E-RE-ORDER", "ih_after_hj", move_after("IH", 0, "HJ", 0, A)),
    ("E-RE-ORDER", "tz_after_ka", move_after("TZ", 0, "KA", 4, B)),
    ("E-RE-DUP", "rj_twice", insert_after("RJ", rj(), 0, A)),
    ("E-RE-DUP", "fifth_ko", lambda r: r),  # filled in below
    ("E-RE-MISSING", "no_ih", delete("IH", 0, A)),
    ("E-RE-MISSING", "no_hj", delete("HJ", 0, A)),
    ("E-RE-MISSING", "no_js", delete("JS", 0, C)),
    ("E-RE-MISSING", "no_sy", delete("SY", 0, D)),
    ("E-RE-MISSING", "no_rj", delete("RJ", 0, A)),
    ("E-RE-NUMBER", "second_receipt_numbered_3", setf("RE", 2, "3", 0, B)),
    ("E-RE-NUMBER", "first_receipt_numbered_0", setf("RE", 2, "0", 0, A)),
    ("E-RE-MONTH", "claim_month_equals_service", setf("HM", 7, "202406")),
    ("E-RE-MONTH", "claim_month_before_service", setf("HM", 7, "202405")),
    ("E-TYPE-HO", "kohi_type_with_ho", setf("RE", 3, "6212", 0, A)),
    ("E-TYPE-HO", "iho_type_without_ho", setf("RE", 3, "6112", 0, C)),
    ("E-TYPE-PAYERS", "type_single_with_two_kohi", setf("RE", 3, "6112", 0, B)),
    ("E-TYPE-PAYERS", "type_three_payers_alone", setf("RE", 3, "6132", 0, A)),
    ("W-TYPE-KOUKI", "kouki_insurer_with_6118", setf("RE", 3, "6118", 0, D)),
    ("W-TYPE-KOUKI", "kouki_type_other_insurer", setf("RE", 3, "6318", 0, A)),
    ("W-KO-ORDER", "seiho_before_nanbyo", lambda r: ko_swap(r)),
    ("E-KA-MONTH", "ka_next_month", setf("KA", 2, "20240701", 0, D)),
    ("E-KA-MONTH", "ka_previous_month", setf("KA", 2, "20240531", 0, D)),
    ("E-KA-ORDER", "ka_17_before_10", lambda r: ka_swap(r, A, 2, 3)),
    ("E-KA-ORDER", "first_visit_last", move_after("KA", 0, "KA", 3, A)),
    ("E-KA-PAYER", "kohi_payer_without_ko", setf("KA", 3, "2", 0, A)),
    ("E-KA-PAYER", "second_kohi_without_ko", setf("KA", 3, "7", 0, C)),
    ("E-SN-PAYER", "sn_for_missing_kohi", insert_after("SN", ["SN", "2", "01", "", "", "", "", "", ""], 0, A)),
    ("E-SN-KOHI", "sn_for_nanbyo", insert_after("SN", ["SN", "2", "01", "", "", "", "", "", ""], 0, B)),
    ("E-SN-ORDER", "sn_descending", move_after("SN", 0, "SN", 0, B)),
    ("E-SN-ORDER", "sn_twice_same_kind", insert_after("SN", ["SN", "1", "01", "", "", "", "02", "", ""], 0, B)),
    ("E-SN-KAKUNIN", "kakunin_02", setf("SN", 3, "02", 0, A)),
    ("E-SN-KAKUNIN", "kakunin_09", setf("SN", 3, "09", 0, C)),
    ("E-SN-FIRST", "sn_insurer_filled", setf("SN", 4, INS_KUMIAI, 0, A)),
    ("E-SN-FIRST", "sn_recipient_filled", setf("SN", 8, RECIP_12, 0, C)),
    ("E-SN-EDABAN", "edaban_for_kohi", setf("SN", 7, "01", 0, C)),
    ("E-SN-EDABAN", "edaban_for_kouki", insert_after("HO", ["SN", "1", "01", "", "", "", "01", "", ""], 0, D)),
    ("E-JD-PAYER", "jd_for_missing_kohi", setf("JD", 2, "2", 0, A)),
    ("E-JD-ORDER", "jd_descending", move_after("JD", 0, "JD", 1, B)),
    ("E-JD-DAYS", "jd_day_without_ka", setf("JD", 2 + 4, "1", 0, A)),
    ("E-JD-DAYS", "ka_day_not_in_jd", setf("JD", 2 + 24, "", 0, A)),
    ("E-JD-DAYS", "jd_kohi_missing_day", setf("JD", 2 + 12, "", 2, B)),
    ("E-JD-CODE9", "jd_code_9", setf("JD", 2 + 3, "9", 0, A)),
    ("E-JITSU", "ho_jitsu_5", setf("HO", 5, "5", 0, A)),
    ("E-JITSU", "ko_jitsu_3", setf("KO", 5, "3", 0, B)),
    ("E-JITSU", "jd_code_2_not_counted", setf("JD", 2 + 10, "2", 0, A)),
    ("E-TOTAL", "ho_total_off_by_one", setf("HO", 6, str(4 * 5550 + 7670 + 1), 0, A)),
    ("E-TOTAL", "ko_total_wrong", setf("KO", 6, "5000", 0, C)),
    ("E-TOTAL", "second_ko_total_wrong", setf("KO", 6, "1", 1, B)),
    ("E-MF-KUBUN", "mf_03", setf("MF", 2, "03", 0, B)),
    ("E-MF-KUBUN", "mf_04", setf("MF", 2, "04", 0, B)),
    ("W-GI", "gi_record", insert_after("MF", ["GI", "20240601", "01", "", "", "", "", ""], 0, B)),
    ("E-HJ-PERIOD", "hj_until_before_from", setf("HJ", 4, "20240331", 0, A)),
    ("E-JS-03", "umu_03_with_01", setf("JS", 3, "0103", 0, A)),
    ("E-SY-NAME", "uncoded_without_name", setf("SY", 4, "", 0, A)),
    ("E-SY-NAME", "coded_with_name", setf("SY", 2, "1234567", 0, A)),
    # --- master rules ---
    ("E-KA-MASTER", "unknown_code", chain(setf("KA", 4, "519999999", 0, D))),
    ("E-KA-SHOKUSHU", "base_without_staff", setf("KA", 7, "", 0, A)),
    ("E-KA-SHOKUSHU", "staff_not_allowed_04", setf("KA", 7, "04", 0, A)),
    ("E-KA-SHOKUSHU", "kanri_with_staff", setf("KA", 7, "03", 1, A)),
    ("E-KA-KAISU", "base_without_times", setf("KA", 8, "", 0, A)),
    ("E-KA-KAISU", "kanri_with_times", setf("KA", 8, "01", 1, A)),
    ("E-KA-SHIJI", "base_without_instruction", setf("KA", 9, "", 0, A)),
    ("E-KA-SHIJI", "kanri_with_instruction", setf("KA", 9, "01", 1, A)),
    ("E-KA-SHIJI", "base_with_psych_instruction", setf("KA", 9, "03", 0, A)),
    ("E-KA-QTY", "quantity_not_allowed", setf("KA", 5, "1", 0, A)),
    ("E-KA-ADDON", "percent_addon_with_amount", lambda r: addon_amount(r)),
    ("E-KA-ADDON", "percent_addon_after_kanri", move_after("KA", 1, "KA", 1, B)),
    ("E-KA-LIMIT", "kanri_first_day_twice", lambda r: kanri_twice(r)),
]

def ka_swap(r, n, i, j):
    a, b = find(r, "KA", i, rstart(r, n)), find(r, "KA", j, rstart(r, n))
    r[a], r[b] = r[b], r[a]
    return r

def ko_swap(r):
    s = rstart(r, B)
    a, b = find(r, "KO", 0, s), find(r, "KO", 1, s)
    r[a], r[b] = r[b], r[a]
    r[find(r, "SN", 1, s)][1] = "2"  # SN for the 12- 公費, now 第1公費
    return r

def addon_amount(r):
    s = rstart(r, B)
    r[find(r, "KA", 1, s)][5] = "100"
    tot = str(8325 * 2 + 7670 + 100)
    r[find(r, "HO", 0, s)][5] = tot
    r[find(r, "KO", 0, s)][5] = tot
    r[find(r, "KO", 1, s)][5] = tot
    return r

def kanri_twice(r):
    s = rstart(r, A)
    i = find(r, "KA", 2, s)  # the 20240610 base line
    r.insert(i + 1, ka("20240610", "1", "550000410", 7670))
    r[find(r, "HO", 0, s)][5] = str(4 * 5550 + 2 * 7670)
    return r

def fifth_ko(r):
    """receipt B as 6152 (HO + 4 公費, every KA borne by all five) plus a fifth KO"""
    s = rstart(r, B)
    r[s][2] = "6152"
    i = find(r, "KO", 0, s)
    for _ in range(3):
        r.insert(i + 1, list(r[i]))
    del r[find(r, "SN", 1, s)]  # the 12- 公費 is now 第5: no SN for it
    for k in range(5):
        r[find(r, "KA", k, s)][2] = "9"
    return r

CASES = [(c, n, fifth_ko) if (c, n) == ("E-RE-DUP", "fifth_ko") else (c, n, f) for c, n, f in CASES]

def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "corpus", "check")
    os.makedirs(os.path.join(out, "valid"), exist_ok=True)
    os.makedirs(os.path.join(out, "bad"), exist_ok=True)
    valid = {"digest_1_7_example": single(), "multi_kohi_kouki": multi()}
    for name, recs in valid.items():
        with open(os.path.join(out, "valid", name + ".UKE"), "wb") as f:
            f.write(encode(recs))
    seen = set()
    for code, name, fn in CASES:
        fname = "%s__%s.UKE" % (code, name)
        assert fname not in seen, fname
        seen.add(fname)
        if isinstance(fn, tuple):
            data = fn[1](encode(multi()))
        else:
            data = encode(fn(copy.deepcopy(multi())))
        with open(os.path.join(out, "bad", fname), "wb") as f:
            f.write(data)
    print("%d valid, %d bad files in %s" % (len(valid), len(CASES), out))

if __name__ == "__main__":
    main()
