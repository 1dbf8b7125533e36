"""mkcorpus.py DIR - writes the malformed-results corpus (tests/cli/ingest_malformed.sh):
DIR/good/* (valid files of each kind, also the fuzz seeds) and DIR/bad/* with
DIR/bad/EXPECT (file TAB a fragment the error must contain).  Synthetic data
only.  Run it again after changing it; the files are committed."""
import os
import sys

D = sys.argv[1]
CRLF = "\r\n"


def enc(lines, eof=True, sep=CRLF):
    return (sep.join(lines) + sep).encode("cp932") + (b"\x1a" if eof else b"")


SN = "12345678901234567890"
RE = "RE,1,6112,202610,看護　太郎,カンゴタロウ,1,19600101,,,,,,P000123-2610A," + SN
RECEIPT = [RE, "HO,06139992,１２３,４５６,1,5550,,,,,,", "SN,1,01,,,,01,,",
           "IH,13,1,0123456,テスト病院,医師　一郎,", "HJ,01,20261001,20270331",
           "JS,日常生活動作に一部介助を要する。,03,,,", "SY,0000999,,テスト病名,",
           "RJ,20250401,01" + "," * 27, "KA,20261003,1,510000110,,5550,03,01,01"]
HR = "HR,202612,1,L3129,資格喪失後の受診"
HIST = ["8,%d,0,%s" % (i, r) for i, r in enumerate(RECEIPT + [HR], 1)]
HH = "HH,1,13,6,1234567,テスト訪問看護ステーション,202611,"
HEN = [HH] + RECEIPT + [HR] + HIST + ["HG,1,5550"]

ZT = ["レコード種別", "指定訪問看護年月", "レセプト番号", "受付番号", "予備", "特別審査委員会", "明細種別", "保険者番号", "予備",
      "第一公費負担者番号", "第二公費負担者番号", "第三公費負担者番号", "第四公費負担者番号", "区分", "高額療養費負担区分",
      "職務上の事由", "予備", "氏名", "訪問看護記録番号等", "箇所１", "箇所２", "法別番号", "増減金額", "事由",
      "負担（請求内容）", "請求内容", "負担（補正・査定後内容）", "補正・査定後内容", "検索番号", "請求情報"]


def zrow(**kw):
    r = [""] * 30
    r[0] = "3"
    idx = {"month": 1, "no": 2, "ins": 7, "key": 18, "amount": 22, "reason": 23, "item": 25, "sn": 28}
    base = {"month": "202610", "no": "1", "ins": "06139992", "key": "P000123-2610A", "amount": "-1200", "reason": "B",
            "item": "訪問看護基本療養費", "sn": SN}
    base.update(kw)
    for k, v in base.items():
        r[idx[k]] = v
    return ",".join(r)


ZHEAD = "1,202611,1,,1234567"
ZTITLE = ",".join(["2"] + ZT[1:])
ZOGEN = [ZHEAD, ZTITLE, zrow(), zrow(amount="-300", reason="D", item="緊急訪問看護加算"), "6,202611,2,-1500"]
FT = "区分,指定訪問看護年月,レセプト番号,検索番号,訪問看護記録番号等,旧保険者番号,新保険者番号,分割年月日,金額"
FURI = [FT, "振替,202610,1,%s,P000123-2610A,06139992,01130012,,5550" % SN,
        "分割,202610,2,,P000456-2610A,06139992,39130000,20261015,2000"]

good = {"RECEIPTH.HEN": enc(HEN), "noeof.HEN": enc(HEN, eof=False), "zogn202611.csv": enc(ZOGEN, eof=False),
        "zogn-eof.csv": enc(ZOGEN), "zogn-lf.csv": enc(ZOGEN, sep="\n"),
        "zogn-utf8.csv": b"\xef\xbb\xbf" + (CRLF.join(ZOGEN) + CRLF).encode(),
        "furikae202611.csv": enc(FURI, eof=False)}


def hen(repl=None, drop=None, insert=None, **kw):
    lines = list(HEN)
    if repl:
        for i, v in repl.items():
            lines[i] = v
    if drop is not None:
        lines = [l for i, l in enumerate(lines) if i not in drop]
    if insert:
        for i, v in sorted(insert.items(), reverse=True):
            lines[i:i] = [v]
    return enc(lines, **kw)


iRE, iHR, iH1, iHG = 1, 1 + len(RECEIPT), 2 + len(RECEIPT), len(HEN) - 1
bad = [
    # returned files
    ("hen-no-hh.HEN", enc(HEN[1:]), "unknown kind"),
    ("hen-hh-body.HEN", hen({0: HH.replace("HH,1,", "HH,3,")}), "審査支払機関 must be 1 or 2"),
    ("hen-hh-station.HEN", hen({0: HH.replace("1234567", "123456")}), "ステーションコード must be 7 digits"),
    ("hen-hh-month.HEN", hen({0: HH.replace("202611", "2026-11")}), "請求年月 must be YYYYMM"),
    ("hen-hh-short.HEN", hen({0: "HH,1,13,6,1234567"}), "unknown kind"),
    ("hen-hh-twice.HEN", hen(insert={1: HH}), "a second HH"),
    ("hen-sn-empty.HEN", hen({iRE: RE[:-len(SN)]}), "検索番号 must be 17 to 30 digits"),
    ("hen-sn-short.HEN", hen({iRE: RE[:-4]}), "検索番号 must be 17 to 30 digits"),
    ("hen-sn-letters.HEN", hen({iRE: RE[:-3] + "ABC"}), "検索番号 must be 17 to 30 digits"),
    ("hen-sn-long.HEN", hen({iRE: RE + "12345678901"}), "検索番号 must be 17 to 30 digits"),
    ("hen-re-fields.HEN", hen({iRE: RE + ",X"}), "an RE record has 15"),
    ("hen-re-month.HEN", hen({iRE: RE.replace(",202610,", ",2026,")}), "指定訪問看護年月 must be YYYYMM"),
    ("hen-re-no.HEN", hen({iRE: RE.replace("RE,1,", "RE,A,")}), "レセプト番号"),
    ("hen-re-key-long.HEN", hen({iRE: RE.replace("P000123-2610A", "P" * 21)}), "longer than 20"),
    ("hen-no-hr-then-hg.HEN", hen(drop=set(range(iHR, iHG))), "has no HR"),
    ("hen-no-hr-then-re.HEN", hen(drop={iHR}), "history line directly after"),
    ("hen-no-hr-next-re.HEN", enc([HH] + RECEIPT + RECEIPT + [HR] + HIST + ["HG,2,1"]), "has no HR"),
    ("hen-hr-first.HEN", hen(insert={1: HR}), "HR before any returned receipt"),
    ("hen-hr-after-hist.HEN", hen(insert={iHG: HR}), "HR after the history block"),
    ("hen-hr-month.HEN", hen({iHR: HR.replace("202612", "20261")}), "処理年月 must be YYYYMM"),
    ("hen-hr-kubun.HEN", hen({iHR: HR.replace(",1,L", ",X,L")}), "返戻区分"),
    ("hen-hr-code.HEN", hen({iHR: HR.replace("L3129", "L-31")}), "返戻事由コード"),
    ("hen-hr-code-empty.HEN", hen({iHR: HR.replace("L3129", "")}), "返戻事由コード"),
    ("hen-hr-fields.HEN", hen({iHR: "HR,202612,1,L3129"}), "at least 5"),
    ("hen-hr-too-many.HEN", hen(insert={iHR: HR} if False else {i: HR for i in [iHR] * 1}) if False else
     enc([HH] + RECEIPT + [HR] * 33 + HIST + ["HG,1,1"]), "HK_HEN_MAX_REASONS"),
    ("hen-hist-first.HEN", hen(insert={1: HIST[0]}), "history line"),
    ("hen-hist-after-data.HEN", hen(drop={iHR}, insert={iHG: HR}), "history line directly after"),
    ("hen-hist-noid.HEN", hen({iH1: "8,1,0,REX,1"}), "record id"),
    ("hen-after-hg.HEN", enc(HEN + [RE]), "after HG"),
    ("hen-no-hg.HEN", enc(HEN[:-1]), "without HG"),
    ("hen-hg-count.HEN", hen({iHG: "HG,2,5550"}), "件数 says 2"),
    ("hen-hg-count-nan.HEN", hen({iHG: "HG,X,5550"}), "件数 must be a number"),
    ("hen-hg-empty.HEN", hen({iHG: "HG"}), "件数 must be a number"),
    ("hen-unknown-rec.HEN", hen(insert={iRE + 2: "ZZ,1,2"}), "not a record of a returned file"),
    ("hen-hm-inside.HEN", hen(insert={iRE + 2: "HM,1,13,6,1234567,X,202611,"}), "not a record of a returned file"),
    ("hen-go-inside.HEN", hen(insert={iRE + 2: "GO"}), "not a record of a returned file"),
    ("hen-rec-outside.HEN", hen(insert={1: "HO,06139992,,1,1,1,,,,,,"}), "outside a returned receipt"),
    ("hen-ho-insurer.HEN", hen({iRE + 1: RECEIPT[1].replace("06139992", "0613999X")}), "保険者番号 must be 6 or 8 digits"),
    ("hen-sjis-nec.HEN", hen({iHR: HR.replace("資格喪失後の受診", "") + "\u2460"}), "E-CHARSET"),
    ("hen-1a-middle.HEN", enc(HEN[:3]) + enc(HEN[3:]), "0x1A"),
    ("hen-1a-twice.HEN", enc(HEN) + b"\x1a", "0x1A"),
    ("hen-after-1a.HEN", enc(HEN) + b"HG,1\r\n", "0x1A"),
    ("hen-lf.HEN", enc(HEN, sep="\n"), "LF"),
    ("hen-cr.HEN", hen({iHR: HR + "\rX"}), "CR"),
    ("hen-quote.HEN", hen({iHR: HR.replace("資格", '"資格"')}), "E-QUOTE"),
    ("hen-only-hh.HEN", enc([HH]), "without HG"),
    ("hen-long.HEN", hen({iHR: HR + "Ａ" * 5000}), "E-RECORD-LONG"),
    ("hen-nul.HEN", hen({iHR: HR + "\x00"}), "E-"),
    ("hen-truncated.HEN", enc(HEN)[:-40], "TRUNCATED"),
    ("hen-fields-max.HEN", hen({iH1: HIST[0] + "," * 70}), "E-FIELDS-MAX"),
]
bad_bytes = [
    ("hen-bad-lead.HEN", enc(HEN).replace("看護".encode("cp932"), b"\x85\x40\x85\x41", 1), "E-"),
    ("hen-bad-trail.HEN", enc(HEN).replace("看護　太郎".encode("cp932"), b"\x8a\x0d\x8c\x92", 1), "E-"),
    ("hen-single-80.HEN", enc(HEN).replace(b"L3129", b"L\x80129", 1), "E-"),
]


def z(lines, **kw):
    return enc(lines, eof=False, **kw)


ZR = zrow()
bad += [
    ("z-empty.csv", b"", "unknown kind"),
    ("z-no-header.csv", z(ZOGEN[1:]), "unknown kind"),
    ("z-header-body.csv", z(["1,202611,3,,1234567"] + ZOGEN[1:]), "審査支払機関 must be 1 or 2"),
    ("z-header-station.csv", z(["1,202611,1,,12345"] + ZOGEN[1:]), "7 digits"),
    ("z-header-month.csv", z(["1,202613,1,,1234567"] + ZOGEN[1:]), "not a month"),
    ("z-header-twice.csv", z(ZOGEN[:2] + [ZHEAD] + ZOGEN[2:]), "header row that is not the first"),
    ("z-unknown-kind.csv", z(ZOGEN[:2] + ["9" + ZR[1:]] + ZOGEN[2:]), "not one of the layout's kinds"),
    ("z-amount-letters.csv", z(ZOGEN[:2] + [zrow(amount="12a"), zrow(amount="-300")] + ZOGEN[4:]), "not an amount"),
    ("z-amount-empty.csv", z(ZOGEN[:2] + [zrow(amount="")] + ZOGEN[3:]), "without 増減金額"),
    ("z-amount-comma-quoted.csv", z(ZOGEN[:2] + [zrow(amount='"-1,200"')] + ZOGEN[3:]), "not an amount"),
    ("z-month-13.csv", z(ZOGEN[:2] + [zrow(month="202613")] + ZOGEN[3:]), "not a month"),
    ("z-month-era.csv", z(ZOGEN[:2] + [zrow(month="60810")] + ZOGEN[3:]), "not a month"),
    ("z-month-short.csv", z(ZOGEN[:2] + [zrow(month="2026")] + ZOGEN[3:]), "not a month"),
    ("z-rno-long.csv", z(ZOGEN[:2] + [zrow(no="1234567")] + ZOGEN[3:]), "レセプト番号"),
    ("z-rno-letters.csv", z(ZOGEN[:2] + [zrow(no="1a")] + ZOGEN[3:]), "レセプト番号"),
    ("z-sn-short.csv", z(ZOGEN[:2] + [zrow(sn=SN[:16])] + ZOGEN[3:]), "検索番号"),
    ("z-sn-letters.csv", z(ZOGEN[:2] + [zrow(sn=SN[:-1] + "X")] + ZOGEN[3:]), "検索番号"),
    ("z-key-long.csv", z(ZOGEN[:2] + [zrow(key="K" * 21)] + ZOGEN[3:]), "longer than 20"),
    ("z-key-space.csv", z(ZOGEN[:2] + [zrow(key="P 1")] + ZOGEN[3:]), "half-width"),
    ("z-insurer-7.csv", z(ZOGEN[:2] + [zrow(ins="1234567")] + ZOGEN[3:]), "保険者番号"),
    ("z-insurer-letters.csv", z(ZOGEN[:2] + [zrow(ins="0613999X")] + ZOGEN[3:]), "保険者番号"),
    ("z-reason-lower.csv", z(ZOGEN[:2] + [zrow(reason="b")] + ZOGEN[3:]), "事由"),
    ("z-reason-long.csv", z(ZOGEN[:2] + [zrow(reason="ABCDEFGHI")] + ZOGEN[3:]), "事由"),
    ("z-after-total.csv", z(ZOGEN + [ZR]), "after the total row"),
    ("z-total-count.csv", z(ZOGEN[:-1] + ["6,202611,3,-1500"]), "counts 3 items"),
    ("z-total-amount.csv", z(ZOGEN[:-1] + ["6,202611,2,-1400"]), "add up to -1500"),
    ("z-total-count-nan.csv", z(ZOGEN[:-1] + ["6,202611,x,-1500"]), "件数"),
    ("z-no-total.csv", z(ZOGEN[:-1]), "without its total row"),
    ("z-31-columns.csv", z(ZOGEN[:2] + [ZR + ",X"] + ZOGEN[3:]), "31 columns"),
    ("z-unclosed-quote.csv", z(ZOGEN[:2] + [ZR.replace("訪問看護基本療養費", '"訪問看護')] + ZOGEN[3:]), "not closed"),
    ("z-quote-inside.csv", z(ZOGEN[:2] + [ZR.replace("訪問看護基本療養費", 'A"B')] + ZOGEN[3:]), "quote inside"),
    ("z-after-quote.csv", z(ZOGEN[:2] + [ZR.replace("訪問看護基本療養費", '"A"B')] + ZOGEN[3:]), "after the closing quote"),
    ("z-control.csv", z(ZOGEN[:2] + [ZR.replace("訪問看護基本療養費", "A\x01B")] + ZOGEN[3:]), "control character"),
    ("z-1a-middle.csv", z(ZOGEN[:3]) + b"\x1a" + z(ZOGEN[3:]), "0x1A"),
    ("z-1a-twice.csv", z(ZOGEN) + b"\x1a\x1a", "0x1A"),
    ("z-empty-row.csv", z(ZOGEN[:3] + [""] + ZOGEN[3:]), "an empty row"),
    ("z-no-keys.csv", z(ZOGEN[:2] + [zrow(sn="", key="", no="")] + ZOGEN[3:]), "names no receipt"),
    ("z-detail-first.csv", z([ZTITLE.replace("2,", "1,", 1)] + [ZTITLE] + ZOGEN[2:]), "is not a month"),
    ("z-long-row.csv", z(ZOGEN[:2] + [ZR.replace("訪問看護基本療養費", "A" * 70000)] + ZOGEN[3:]), "HK_MAX_CSV_LINE"),
    ("z-utf8-bad.csv", b"\xef\xbb\xbf" + (CRLF.join(ZOGEN[:2]) + CRLF).encode() + b"3,\xff\xfe" + CRLF.encode(), "UTF-8"),
    ("z-utf8-month.csv", b"\xef\xbb\xbf" + (CRLF.join(ZOGEN[:2] + [zrow(month="202600")] + ZOGEN[3:]) + CRLF).encode(), "not a month"),
    ("z-cr-only.csv", z(ZOGEN[:2]) + zrow().encode("cp932") + b"\rX\r\n" + z(ZOGEN[3:]), "control character"),
]
bad_bytes += [
    ("z-bad-trail.csv", z(ZOGEN).replace("訪問看護基本療養費".encode("cp932"), b"\x8a\x2c", 1), "Shift_JIS"),
    ("z-lone-80.csv", z(ZOGEN).replace("訪問看護基本療養費".encode("cp932"), b"\x80", 1), "Shift_JIS"),
    ("z-lone-fd.csv", z(ZOGEN).replace("訪問看護基本療養費".encode("cp932"), b"\xfd", 1), "Shift_JIS"),
    ("z-nec-char.csv", z(ZOGEN).replace("訪問看護基本療養費".encode("cp932"), "\u2460".encode("cp932"), 1), "Shift_JIS"),
    ("z-lead-at-end.csv", z(ZOGEN).replace("訪問看護基本療養費".encode("cp932"), b"\x88", 1), "Shift_JIS"),
]
F = FURI
bad += [
    ("f-title-wrong.csv", z([F[0].replace("金額", "金")] + F[1:]), "unknown kind") if False else
    ("f-title-wrong.csv", z([F[0].replace("金額", "合計")] + F[1:]), "the title row says"),
    ("f-title-missing.csv", z([F[0].rsplit(",", 1)[0]] + F[1:]), "the title row says"),
    ("f-title-only.csv", z([F[0]]), None),
    ("f-kind.csv", z([F[0], F[1].replace("振替", "移動")] + F[2:]), "neither 振替"),
    ("f-kind-06.csv", z([F[0], F[1].replace("振替", "06")] + F[2:]), "neither 振替"),
    ("f-new-empty.csv", z([F[0], F[1].replace("01130012", "")] + F[2:]), "names the confirmed insurer"),
    ("f-new-short.csv", z([F[0], F[1].replace("01130012", "123")] + F[2:]), "保険者番号"),
    ("f-old-7.csv", z([F[0], F[1].replace("06139992", "0613999")] + F[2:]), "保険者番号"),
    ("f-split-nodate.csv", z([F[0], F[1], F[2].replace("20261015", "")]), "分割 names the first day"),
    ("f-split-baddate.csv", z([F[0], F[1], F[2].replace("20261015", "20261032")]), "not a date"),
    ("f-split-iso.csv", z([F[0], F[1], F[2].replace("20261015", "2026-10-15")]), "not a date"),
    ("f-amount.csv", z([F[0], F[1].replace(",5550", ",55x0")] + F[2:]), "not an amount"),
    ("f-columns.csv", z([F[0], F[1] + ",1"] + F[2:]), "10 columns"),
    ("f-no-keys.csv", z([F[0], "振替,,,,,06139992,01130012,,0"]), "names no receipt"),
    ("f-sn.csv", z([F[0], F[1].replace(SN, SN[:10])] + F[2:]), "検索番号"),
    ("f-month.csv", z([F[0], F[1].replace(",202610,", ",202600,")] + F[2:]), "not a month"),
    ("f-key.csv", z([F[0], F[1].replace("P000123-2610A", "P000123-2610A-TOO-LONG-X")] + F[2:]), "longer than 20"),
    ("f-quote.csv", z([F[0], F[1].replace("振替", '"振替')] + F[2:]), "not closed"),
    ("f-control.csv", z([F[0], F[1].replace("振替", "振\x02替")] + F[2:]), "control character"),
    ("f-1a-middle.csv", z(F[:2]) + b"\x1a" + z(F[2:]), "0x1A"),
    ("f-empty-row.csv", z(F[:2] + [""] + F[2:]), "an empty row"),
    ("f-rno.csv", z([F[0], F[1].replace(",1,", ",x,", 1)] + F[2:]), "レセプト番号"),
    ("f-long.csv", z([F[0], F[1] + "A" * 70000]), "HK_MAX_CSV_LINE"),
    ("f-utf8-bad.csv", b"\xef\xbb\xbf" + (F[0] + CRLF).encode() + b"\xc3\x28,1" + CRLF.encode(), "UTF-8"),
]
bad_bytes += [
    ("f-bad-trail.csv", z(F).replace("振替".encode("cp932"), b"\x90\x0a", 1), "Shift_JIS"),
    ("f-nec.csv", z(F).replace("振替".encode("cp932"), "\u2160".encode("cp932"), 1), "Shift_JIS"),
]
os.makedirs(os.path.join(D, "good"), exist_ok=True)
os.makedirs(os.path.join(D, "bad"), exist_ok=True)
for n, d in good.items():
    open(os.path.join(D, "good", n), "wb").write(d)
exp = []
for n, d, e in bad + bad_bytes:
    if e is None:
        continue
    open(os.path.join(D, "bad", n), "wb").write(d)
    exp.append("%s\t%s" % (n, e))
open(os.path.join(D, "bad", "EXPECT"), "w", encoding="utf-8").write("\n".join(exp) + "\n")
print("%d good, %d bad" % (len(good), len(exp)))
