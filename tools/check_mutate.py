#!/usr/bin/env python3
"""check_mutate.py - mutated RECEIPTH.UKE files for comparing two builds of
`houkan check` (a speed change must not change a single diagnostic).

  python3 tools/check_mutate.py OUTDIR COUNT SEED FILE.UKE...

Each output file is HM, a run of receipts taken from the given valid files
(receipts repeat, so the checker's memos of records and master answers are
hit), GO and 0x1A, with one to four mutations: bytes flipped or replaced by
separators, control bytes, quotes, bad Shift_JIS or NEC characters; fields
emptied, swapped with the same field of another record, or changed by a digit,
a day or a month; records deleted, duplicated, swapped or moved between
receipts; the file cut short or its GO / 0x1A dropped.  Deterministic for a
given SEED.  tools/check_same.sh runs a binary over them.
"""
import os, random, sys

SPECIAL = [b",", b"\r", b"\n", b"\r\n", b"\x1a", b'"', b"\x82", b"\x87\x40", b"\xff", b" ", b"0", b"9",
           b"A", b"\x81\x40", b"\x82\x4f", b"\x83\x41", b"\xb1", b"\t", b"\x00"]


def receipts_of(data):
    lines = data.rstrip(b"\x1a").split(b"\r\n")
    if lines and lines[-1] == b"":
        lines.pop()
    hm, recs, cur = None, [], []
    for ln in lines:
        if ln.startswith(b"HM,"):
            hm = hm or ln
            continue
        if ln.startswith(b"GO"):
            continue
        if ln.startswith(b"RE,") and cur:
            recs.append(cur)
            cur = []
        cur.append(ln)
    if cur and cur[0].startswith(b"RE,"):
        recs.append(cur)
    return hm, recs


def renumber(recs):
    out = []
    for n, r in enumerate(recs, 1):
        f = r[0].split(b",")
        if len(f) > 1:
            f[1] = b"%d" % n
        out.append([b",".join(f)] + r[1:])
    return out


def bump_digits(rnd, v):
    if not v:
        return b"1"
    b = bytearray(v)
    digits = [i for i, c in enumerate(b) if 0x30 <= c <= 0x39]
    if not digits:
        return v + b"0"
    i = rnd.choice(digits)
    b[i] = 0x30 + (b[i] - 0x30 + rnd.choice([1, 9, 5])) % 10
    return bytes(b)


def mutate_field(rnd, recs, pool):
    ri = rnd.randrange(len(recs))
    r = recs[ri]
    li = rnd.randrange(len(r))
    f = r[li].split(b",")
    if len(f) < 2:
        return
    fi = rnd.randrange(1, len(f))
    kind = rnd.randrange(7)
    if kind == 0:
        f[fi] = b""
    elif kind == 1:
        same = [ln.split(b",") for ln in pool if ln[:2] == r[li][:2]]
        same = [g for g in same if len(g) > fi]
        if same:
            f[fi] = rnd.choice(same)[fi]
    elif kind == 2:
        f[fi] = bump_digits(rnd, f[fi])
    elif kind == 3 and len(f[fi]) == 8 and f[fi].isdigit():
        # a day or a month away
        v = bytearray(f[fi])
        if rnd.random() < 0.5:
            d = int(v[6:8]) + rnd.choice([-1, 1, 2, 25])
            v[6:8] = b"%02d" % max(0, min(d, 39))
        else:
            m = int(v[4:6]) + rnd.choice([-1, 1])
            v[4:6] = b"%02d" % max(0, min(m, 13))
        f[fi] = bytes(v)
    elif kind == 4:
        f[fi] = f[fi] + rnd.choice([b"0", b" ", b"\x81\x40", b"01"])
    elif kind == 5:
        f[fi] = f[fi][:-1]
    else:
        other = rnd.randrange(1, len(f))
        f[fi], f[other] = f[other], f[fi]
    r[li] = b",".join(f)


def mutate_record(rnd, recs):
    ri = rnd.randrange(len(recs))
    r = recs[ri]
    li = rnd.randrange(len(r))
    kind = rnd.randrange(6)
    if kind == 0 and len(r) > 1:
        del r[li]
    elif kind == 1:
        r.insert(li, r[li])
    elif kind == 2 and li + 1 < len(r):
        r[li], r[li + 1] = r[li + 1], r[li]
    elif kind == 3:
        o = recs[rnd.randrange(len(recs))]
        o.insert(rnd.randrange(len(o) + 1), r[li])
    elif kind == 4 and len(recs) > 1:
        del recs[ri]
    else:
        ka = [i for i, ln in enumerate(r) if ln.startswith(b"KA,")]
        if len(ka) > 1:
            a, b = rnd.sample(ka, 2)
            r[a], r[b] = r[b], r[a]


def mutate_bytes(rnd, data):
    b = bytearray(data)
    pos = rnd.randrange(len(b))
    kind = rnd.randrange(3)
    if kind == 0:
        b[pos] ^= 1 << rnd.randrange(8)
    elif kind == 1:
        b[pos:pos + 1] = rnd.choice(SPECIAL)
    else:
        del b[pos:pos + rnd.randrange(1, 4)]
    return bytes(b)


def main():
    out, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    hms, allrecs = [], []
    for path in sys.argv[4:]:
        hm, recs = receipts_of(open(path, "rb").read())
        if hm:
            hms.append(hm)
        allrecs.extend(recs)
    pool = [ln for r in allrecs for ln in r]
    os.makedirs(out, exist_ok=True)
    for n in range(count):
        start = rnd.randrange(len(allrecs))
        k = rnd.choice([1, 2, 3, 5, 8, 20, 40])
        recs = [list(r) for r in allrecs[start:start + k]]
        if rnd.random() < 0.5:
            recs = recs + [list(r) for r in recs]  # the same receipts again: memo hits
        recs = renumber(recs)
        for _ in range(rnd.randrange(1, 5)):
            what = rnd.random()
            if what < 0.45:
                mutate_field(rnd, recs, pool)
            elif what < 0.75:
                mutate_record(rnd, recs)
        lines = [rnd.choice(hms)] + [ln for r in recs for ln in r] + [b"GO"]
        data = b"\r\n".join(lines) + b"\r\n\x1a"
        for _ in range(rnd.choice([0, 0, 0, 1, 2])):
            data = mutate_bytes(rnd, data)
        tail = rnd.random()
        if tail < 0.02:
            data = data[:rnd.randrange(len(data))]
        elif tail < 0.04:
            data = data[:-1]
        elif tail < 0.05:
            data = data.replace(b"\r\nGO\r\n", b"\r\n")
        with open(os.path.join(out, "m%05d.UKE" % n), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
