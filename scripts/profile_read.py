"""Where a server spends its instructions on a request that misses the read cache: runs the
release server under callgrind (valgrind: instructions counted, not seconds, so the answer is
the same on a busy machine) against the capacity benchmark's PostgreSQL database, reads N
different records (each a cache miss), and prints the functions with the most instructions per
request, inclusive of what they call. Counting starts after the warm-up (callgrind_control -z)
and ends before the server stops (callgrind_control -d): start-up and shut-down are left out,
the server's background work during the reads (sealer and email worker polls) is counted.

Usage: python3 scripts/profile_read.py <release binary> <database URL> <out dir> [N]
(scripts/profile-read.sh builds the binary and seeds the database first.)
"""

import http.client
import json
import os
import subprocess
import sys
import time

from capacity import Client, run_all


def main():
    bin_path, db_url, out_dir = sys.argv[1:4]
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
    port = 18411
    base = f"http://127.0.0.1:{port}"
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, "callgrind.out")
    env = dict(os.environ, PORTICO_LOG="warn", PORTICO_MAIL_WORKER="true")
    log = open(os.path.join(out_dir, "server.log"), "w")
    server = subprocess.Popen(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", bin_path, "serve",
         "--listen", f"127.0.0.1:{port}", "--database-url", db_url, "--data-dir", out_dir],
        env=env, stdout=log, stderr=log,
    )
    try:
        for _ in range(600):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/healthz")
                c.getresponse().read()
                break
            except OSError:
                time.sleep(0.5)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        c.request("POST", "/api/v1/auth", json.dumps({"username": "admin", "password": "bench-admin-password"}),
                  {"Content-Type": "application/json"})
        token = json.loads(c.getresponse().read())["sessionId"]
        client = Client(base, token)
        ids = []
        for offset in range(0, n + 200, 1000):
            status, data = client.call("GET", f"/api/v1/vobjects/car__v?limit=1000&offset={offset}")
            assert status == 200, data[:300]
            ids += [r["id"] for r in json.loads(data)["data"]]
        warm, measured = ids[:200], ids[200:200 + n]
        run_all(base, token, [("GET", f"/api/v1/vobjects/car__v/{i}", None) for i in warm], 2)
        subprocess.run(["callgrind_control", "-z", str(server.pid)], check=True, capture_output=True)
        statuses = run_all(base, token, [("GET", f"/api/v1/vobjects/car__v/{i}", None) for i in measured], 2)
        subprocess.run(["callgrind_control", "-d", str(server.pid)], check=True, capture_output=True)
        assert statuses == {200: len(measured)}, statuses
    finally:
        server.terminate()
        server.wait(timeout=120)
    # The dump asked for above is numbered .1 (the one at exit, of the shutdown, is not read).
    dump = out + ".1"
    annotated = subprocess.run(
        ["callgrind_annotate", "--auto=no", "--threshold=100", dump],
        capture_output=True, text=True, check=True,
    ).stdout
    lines = annotated.splitlines()
    total = next(int(l.split()[0].replace(",", "")) for l in lines if l.strip().endswith("PROGRAM TOTALS"))
    print(f"{len(measured)} reads, each a different record: {total / len(measured):,.0f} instructions per read")
    print("instructions per read spent in each function itself (top 25; the thread and runtime")
    print("frames callgrind_annotate lists with nearly all of the total are left out):")
    shown = 0
    for line in lines:
        parts = line.split(None, 2)
        if len(parts) < 3 or not parts[0].replace(",", "").isdigit() or "PROGRAM TOTALS" in line:
            continue
        ir = int(parts[0].replace(",", ""))
        if ir >= total / 2:
            continue
        name = parts[2].strip().split(" [", 1)[0]
        name = name.split("/src/", 1)[-1] if "/src/" in name else name
        print(f"  {ir / len(measured):>9,.0f}  {100 * ir / total:5.1f}%  {name[:130]}")
        shown += 1
        if shown == 25:
            break

if __name__ == "__main__":
    main()
