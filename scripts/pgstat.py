"""What the capacity scripts (capacity.py, pg_floor.py) ask of PostgreSQL: a query through
psql, and the CPU time its client backends have spent (from /proc, not wall-clock)."""

import subprocess
import sys
import time


def psql(url, sql):
    """The lines psql prints for `sql` (unaligned, tuples only); the last may be empty. A
    shared server may refuse a connection for a moment (all its slots taken): tried again."""
    for _ in range(10):
        done = subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.split("\n")
        time.sleep(0.5)
    sys.exit(f"psql failed: {done.stderr}")


def backend_cpu(admin_url, db, only=""):
    """CPU seconds of each client backend of `db` (`only`: more conditions on
    pg_stat_activity), by pid; nanosecond precision (schedstat)."""
    pids = [
        p
        for p in psql(
            admin_url,
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{db}' "
            f"AND backend_type = 'client backend' {only}",
        )
        if p
    ]
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/schedstat") as f:
                out[pid] = int(f.read().split()[0]) / 1e9
        except OSError:
            pass  # ended meanwhile
    return out
