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

# The two CSV layouts are read from data/layouts/*.def, the same tables houkan's
# reader is compiled from (switchover/returns_csv.c), so both sides share one
# definition: COLUMN(n, "title", FIELD, FILL), KIND(ROLE, "value"), HEADER/TOTAL(n, "title", FIELD).
import os
import re

LAYOUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "layouts")


def load_layout(name):
    cols, kinds, header, total = [], {}, {}, {}
    with open(os.path.join(LAYOUT_DIR, name), encoding="utf-8") as f:
        for line in f:
            m = re.match(r'\s*COLUMN\((\d+),\s*"([^"]*)",\s*(\w+),\s*(\w+)\)', line)
            if m:
                cols.append((int(m.group(1)), m.group(2), m.group(3)))
                continue
            m = re.match(r'\s*KIND\((\w+),\s*"([^"]*)"\)', line)
            if m:
                kinds[m.group(1).lower()] = m.group(2)
                continue
            m = re.match(r'\s*(HEADER|TOTAL)\((\d+),\s*"([^"]*)",\s*(\w+)\)', line)
            if m:
                (header if m.group(1) == "HEADER" else total)[m.group(4)] = int(m.group(2))
    cols.sort()
    assert [c[0] for c in cols] == list(range(1, len(cols) + 1)), name
    return cols, kinds, header, total


_ZOGEN = load_layout("zogen.def")
_FURIKAE = load_layout("furikae.def")
# 増減点連絡書 CSV columns (1-based order), after the 医科 layout (DIGEST §4.4), amounts in yen.
ZOGEN_COLUMNS = [c[1] for c in _ZOGEN[0]]
ZOGEN_FIELDS = {c[2]: c[0] - 1 for c in _ZOGEN[0] if c[2] not in ("NONE", "TEXT")}
ZOGEN_RECORD_KINDS = _ZOGEN[1]
ZOGEN_HEADER, ZOGEN_TOTAL = _ZOGEN[2], _ZOGEN[3]
# 振替・分割 result CSV (houkan's own layout; official one unknown, DIGEST §8 item 3).
FURIKAE_COLUMNS = [c[1] for c in _FURIKAE[0]]
FURIKAE_FIELDS = {c[2]: c[0] - 1 for c in _FURIKAE[0]}

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


def receipt_facts(files, station, body, receipt_no):
    """service month, insurer and 訪問看護記録番号等 of a receipt in the upload ("" when unknown)."""
    for data in files.values():
        recs = records(data)
        if recs and recs[0][0] == "HM" and recs[0][4] == station and recs[0][1] == str(body):
            rr = receipt_records(recs, receipt_no)
            if rr:
                ho = [r for r in rr if r[0] == "HO"]
                return rr[0][3], (ho[0][1].strip() if ho else ""), (rr[0][RE_RECORD_KEY] if len(rr[0]) > RE_RECORD_KEY else "")
    return "", "", ""


def zogen(scenario, files, station, month):
    adj = scenario.get("adjustments", [])
    if not adj:
        raise KeyError("no adjustments in the scenario")
    bodies = {str(a["body"]) for a in adj}
    head = [""] * (max(ZOGEN_HEADER.values()) if ZOGEN_HEADER else 1)
    head[0] = ZOGEN_RECORD_KINDS["header"]
    head[ZOGEN_HEADER["MONTH"] - 1] = month
    head[ZOGEN_HEADER["BODY"] - 1] = bodies.pop() if len(bodies) == 1 else ""
    head[ZOGEN_HEADER["STATION"] - 1] = station
    rows = [head, [ZOGEN_RECORD_KINDS["title"]] + ZOGEN_COLUMNS[1:]]
    total = 0
    for a in adj:
        sm, ins, key = receipt_facts(files, station, a["body"], a["receipt_no"])
        row = [""] * len(ZOGEN_COLUMNS)
        row[0] = ZOGEN_RECORD_KINDS["detail"]
        row[ZOGEN_FIELDS["SERVICE_MONTH"]] = a.get("service_month", sm)
        row[ZOGEN_FIELDS["RECEIPT_NO"]] = a["receipt_no"]
        row[ZOGEN_FIELDS["INSURER"]] = a.get("insurer", ins)
        row[ZOGEN_FIELDS["RECORD_KEY"]] = a.get("record_key", key)
        row[ZOGEN_FIELDS["AMOUNT"]] = a["amount"]
        row[ZOGEN_FIELDS["REASON"]] = a["reason"]
        row[ZOGEN_FIELDS["ITEM"]] = a.get("item", "")
        row[ZOGEN_FIELDS["SEARCH_NO"]] = search_no(station, month, a["body"], a["receipt_no"])
        total += int(a["amount"])
        rows.append(row)
    tot = [""] * max(ZOGEN_TOTAL.values())
    tot[0] = ZOGEN_RECORD_KINDS["total"]
    tot[ZOGEN_TOTAL["MONTH"] - 1] = month
    tot[ZOGEN_TOTAL["COUNT"] - 1] = len(adj)
    tot[ZOGEN_TOTAL["AMOUNT"] - 1] = total
    rows.append(tot)
    return csv_bytes(rows)


def furikae(scenario, files, station, month):
    tr = scenario.get("transfers", [])
    if not tr:
        raise KeyError("no transfers in the scenario")
    rows = [FURIKAE_COLUMNS]
    for t in tr:
        sm, ins, key = receipt_facts(files, station, t["body"], t["receipt_no"])
        row = [""] * len(FURIKAE_COLUMNS)
        row[FURIKAE_FIELDS["SWITCH_KIND"]] = t.get("kind", "振替")
        row[FURIKAE_FIELDS["SERVICE_MONTH"]] = t.get("service_month", sm)
        row[FURIKAE_FIELDS["RECEIPT_NO"]] = t["receipt_no"]
        row[FURIKAE_FIELDS["SEARCH_NO"]] = search_no(station, month, t["body"], t["receipt_no"])
        row[FURIKAE_FIELDS["RECORD_KEY"]] = t.get("record_key", key)
        row[FURIKAE_FIELDS["OLD_INSURER"]] = t.get("old_insurer", ins) or ins
        row[FURIKAE_FIELDS["NEW_INSURER"]] = t.get("new_insurer", "")
        row[FURIKAE_FIELDS["SPLIT_DATE"]] = t.get("split_date", "")
        row[FURIKAE_FIELDS["AMOUNT"]] = t.get("amount", 0)
        rows.append(row)
    return csv_bytes(rows)


KINDS = {"henrei": ("RECEIPTH.HEN", henrei), "zogen": ("zogn%s.csv", zogen), "furikae": ("furikae%s.csv", furikae)}


def month_file(scenario, files, station, month, kind):
    if kind not in KINDS:
        raise KeyError(kind)
    name, fn = KINDS[kind]
    return (name % month if "%s" in name else name), fn(scenario, files, station, month)
