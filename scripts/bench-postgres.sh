# Sourced by bench-http.sh and capacity.sh: the benchmark's own PostgreSQL database
# ($PORTICO_BENCH_POSTGRES, default portico_bench on the local server), created, migrated and
# seeded with at least $pg_records records when it has fewer. Needs $bin (the release binary).
pg_url=${PORTICO_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/portico_bench}
pg_db=${pg_url##*/}
pg_db=${pg_db%%\?*}
pg_admin_url=${pg_url%/*}/postgres
pg_records=${PG_RECORDS:-100000}

bench_postgres() {
  if [ -z "$(psql "$pg_admin_url" -Atc "SELECT 1 FROM pg_database WHERE datname = '$pg_db'")" ]; then
    psql "$pg_admin_url" -qc "CREATE DATABASE $pg_db" >/dev/null
  fi
  "$bin" migrate --database-url "$pg_url" >/dev/null
  local have
  have=$(psql "$pg_url" -Atc "SELECT COUNT(*) FROM records")
  if [ "$have" -lt "$pg_records" ]; then
    PORTICO_ADMIN_PASSWORD=bench-admin-password "$bin" seed --database-url "$pg_url" --records "$((pg_records - have))"
    psql "$pg_url" -qc "VACUUM ANALYZE" >/dev/null
  fi
}
