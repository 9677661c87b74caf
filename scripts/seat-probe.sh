#!/usr/bin/env bash
# The seat write paths under pgbench (README "Scale-out and capacity"; run by capacity.sh, or by
# hand: ./scripts/seat-probe.sh postgres://…/db [seconds]). 8 clients, each commit one seat
# change, on tables of their own in that database (dropped after):
#   one-row   every commit updates one counter row (the license pool before migration 0021);
#   own-rows  every client updates a row of its own (what writes that share nothing cost);
#   slots     a client holding no seat claims a free slot (FOR UPDATE SKIP LOCKED), one holding
#             one frees it, and each commit appends its change to a log (what an activation and
#             an inactivation write now: license_seats, seat_changes).
# Prints one line of JSON: commits per second of each.
set -euo pipefail
url=$1
secs=${2:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
psql "$url" -q >/dev/null <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS capacity_pool_probe, capacity_seat_probe, capacity_seat_log_probe;
CREATE TABLE capacity_pool_probe (id INT PRIMARY KEY, active BIGINT NOT NULL);
INSERT INTO capacity_pool_probe SELECT g, 0 FROM generate_series(1, 8) g;
CREATE TABLE capacity_seat_probe (slot BIGINT PRIMARY KEY, holder TEXT UNIQUE);
CREATE INDEX capacity_seat_probe_free ON capacity_seat_probe (slot) WHERE holder IS NULL;
INSERT INTO capacity_seat_probe SELECT g, NULL FROM generate_series(1, 100) g;
CREATE TABLE capacity_seat_log_probe (id BIGSERIAL PRIMARY KEY, day BIGINT NOT NULL, delta BIGINT NOT NULL, seats BIGINT);
SQL
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
cat >"$dir/slots.sql" <<'SQL'
SELECT COUNT(*) AS held FROM capacity_seat_probe WHERE holder = 'c' || :client_id \gset
\if :held
BEGIN;
UPDATE capacity_seat_probe SET holder = NULL WHERE holder = 'c' || :client_id;
INSERT INTO capacity_seat_log_probe (day, delta) VALUES (20418, -1);
COMMIT;
\else
BEGIN;
UPDATE capacity_seat_probe SET holder = 'c' || :client_id WHERE slot IN
  (SELECT slot FROM capacity_seat_probe WHERE holder IS NULL ORDER BY slot LIMIT 1 FOR UPDATE SKIP LOCKED);
INSERT INTO capacity_seat_log_probe (day, delta) VALUES (20418, 1);
COMMIT;
\endif
SQL
tps() { pgbench -n -c 8 -j 2 -T "$secs" -f "$1" "$url" 2>/dev/null | awk '/^tps/ {print int($3)}'; }
one_row=$(tps "$dir/one-row.sql")
own_rows=$(tps "$dir/own-rows.sql")
slots=$(tps "$dir/slots.sql")
# The slots hold what the log says: every change was one seat, never two holders on a slot.
consistent=$(psql "$url" -Atc "SELECT CASE WHEN (SELECT COUNT(*) FROM capacity_seat_probe WHERE holder IS NOT NULL) = (SELECT COALESCE(SUM(delta), 0) FROM capacity_seat_log_probe) THEN 'true' ELSE 'false' END")
psql "$url" -qc "DROP TABLE capacity_pool_probe, capacity_seat_probe, capacity_seat_log_probe" >/dev/null
echo "{\"one_row_commits_per_s\": $one_row, \"own_rows_commits_per_s\": $own_rows, \"seat_slots_commits_per_s\": $slots, \"seat_slots_consistent\": $consistent}"
