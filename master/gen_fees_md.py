#!/usr/bin/env python3
"""gen_fees_md.py - the generated part of docs/fees.md.

Reads the 訪問看護療養費マスター CSVs (CP932) of one revision directory and the
fee-code table master/fee_codes.c, and prints, per fee family, one markdown
row per code: code, name, amount, 職種等, 実施回数区分 (44), 指示区分 (45/46),
算定回数限度 rows, and the 併算定背反 rows summarised by (背反単位, 背反区分)
and the families of the other codes.
Usage: python3 master/gen_fees_md.py data/master/20240601 > /tmp/tables.md
"""
import collections, csv, io, re, sys

d = sys.argv[1]
def rd(n):
    return list(csv.reader(io.StringIO(open(f"{d}/houmonkango-master-{n}.csv", encoding="cp932").read())))

kihon = {r[2]: r for r in rd("kihon")}
limits = collections.defaultdict(list)
for r in rd("santei-kaisu-gendo"):
    limits[r[1]].append(f"{r[5]}/{r[4]}" if r[5] != "0" else f"-/{r[4]}")
excl = collections.defaultdict(list)
for r in rd("heisantei-haihan"):
    excl[r[1]].append((r[6], r[3], r[4], r[7]))
fac = {r[2]: r[4] for r in rd("shisetsu-kijun")}

rows = []
fam_of = {}
pat = re.compile(r'R\((\w+), *([-\w]+), *(\w+), *([-\w]+), *([-\w]+), *([-\w]+), *([-\w]+), *([-\w]+), *([-\w]+), *"(\d{9})"\)')
for line in open("master/fee_codes.c", encoding="utf-8"):
    m = pat.search(line)
    if m:
        f = m.groups()
        rows.append(f)
        label = f[0] + ("(精神科)" if f[1] == "1" else "")
        fam_of[f[9]] = label

SCOPE = {"1": "日", "2": "月", "3": "同時", "4": "週"}
KIND = {"0": "不可", "1": "可", "2": "どちらか"}
def label(code):
    if code.startswith("588"):
        return "医療観察"
    return fam_of.get(code, code)

def excl_summary(code):
    g = collections.defaultdict(collections.Counter)
    for scope, kind, other, special in excl[code]:
        g[(SCOPE[scope], KIND[kind] + ("*" if special == "1" else ""))][label(other)] += 1
    parts = []
    for (s, k), c in sorted(g.items()):
        parts.append(f"{s}/{k}: " + ", ".join(f"{n}×{v}" if v > 1 else n for n, v in sorted(c.items())))
    return "; ".join(parts) or "-"

def amount(r):
    a = r[15][:-3] if r[15].endswith(".00") else r[15]
    return a + ("%" if r[14] == "5" else "点" if r[14] == "3" else "")

keys = ["psy", "staff", "week4", "bldg3", "min30", "nth", "des", "var"]
cur = None
for f in rows:
    if f[0] != cur:
        cur = f[0]
        print(f"\n#### {cur}\n")
        print("| code | facts | name (基本名称) | amount | 職種等 | 44 | 45/46 | 施設基準 | 算定回数限度 | 併算定背反 (単位/区分: other families) |")
        print("|---|---|---|---|---|---|---|---|---|---|")
    code = f[9]
    r = kihon[code]
    facts = " ".join(f"{k}={v}" for k, v in zip(keys, f[1:9]) if v != "X")
    staff = " ".join(x for x in r[28:43] if x != "00") or "-"
    print(f"| {code} | {facts or '-'} | {r[6]} | {amount(r)} | {staff} | {r[43]} | {r[44]}/{r[45]} | "
          f"{fac.get(code, '-')} | {', '.join(limits[code]) or '-'} | {excl_summary(code)} |")
