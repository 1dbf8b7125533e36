"""results.py - what the simulated review body answers and returns.

Reception checks (per upload) and the month's result files, driven by a
scenario (JSON).  The layouts are DATA TABLES below.  Only the 返戻 file's
structure is documented (作成手引き 別紙1, DIGEST §4.2); the nursing
増減点連絡書 CSV and 振替・分割 result layouts are unknown (DIGEST §4.4, §8
items 2-3), so ZOGEN_COLUMNS follows the 医科 evidence and FURIKAE_COLUMNS is
our own until the official layouts are found.  docs/submission.md repeats
these tables.

Scenario (all keys optional):
{
  "reception": [ {"match": {"body": "1"} | {"sha256": "..."} | {},
                  "errors": [{"code": "3006", "receipt": 2, "message": "..."}]} ],
  "processing_month": "202612",
  "returns":     [ {"body": "1", "receipt_no": 2, "kubun": 1, "reason_code": "L3129", "reason": "..."} ],
  "adjustments": [ {"body": "1", "receipt_no": 1, "amount": -1200, "reason": "B", "item": "..."} ],
  "transfers":   [ {"body": "1", "receipt_no": 3, "kind": "振替", "old_insurer": "...", "new_insurer": "...",
                    "split_date": "", "amount": 0} ]
}
"""
import hashlib
import json

# Reception checks every file gets, before the scenario's own: (code, test, message).
STRUCTURE_CHECKS = [
    ("1001", lambda d: d.startswith(b"HM,"), "the file does not begin with an HM record"),
    ("1002", lambda d: any(l.split(b",")[0] == b"GO" for l in d.split(b"\r\n")), "the file has no GO record"),
    ("1003", lambda d: b"\n" not in d.replace(b"\r\n", b""), "records are not separated by CRLF"),
]

# 増減点連絡書 CSV columns (1-based order), after the 医科 layout (DIGEST §4.4), amounts in yen.
ZOGEN_COLUMNS = [
    "レコード種別", "指定訪問看護年月", "レセプト番号", "受付番号", "予備", "特別審査委員会", "明細種別",
    "保険者番号", "予備", "第一公費負担者番号", "第二公費負担者番号", "第三公費負担者番号",
    "第四公費負担者番号", "区分", "高額療養費負担区分", "職務上の事由", "予備", "氏名",
    "訪問看護記録番号等", "箇所１", "箇所２", "法別番号", "増減金額", "事由", "負担（請求内容）",
    "請求内容", "負担（補正・査定後内容）", "補正・査定後内容", "検索番号", "請求情報",
]
ZOGEN_RECORD_KINDS = {"header": "1", "title": "2", "detail": "3", "total": "6"}

# 振替・分割 result CSV (houkan's own layout; official one unknown, DIGEST §8 item 3).
FURIKAE_COLUMNS = [
    "区分", "指定訪問看護年月", "レセプト番号", "検索番号", "訪問看護記録番号等", "旧保険者番号",
    "新保険者番号", "分割年月日", "金額",
]

RE_SEARCH_NO = 14       # RE field 15 (0-based 14): 検索番号
RE_RECORD_KEY = 13      # RE field 14: 訪問看護記録番号等


def load_scenario(path):
    if not path:
        return {}
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def reception_checks(scenario, sha, body, data):
    errors = []
    for code, test, msg in STRUCTURE_CHECKS:
        if not test(data):
            errors.append({"code": code, "receipt": None, "message": msg})
    for rule in scenario.get("reception", []):
        m = rule.get("match", {})
        if all(str({"body": body, "sha256": sha}.get(k)) == str(v) for k, v in m.items()):
            errors.extend(rule.get("errors", []))
    return errors


def records(data):
    """The file's records as lists of str fields (CP932, CRLF, optional 0x1A)."""
    text = data.rstrip(b"\x1a").decode("cp932")
    return [line.split(",") for line in text.split("\r\n") if line]


def receipt_records(recs, receipt_no):
    out, inside = [], False
    for r in recs:
        if r[0] == "RE":
            inside = r[1] == str(receipt_no)
        elif r[0] == "GO":
            inside = False
        if inside:
            out.append(list(r))
    return out


def search_no(station, month, body, receipt_no):
    """A deterministic 20-digit 検索番号 (the real ones are 17-30 digits)."""
    h = hashlib.sha256(("%s|%s|%s|%s" % (station, month, body, receipt_no)).encode()).hexdigest()
    return str(int(h[:16], 16)).rjust(20, "0")[:20]


def henrei(scenario, files, station, month):
    """一次請求返戻ファイル (RECEIPTH.HEN): HH, per receipt (data, HR, 履歴 block), HG."""
    lines, count, total = [], 0, 0
    by_body = {}
    for data in files.values():
        recs = records(data)
        if recs and recs[0][0] == "HM" and recs[0][4] == station:
            by_body[recs[0][1]] = recs
    rets = scenario.get("returns", [])
    if not rets:
        raise KeyError("no returns in the scenario")
    head = None
    for ret in rets:
        recs = by_body.get(str(ret["body"]))
        if recs is None:
            raise KeyError("no upload for body %s" % ret["body"])
        if head is None:
            head = ["HH"] + recs[0][1:]
            lines.append(head)
        rr = receipt_records(recs, ret["receipt_no"])
        if not rr:
            raise KeyError("receipt %s not in the upload" % ret["receipt_no"])
        while len(rr[0]) <= RE_SEARCH_NO:
            rr[0].append("")
        rr[0][RE_SEARCH_NO] = search_no(station, month, ret["body"], ret["receipt_no"])
        hr = ["HR", scenario.get("processing_month", month), str(ret.get("kubun", 1)), ret["reason_code"],
              ret.get("reason", "")]
        lines.extend(rr)
        lines.append(hr)
        for i, r in enumerate(rr + [hr], 1):
            lines.append(["8", str(i), "0"] + r)
        count += 1
        total += sum(int(r[-1] or 0) for r in rr if r[0] == "KA" and r[-1].isdigit())
    lines.append(["HG", str(count), str(total)])
    return ("\r\n".join(",".join(r) for r in lines) + "\r\n").encode("cp932") + b"\x1a"


def csv_bytes(rows):
    return ("\r\n".join(",".join(str(c) for c in r) for r in rows) + "\r\n").encode("cp932")


def zogen(scenario, files, station, month):
    adj = scenario.get("adjustments", [])
    if not adj:
        raise KeyError("no adjustments in the scenario")
    rows = [[ZOGEN_RECORD_KINDS["header"], month, "", "", station], [ZOGEN_RECORD_KINDS["title"]] + ZOGEN_COLUMNS[1:]]
    total = 0
    for a in adj:
        row = [""] * len(ZOGEN_COLUMNS)
        row[0] = ZOGEN_RECORD_KINDS["detail"]
        row[ZOGEN_COLUMNS.index("指定訪問看護年月")] = a.get("service_month", "")
        row[ZOGEN_COLUMNS.index("レセプト番号")] = a["receipt_no"]
        row[ZOGEN_COLUMNS.index("増減金額")] = a["amount"]
        row[ZOGEN_COLUMNS.index("事由")] = a["reason"]
        row[ZOGEN_COLUMNS.index("請求内容")] = a.get("item", "")
        row[ZOGEN_COLUMNS.index("検索番号")] = search_no(station, month, a["body"], a["receipt_no"])
        total += int(a["amount"])
        rows.append(row)
    rows.append([ZOGEN_RECORD_KINDS["total"], month, len(adj), total])
    return csv_bytes(rows)


def furikae(scenario, files, station, month):
    tr = scenario.get("transfers", [])
    if not tr:
        raise KeyError("no transfers in the scenario")
    rows = [FURIKAE_COLUMNS]
    for t in tr:
        rows.append([t.get("kind", "振替"), t.get("service_month", ""), t["receipt_no"],
                     search_no(station, month, t["body"], t["receipt_no"]), t.get("record_key", ""),
                     t.get("old_insurer", ""), t.get("new_insurer", ""), t.get("split_date", ""), t.get("amount", 0)])
    return csv_bytes(rows)


KINDS = {"henrei": ("RECEIPTH.HEN", henrei), "zogen": ("zogn%s.csv", zogen), "furikae": ("furikae%s.csv", furikae)}


def month_file(scenario, files, station, month, kind):
    if kind not in KINDS:
        raise KeyError(kind)
    name, fn = KINDS[kind]
    return (name % month if "%s" in name else name), fn(scenario, files, station, month)
