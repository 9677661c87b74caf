#!/usr/bin/env bash
# Capacity model (README "Scale-out and capacity"): what one request costs in CPU time, in the
# server and in PostgreSQL, and the statements it sends, measured on a PostgreSQL database of
# PG_RECORDS records (default 100 000; $PORTICO_BENCH_POSTGRES, default portico_bench on the
# local server, created and seeded when missing); then the requests per second 1, 2, 5 and 10
# servers could serve on one PostgreSQL of the same size (two cores each), and which resource
# runs out first; then what PostgreSQL itself spends on a statement (scripts/pg_floor.py). Also
# measures the one row every activation writes (the license pool): how
# many commits a second can update one row, one after the other. Writes target/bench/capacity.json.
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

# The license pool's row: an activation updates it as the last statement before its commit,
# so activations of all servers pass it one at a time, each holding it for about a commit.
# pgbench measures that ceiling on a table of its own — 8 clients updating one row — next to 8
# clients updating a row each (what every other write does: commits share the log's flushes).
psql "$pg_url" -qc "SET client_min_messages = warning; DROP TABLE IF EXISTS capacity_pool_probe; CREATE TABLE capacity_pool_probe (id INT PRIMARY KEY, active BIGINT NOT NULL); INSERT INTO capacity_pool_probe SELECT g, 0 FROM generate_series(1, 8) g" >/dev/null
cat >"$dir/one-row.sql" <<'SQL'
BEGIN;
UPDATE capacity_pool_probe SET active = active + 1 WHERE id = 1;
COMMIT;
SQL
cat >"$dir/own-rows.sql" <<'SQL'
BEGIN;
UPDATE capacity_pool_probe SET active = active + 1 WHERE id = :client_id + 1;
COMMIT;
SQL
tps() { pgbench -n -c 8 -j 2 -T 5 -f "$1" "$pg_url" 2>/dev/null | awk '/^tps/ {print int($3)}'; }
one_row=$(tps "$dir/one-row.sql")
own_rows=$(tps "$dir/own-rows.sql")
psql "$pg_url" -qc "DROP TABLE capacity_pool_probe" >/dev/null
echo "commits/s of 8 clients updating one row: $one_row (the ceiling of activations and inactivations that change the seats, all servers together); each its own row: $own_rows"
python3 - "$one_row" "$own_rows" <<'PY'
import json, sys
p = "target/bench/capacity.json"
d = json.load(open(p))
d["one_row_commits_per_s"], d["own_rows_commits_per_s"] = int(sys.argv[1]), int(sys.argv[2])
json.dump(d, open(p, "w"), indent=2)
PY
