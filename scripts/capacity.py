#!/usr/bin/env python3
"""What one request costs, and what several servers on one PostgreSQL could serve.

Run by scripts/capacity.sh (which builds the release binary and seeds the database). This
starts a Portico server on PostgreSQL behind a small counting proxy (it reads the frontend
protocol and counts the statements the server sends), runs each kind of request a fixed number
of times and measures, for that many requests:

- the server's CPU time (utime + stime of the process, /proc/PID/stat: exited threads included);
- the CPU time of PostgreSQL's backends serving the benchmark database (/proc/PID/schedstat of
  each client backend of that database, from pg_stat_activity);
- the statements (extended-protocol Execute and simple Query messages) the server sent, and
  of them how many were prepared anew (Parse messages).

Wall-clock rates are not used: other programs share the machine. The projection assumes each
server and the database have two cores like this machine, and that a request's CPU cost does
not change with the number of servers.
"""

import http.client
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse

from pgstat import backend_cpu, psql

TICKS = os.sysconf("SC_CLK_TCK")


# --- the counting proxy ---------------------------------------------------------------------


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.execute = 0
        self.query = 0
        self.parse = 0

    def snapshot(self):
        with self.lock:
            return self.execute, self.query, self.parse


def pump(src, dst, counts=None):
    """Forwards bytes; with `counts`, parses the frontend stream and counts statements."""
    buf = b""
    started = False
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
            if counts is None:
                continue
            buf += data
            while True:
                if not started:
                    # The startup message has no type byte: length, then the protocol.
                    if len(buf) < 8:
                        break
                    (length,) = struct.unpack("!I", buf[:4])
                    if len(buf) < length:
                        break
                    (code,) = struct.unpack("!I", buf[4:8])
                    buf = buf[length:]
                    if code not in (80877103, 80877104):  # SSL/GSS requests come first
                        started = True
                    continue
                if len(buf) < 5:
                    break
                kind = buf[:1]
                (length,) = struct.unpack("!I", buf[1:5])
                if len(buf) < 1 + length:
                    break
                buf = buf[1 + length :]
                if kind == b"E":
                    with counts.lock:
                        counts.execute += 1
                elif kind == b"Q":
                    with counts.lock:
                        counts.query += 1
                elif kind == b"P":
                    # A statement prepared (parsed and planned anew): sqlx keeps each
                    # connection's statements, so this is a first use or one evicted.
                    with counts.lock:
                        counts.parse += 1
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def proxy(upstream, counts):
    """Listens on a free local port; answers the port."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)

    def accept():
        while True:
            client, _ = listener.accept()
            server = socket.create_connection(upstream)
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=pump, args=(client, server, counts), daemon=True).start()
            threading.Thread(target=pump, args=(server, client), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


# --- measuring --------------------------------------------------------------------------------


def process_cpu(pid):
    """utime + stime of a process, seconds (exited threads included)."""
    user, system = process_cpu_split(pid)
    return user + system


def process_cpu_split(pid):
    """(utime, stime) of a process, seconds: its own code, and the kernel's work for it
    (sockets, waking threads)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS


class Client:
    """Keep-alive HTTP client for one thread."""

    def __init__(self, base, token):
        u = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(u.hostname, u.port)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def call(self, method, path, body=None):
        self.conn.request(method, path, body=None if body is None else json.dumps(body), headers=self.headers)
        r = self.conn.getresponse()
        data = r.read()
        return r.status, data


def run_all(base, token, requests, threads):
    """Sends `requests` ((method, path, body) each) over `threads` connections; answers the
    statuses seen."""
    statuses = {}
    lock = threading.Lock()
    parts = [requests[i::threads] for i in range(threads)]

    def work(part):
        c = Client(base, token)
        seen = {}
        for method, path, body in part:
            status, _ = c.call(method, path, body)
            seen[status] = seen.get(status, 0) + 1
        with lock:
            for k, v in seen.items():
                statuses[k] = statuses.get(k, 0) + v

    ts = [threading.Thread(target=work, args=(p,)) for p in parts if p]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return statuses


def measure(name, what, base, token, requests, threads, server_pid, counts, admin_url, db):
    before_server = process_cpu_split(server_pid)
    before_pg = backend_cpu(admin_url, db, "AND pid <> pg_backend_pid()")
    before_stmts = counts.snapshot()
    start = time.monotonic()
    statuses = run_all(base, token, requests, threads)
    wall = time.monotonic() - start
    time.sleep(0.3)  # let the sealer and the email worker do their part of this work
    after_server = process_cpu_split(server_pid)
    after_pg = backend_cpu(admin_url, db, "AND pid <> pg_backend_pid()")
    after_stmts = counts.snapshot()
    n = len(requests)
    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    if ok != n:
        sys.exit(f"{name}: {n - ok} of {n} requests failed: {statuses}")
    pg = sum(v - before_pg.get(pid, 0.0) for pid, v in after_pg.items())
    executes = after_stmts[0] - before_stmts[0]
    queries = after_stmts[1] - before_stmts[1]
    parses = after_stmts[2] - before_stmts[2]
    return {
        "name": name,
        "what": what,
        "requests": n,
        "server_cpu_ms": (sum(after_server) - sum(before_server)) * 1000 / n,
        # The kernel's share of the server's CPU time (its sockets, waking its threads).
        "server_kernel_share": (after_server[1] - before_server[1])
        / max(sum(after_server) - sum(before_server), 1e-9),
        "postgres_cpu_ms": pg * 1000 / n,
        "statements": (executes + queries) / n,
        "parses": parses / n,
        "wall_s": wall,
    }


def main():
    base_port, bin_path, db_url, admin_url, data_dir, out_path = sys.argv[1:7]
    u = urllib.parse.urlparse(db_url)
    db = u.path.lstrip("/")
    counts = Counts()
    if os.environ.get("CAPACITY_DIRECT") == "1":
        # No counting proxy between the server and PostgreSQL (statements then read 0): to see
        # what the proxy itself adds to either side's CPU time.
        proxied = db_url
    else:
        port = proxy((u.hostname, u.port or 5432), counts)
        proxied = urllib.parse.urlunparse(u._replace(netloc=f"{u.username}@127.0.0.1:{port}"))
        proxied += ("&" if "?" in proxied else "?") + "sslmode=disable"
    base = f"http://127.0.0.1:{base_port}"
    env = dict(os.environ, PORTICO_LOG="warn", PORTICO_MAIL_WORKER="true")
    log = open(os.path.join(data_dir, "capacity-server.log"), "w")
    server = subprocess.Popen(
        [bin_path, "serve", "--listen", f"127.0.0.1:{base_port}", "--database-url", proxied, "--data-dir", data_dir],
        env=env,
        stdout=log,
        stderr=log,
    )
    try:
        for _ in range(120):
            try:
                http.client.HTTPConnection("127.0.0.1", int(base_port)).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.5)
        c = http.client.HTTPConnection("127.0.0.1", int(base_port))
        c.request("POST", "/api/v1/auth", json.dumps({"username": "admin", "password": "bench-admin-password"}), {"Content-Type": "application/json"})
        token = json.loads(c.getresponse().read())["sessionId"]
        client = Client(base, token)
        # A seeded database holds audit entries not yet sealed; the server's sealer chains them
        # in rounds, each a write that ends the read cache. Measure once it is done.
        while int(psql(db_url.split("?")[0], "SELECT COUNT(*) FROM audit_trail WHERE chain_seq IS NULL")[0]) > 0:
            time.sleep(1)

        def get(path):
            status, data = client.call("GET", path)
            assert status == 200, (path, status, data[:300])
            return json.loads(data)["data"]

        def post(path, body):
            status, data = client.call("POST", path, body)
            assert status in (200, 201), (path, status, data[:300])
            return json.loads(data)["data"]

        # Records to read and suppliers to list, from the seeded data: enough different ones
        # that none is asked for twice within the read cache's second.
        pending = get("/api/v1/vobjects/car__v?state__v=pending_response__c&limit=1000")
        supplier = pending[0]["supplier__v"]
        ids = [r["id"] for o in range(0, 5000, 1000) for r in get(f"/api/v1/vobjects/car__v?limit=1000&offset={o}")]
        suppliers = [o["id"] for o in get("/api/v1/vobjects/organization__v?limit=1000")]

        # Seats for the activations measured below.
        lic = get("/api/v1/licenses")["external"]
        seats = ((lic["active"] + 3000) // 100 + 1) * 100
        status, data = client.call("PUT", "/api/v1/licenses", {"external_seats": seats})
        assert status == 200, data

        def fresh_records(n, tag):
            """`n` draft records, each naming a new contact of its own (no user yet)."""
            org = post("/api/v1/vobjects/organization__v", {"name__v": f"Capacity {tag} {time.time_ns()}"})["id"]
            out = []
            for i in range(n):
                person = post(
                    "/api/v1/vobjects/person__v",
                    {"first_name__v": "Cap", "last_name__v": f"{tag}{i}", "email__v": f"cap.{tag}.{i}.{time.time_ns()}@example.com", "organization__v": org},
                )["id"]
                rec = post("/api/v1/vobjects/car__v", {"name__v": f"CAP-{tag}-{i}", "supplier__v": org, "external_collaborator__v": [person]})
                out.append(rec["id"])
            return out

        activation_ids = fresh_records(int(os.environ.get("ACTIVATIONS", "300")), "act")
        bulks = int(os.environ.get("BULKS", "3"))
        bulk_ids = [fresh_records(500, f"bulk{b}") for b in range(bulks)]

        # Warm up: fill the pool and the caches as a running server has them.
        run_all(base, token, [("GET", f"/api/v1/vobjects/car__v/{i}", None) for i in ids[:200]], 4)
        # The records made above wrote audit entries the sealer chains after their commits, a
        # round a commit; each round ends the read cache, so a measurement begun before the
        # sealer is done measures cache misses as "hot" reads. Wait for it again.
        while int(psql(db_url.split("?")[0], "SELECT COUNT(*) FROM audit_trail WHERE chain_seq IS NULL")[0]) > 0:
            time.sleep(1)

        reads = int(os.environ.get("READS", "20000"))
        lists = int(os.environ.get("LISTS", "6000"))
        pages = [(s, st, o) for o in (0, 20) for st in ("pending_response__c", "in_review__c") for s in suppliers]
        list_path = "/api/v1/vobjects/car__v?supplier__v={}&state__v={}&limit=20&offset={}"
        action = "/api/v1/vobjects/car__v/{}/actions/change_state_to_pending_response__c"
        m = lambda *a: measure(*a, server.pid, counts, admin_url, db)
        rows = [
            m("read_hot", "read one record again and again (served from the read cache)", base, token,
              [("GET", f"/api/v1/vobjects/car__v/{ids[0]}", None)] * reads, 4),
            m("read", "read a record, a different one each request (from the database)", base, token,
              [("GET", f"/api/v1/vobjects/car__v/{ids[i % len(ids)]}", None) for i in range(reads)], 4),
            m("list_hot", "list a supplier's open records, the same list again and again", base, token,
              [("GET", list_path.format(supplier, "pending_response__c", 0), None)] * lists, 4),
            m("list", "list a supplier's open records, a different supplier, state or page each request", base, token,
              [("GET", list_path.format(*pages[i % len(pages)]), None) for i in range(lists)], 4),
            m("activation", "send a record to the supplier: creates and activates its contact's user", base, token,
              [("POST", action.format(i), {}) for i in activation_ids], 2),
            m("bulk_500", "the same action on 500 records in one request", base, token,
              [("POST", "/api/v1/vobjects/car__v/actions/change_state_to_pending_response__c", {"ids": b}) for b in bulk_ids], 1),
        ]
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()  # keep-alive connections of this script hold the graceful stop
            server.wait()

    cores_server = cores_db = 2
    servers = [1, 2, 5, 10]
    print(f"\nCost per request (server and PostgreSQL CPU time; {len(rows)} kinds, one run)")
    print(f"{'request':<12} {'n':>6} {'server ms':>10} {'kernel':>6} {'pg ms':>8} {'stmts':>6} {'parses':>6}   " + " ".join(f"{s:>2} srv/s" for s in servers) + "  first to saturate")
    for r in rows:
        server_cap = cores_server * 1000 / r["server_cpu_ms"]
        db_cap = cores_db * 1000 / r["postgres_cpu_ms"] if r["postgres_cpu_ms"] > 0 else float("inf")
        r["projection"] = {str(s): min(s * server_cap, db_cap) for s in servers}
        r["saturates_at_10"] = "PostgreSQL CPU" if 10 * server_cap > db_cap else "server CPU"
        r["servers_until_db_saturates"] = db_cap / server_cap
        print(
            f"{r['name']:<12} {r['requests']:>6} {r['server_cpu_ms']:>10.3f} {r['server_kernel_share']:>6.0%} {r['postgres_cpu_ms']:>8.3f} {r['statements']:>6.1f} {r['parses']:>6.2f}   "
            + " ".join(f"{r['projection'][str(s)]:>9.0f}" for s in servers)
            + f"  {r['saturates_at_10']} (database full at {r['servers_until_db_saturates']:.1f} servers)"
        )
    # Reads and lists mix cached and database-served requests. With a share m served by the
    # database, a request costs a server m*miss + (1-m)*hit and PostgreSQL m*pg_miss (a cached
    # one costs it nothing), so 10 servers reach 8x one server when PostgreSQL's 2 cores carry
    # 8 servers' worth: m*pg_miss*8 <= m*miss + (1-m)*hit. The largest such m:
    by_name = {r["name"]: r for r in rows}
    goal = {}
    for hot, cold in (("read_hot", "read"), ("list_hot", "list")):
        hit, miss, pg = by_name[hot]["server_cpu_ms"], by_name[cold]["server_cpu_ms"], by_name[cold]["postgres_cpu_ms"]
        share = min(1.0, hit / (8 * pg - miss + hit)) if 8 * pg > miss else 1.0
        goal[cold] = share
        print(f"{cold}: 10 servers reach 8x one server on a same-size PostgreSQL while at most {share:.0%} of them miss the cache")
    json.dump(
        {"cores_per_server": cores_server, "cores_database": cores_db, "rows": rows, "largest_miss_share_for_8x_at_10": goal},
        open(out_path, "w"),
        indent=2,
    )


if __name__ == "__main__":
    main()
