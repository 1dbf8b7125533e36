#!/usr/bin/env python3
"""make bench: houkan's speed and memory targets, each against a reference
measured in the same run (DEVELOPERS: never timed unit tests).

  check   houkan check on a >= 500 MB valid file vs iconv -f SHIFT_JIS -t UTF-8 and
          Python's csv.reader decoding cp932 (issue 3: >= 0.5x iconv, >= 10x Python, < 32 MiB)
  build   houkan build of ~500,000 receipts vs sqlite3 dumping the same visit rows
          to CSV (issue 4: <= 10 s, < 256 MiB)
  elig    tools/bench_elig.sh (issue 7: >= 100,000 results/s, < 64 MiB)
  ingest  tools/bench_ingest.sh when present (issue 6)

Sizes: BENCH_CHECK_MB (512), BENCH_RECEIPTS (500000), BENCH_ELIG (1000000);
BENCH_ONLY=check,build limits the run.  Exit status 1 if a target is missed.
"""
import os, re, shutil, subprocess, sys, tempfile, time

HOUKAN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/houkan")
SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "check,build,elig,ingest").split(",")))
ENV = dict(os.environ, LC_ALL="C", TZ="UTC", HOUKAN_NOW="2024-07-05T00:00:00Z",
           HOUKAN_MASTER_DIR=os.path.join(SRC, "data", "master"))
missed = []


last_cpu = [0.0, 0.0]  # user and system CPU seconds of the last measure()


def measure(cmd, stdout=subprocess.DEVNULL, stdin=None):
    """Run cmd; return (seconds, peak RSS in MiB, exit status)."""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.DEVNULL, stdin=stdin, env=ENV)
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    last_cpu[:] = [ru.ru_utime, ru.ru_stime]
    return time.monotonic() - t0, ru.ru_maxrss / 1024.0, p.returncode


def target(name, ok, text):
    print(f"  {'met   ' if ok else 'MISSED'} {name}: {text}")
    if not ok:
        missed.append(name)


def build_station(work, patients, seed=20240601):
    db = os.path.join(work, "st.db")
    subprocess.run([HOUKAN, "gen", "--db", db, "--seed", str(seed), "--patients", str(patients),
                    "--month", "2024-06"], check=True, env=ENV, stdout=subprocess.DEVNULL)
    return db


def bench_check(work):
    mb = int(os.environ.get("BENCH_CHECK_MB", "512"))
    print(f"check: a valid RECEIPTH.UKE of {mb} MB")
    db = build_station(work, 3000)
    out = os.path.join(work, "seed")
    subprocess.run([HOUKAN, "build", "--db", db, "--month", "2024-06", "--out", out], env=ENV,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seed = open(os.path.join(out, "2", "RECEIPTH.UKE"), "rb").read()
    lines = seed.rstrip(b"\x1a").split(b"\r\n")[:-1]
    hm, receipts, cur = lines[0], [], []
    for ln in lines[1:-1]:
        if ln.startswith(b"RE,") and cur:
            receipts.append(cur)
            cur = []
        cur.append(ln)
    receipts.append(cur)
    big = os.path.join(work, "big.UKE")
    n, size = 0, 0
    with open(big, "wb") as f:
        f.write(hm + b"\r\n")
        while size < mb * 1_000_000:
            for r in receipts:
                n += 1
                first = re.sub(rb"^RE,\d+,", b"RE,%d," % n, r[0])
                chunk = b"\r\n".join([first] + r[1:]) + b"\r\n"
                f.write(chunk)
                size += len(chunk)
        f.write(b"GO\r\n\x1a")
    size = os.path.getsize(big)
    t_iconv, _, _ = measure(["iconv", "-f", "SHIFT_JIS", "-t", "UTF-8", big])
    t_check, rss, rc = measure([HOUKAN, "check", big])
    cpu_check = list(last_cpu)
    py = "import csv,sys\nn=0\nfor row in csv.reader(open(sys.argv[1], encoding='cp932', newline='')): n+=1\n"
    t_py, _, _ = measure([sys.executable, "-c", py, big])
    mbs = lambda t: size / 1e6 / t
    print(f"  {n} receipts, {size/1e6:.0f} MB; houkan check {t_check:.2f} s ({mbs(t_check):.0f} MB/s, "
          f"exit {rc}), iconv {t_iconv:.2f} s ({mbs(t_iconv):.0f} MB/s), python csv {t_py:.2f} s "
          f"({mbs(t_py):.0f} MB/s), peak RSS {rss:.1f} MiB; houkan check CPU {cpu_check[0]:.2f} s user "
          f"+ {cpu_check[1]:.2f} s system")
    target("check exit", rc == 0, f"the file checks clean (exit {rc})")
    target("check vs iconv", t_check <= 2 * t_iconv, f"{t_iconv / t_check:.2f}x iconv's throughput (>= 0.5x)")
    target("check vs python", t_check * 10 <= t_py, f"{t_py / t_check:.1f}x Python csv (>= 10x)")
    target("check memory", rss < 32, f"{rss:.1f} MiB peak (< 32 MiB)")


def bench_build(work):
    want = int(os.environ.get("BENCH_RECEIPTS", "500000"))
    patients = int(want * 1.02)
    print(f"build: one station, {patients} patients (~{want} receipts)")
    t0 = time.monotonic()
    db = build_station(work, patients, seed=7)
    print(f"  generated in {time.monotonic() - t0:.1f} s")
    out = os.path.join(work, "out")
    t_dump, _, _ = measure(["sqlite3", "-csv", db, "SELECT * FROM visit"])
    t_build, rss, rc = measure([HOUKAN, "build", "--db", db, "--month", "2024-06", "--out", out,
                                "--report", os.path.join(work, "report.txt")])
    cpu_build = list(last_cpu)
    n = subprocess.run(["sqlite3", db, "SELECT count(*) FROM receipt WHERE state = 'built'"],
                       capture_output=True, text=True).stdout.strip()
    n = int(n or 0)
    print(f"  {n} receipts in {t_build:.2f} s ({n / t_build:.0f}/s, exit {rc}), peak RSS {rss:.1f} MiB; "
          f"reference: sqlite3 dumps the visit rows in {t_dump:.2f} s (build = {t_build / t_dump:.1f}x the dump); "
          f"build CPU {cpu_build[0]:.1f} s user + {cpu_build[1]:.1f} s system")
    scaled = t_build * 500000 / max(n, 1)
    target("build time", scaled <= 10, f"{scaled:.1f} s per 500,000 receipts (<= 10 s)")
    target("build memory", rss < 256, f"{rss:.1f} MiB peak (< 256 MiB)")


def bench_script(name, script, args):
    path = os.path.join(SRC, "tools", script)
    if not os.path.exists(path):
        print(f"{name}: {script} not present, skipped")
        return
    print(f"{name}:")
    r = subprocess.run(["sh", path, HOUKAN] + args, capture_output=True, text=True, env=ENV)
    for ln in (r.stdout + r.stderr).strip().splitlines():
        print("  " + ln)
    target(name, r.returncode == 0, "see above")


def main():
    work = tempfile.mkdtemp(prefix="houkan-bench-")
    try:
        for name, fn in (("check", bench_check), ("build", bench_build)):
            if name in ONLY:
                d = os.path.join(work, name)
                os.makedirs(d)
                fn(d)
                shutil.rmtree(d, ignore_errors=True)
        if "elig" in ONLY:
            bench_script("elig", "bench_elig.sh", [os.environ.get("BENCH_ELIG", "1000000")])
        if "ingest" in ONLY:
            bench_script("ingest", "bench_ingest.sh", [])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"bench: {len(missed)} target(s) missed" + (": " + ", ".join(missed) if missed else ""))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
