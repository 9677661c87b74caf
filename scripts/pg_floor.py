#!/usr/bin/env python3
"""PostgreSQL's own floor: the backend CPU time one statement costs, measured with pgbench.

Run by scripts/capacity.sh after the capacity run, on the same database and the same way
capacity.py measures PostgreSQL (/proc/PID/schedstat of the database's client backends, from
pg_stat_activity): pgbench runs each statement from 4 clients for a few seconds; between two
moments inside the run the backends' CPU time is taken and divided by the transactions that
completed between them (from pgbench's per-transaction log, -l). Each transaction is one
statement, so this is what PostgreSQL spends per statement, protocol round trip included.

The statements: pgbench's own single-row select (pgbench -S, on a database of its own,
scale 1: 100 000 rows, integer key), then on the benchmark's records table (text key, the
seeded ids) the primary-key lookup alone, with the record's columns, and the server's exact
record read and supplier list. Usage: pg_floor.py DB_URL ADMIN_URL WORK_DIR OUT_JSON
"""

import glob
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse

from pgstat import backend_cpu, psql

CLIENTS = 4
SECONDS = 8
# The window measured: after the clients connected and prepared, before they stop.
WINDOW = (2.0, 7.0)


def completed_between(prefix, t0, t1):
    """Transactions whose completion time (pgbench -l: epoch seconds and microseconds in the
    5th and 6th fields) lies in [t0, t1)."""
    n = 0
    for path in glob.glob(prefix + "*"):
        with open(path) as f:
            for line in f:
                fields = line.split()
                at = int(fields[4]) + int(fields[5]) / 1e6
                if t0 <= at < t1:
                    n += 1
        os.remove(path)
    return n


def measure(url, admin_url, work, name, args):
    """Backend CPU ms per transaction of `pgbench args` on `url`."""
    db = urllib.parse.urlparse(url).path.lstrip("/").split("?")[0]
    prefix = os.path.join(work, f"log-{name}")
    for old in glob.glob(prefix + "*"):
        os.remove(old)
    run = subprocess.Popen(
        ["pgbench", "-n", "-c", str(CLIENTS), "-j", "2", "-T", str(SECONDS), "-l", f"--log-prefix={prefix}", *args, url],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=work,
    )
    start = time.time()
    samples = []

    def sample(at):
        time.sleep(max(0.0, start + at - time.time()))
        samples.append((time.time(), backend_cpu(admin_url, db, "AND application_name = 'pgbench'")))

    for at in WINDOW:
        sample(at)
    _, err = run.communicate()
    if run.returncode != 0:
        sys.exit(f"pgbench {name} failed: {err}")
    (t0, cpu0), (t1, cpu1) = samples
    cpu = sum(v - cpu0[pid] for pid, v in cpu1.items() if pid in cpu0)
    n = completed_between(prefix, t0, t1)
    if n == 0 or len(cpu0) < CLIENTS:
        sys.exit(f"pgbench {name}: nothing measured ({n} transactions, {len(cpu0)} backends)")
    return {"name": name, "transactions": n, "backend_cpu_ms": cpu * 1000 / n}


def main():
    url, admin_url, work, out_path = sys.argv[1:5]
    work = os.path.abspath(work)  # pgbench runs in it: its log prefix must not be relative
    os.makedirs(work, exist_ok=True)
    u = urllib.parse.urlparse(url)
    db = u.path.lstrip("/").split("?")[0]
    floor_db = f"{db}_floor"
    floor_url = urllib.parse.urlunparse(u._replace(path="/" + floor_db))
    if not psql(admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{floor_db}'")[0]:
        psql(admin_url, f"CREATE DATABASE {floor_db}")
        subprocess.run(["pgbench", "-i", "-q", "-s", "1", floor_url], check=True, capture_output=True)

    # The largest seed's tag; its car__v records are those whose number is a multiple of 5.
    tag, tag_records = psql(
        url,
        "SELECT split_part(id, '_', 2), COUNT(*) FROM records WHERE id LIKE 'rec\\_%' GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
    )[0].split("|")
    records = psql(url, "SELECT COUNT(*) FROM records")[0]
    orgs = psql(url, f"SELECT COUNT(*) FROM organizations WHERE id LIKE 'org\\_{tag}\\_%'")[0]
    # Values the planner cannot see, as the server's bound parameters ($1, $2…): pgbench
    # binds only numbers, so text values are expressions of them.
    rid = f"'rec_{tag}_' || :r"
    obj = "substr('car__v', :one)"
    state = "(ARRAY['pending_response__c', 'in_review__c'])[:s]"
    # The read and the list as the server sends them (crates/store/src/records.rs), and as
    # they were before migration 0024 (the collaborators from a subquery per record).
    cols = "id, object, object_type, name, state, supplier_id, created_by, created_at, updated_at, access_end_date"
    rcols = ", ".join(f"r.{c}" for c in cols.split(", "))
    subquery = "(SELECT string_agg(c.person_id, ',' ORDER BY c.position) FROM record_collaborators c WHERE c.record_id = r.id) AS collaborators"
    where_list = (
        f"WHERE r.object = {obj} AND r.deleted = 0 AND r.supplier_id = 'org_{tag}_' || :o AND r.state = {state} "
        "ORDER BY r.created_at DESC, r.id DESC LIMIT 20 OFFSET 0"
    )
    statements = [
        ("select_1", "what any statement costs: the round trip alone", "SELECT 1"),
        ("pk_id", "a record's id by its primary key (records, text key)", f"SELECT id FROM records WHERE id = {rid}"),
        ("read", "read a record, as the server does", f"SELECT {cols}, collaborators FROM records WHERE id = {rid} AND object = {obj} AND deleted = 0"),
        ("read_before_0024", "the same read before migration 0024", f"SELECT {cols}, {subquery} FROM records r WHERE id = {rid} AND object = {obj} AND deleted = 0"),
        ("list", "a page of a supplier's records in a state, as the server reads it", f"SELECT {rcols}, r.collaborators FROM records r {where_list}"),
        ("list_before_0024", "the same page before migration 0024", f"SELECT {rcols}, {subquery} FROM records r {where_list}"),
    ]
    rows = [
        dict(
            measure(floor_url, admin_url, work, "pgbench_S", ["-S", "-M", "prepared"]),
            what="pgbench -S -M prepared: pgbench's single-row select (100 000 rows, integer key)",
            sql="SELECT abalance FROM pgbench_accounts WHERE aid = :aid",
        )
    ]
    for name, what, sql in statements:
        script = os.path.join(work, f"floor-{name}.sql")
        with open(script, "w") as f:
            f.write(
                f"\\set r 5 * random(0, {int(tag_records) // 5 - 1})\n\\set o random(0, {int(orgs) - 1})\n"
                f"\\set s random(1, 2)\n\\set one 1\n{sql};\n"
            )
        rows.append(dict(measure(url, admin_url, work, name, ["-M", "prepared", "-f", script]), what=what, sql=sql))
    print(f"\nPostgreSQL's floor: backend CPU per statement (pgbench, {CLIENTS} clients, prepared; {records} records)")
    for r in rows:
        print(f"  {r['name']:<18} {r['backend_cpu_ms']:>6.3f} ms  {r['what']} ({r['transactions']} statements)")
    json.dump(rows, open(out_path, "w"), indent=2)


if __name__ == "__main__":
    main()
