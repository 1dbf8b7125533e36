"""mkresults.py SCENARIO STATION MONTH OUTDIR UKE... - the month's result files
(RECEIPTH.HEN, zogn<MONTH>.csv, furikae<MONTH>.csv) the review-body simulator
would serve for these uploaded claim files (tools/simulator/results.py), written
without the TLS server.  Kinds the scenario has nothing for are skipped."""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "simulator"))
import results  # noqa: E402

scen, station, month, out = sys.argv[1:5]
files = {i: open(p, "rb").read() for i, p in enumerate(sys.argv[5:])}
sc = json.load(open(scen, encoding="utf-8"))
os.makedirs(out, exist_ok=True)
for kind in ("henrei", "zogen", "furikae"):
    try:
        name, data = results.month_file(sc, files, station, month, kind)
    except KeyError:
        continue
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
