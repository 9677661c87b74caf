#!/usr/bin/env bash
# Capacity model (README "Scale-out and capacity"): what one request costs in CPU time, in the
# server and in PostgreSQL, and the statements it sends, measured on a PostgreSQL database of
# PG_RECORDS records (default 100 000; $PORTICO_BENCH_POSTGRES, default portico_bench on the
# local server, created and seeded when missing); then the requests per second 1, 2, 5 and 10
# servers could serve on one PostgreSQL of the same size (two cores each), and which resource
# runs out first; then what PostgreSQL itself spends on a statement (scripts/pg_floor.py). Also
# measures the seat write paths (scripts/seat-probe.sh): commits a second on one shared row
# against seat slots claimed with SKIP LOCKED. Writes target/bench/capacity.json.
# Usage: ./scripts/capacity.sh   (READS, LISTS, ACTIVATIONS, BULKS change the counts)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p portico --locked --quiet
bin=${CARGO_TARGET_DIR:-target}/release/portico
dir=target/bench/capacity
mkdir -p "$dir"
source scripts/bench-postgres.sh
bench_postgres
psql "$pg_url" -qc "VACUUM ANALYZE" >/dev/null

python3 scripts/capacity.py 18191 "$bin" "$pg_url" "$pg_admin_url" "$dir" target/bench/capacity.json

# PostgreSQL's own floor on this machine, measured the same way (backend CPU time): pgbench's
# single-row select, a bare round trip, and the read and the list as the server sends them
# (and as they were before migration 0024). pgbench's tables live in a database of their own
# (${pg_db}_floor, created when missing).
python3 scripts/pg_floor.py "$pg_url" "$pg_admin_url" "$dir/floor" "$dir/floor.json"
python3 - "$dir/floor.json" <<'PY'
import json, sys
p = "target/bench/capacity.json"
d = json.load(open(p))
d["postgres_floor"] = json.load(open(sys.argv[1]))
json.dump(d, open(p, "w"), indent=2)
PY

# The seat write paths (scripts/seat-probe.sh): 8 clients changing seats on one counter row (the
# license pool before migration 0021), on rows of their own, and claiming and freeing seat
# slots with SKIP LOCKED (what activations and inactivations write now).
probe=$(./scripts/seat-probe.sh "$pg_url")
echo "seat changes, commits/s of 8 clients: $probe"
python3 - "$probe" <<'PY'
import json, sys
p = "target/bench/capacity.json"
d = json.load(open(p))
d.update(json.loads(sys.argv[1]))
json.dump(d, open(p, "w"), indent=2)
PY
