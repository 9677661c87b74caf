#!/usr/bin/env bash
# HTTP benchmark: the release binary over a SQLite database of RECORDS records (default a
# million) and a PostgreSQL database of PG_RECORDS (default 100 000; $PORTICO_BENCH_POSTGRES,
# default portico_bench on the local server, created and seeded when missing), loaded by wrk,
# next to a bare axum handler answering a JSON body of the same size as a record — the HTTP
# stack's own ceiling on this machine, measured in the same run. Each backend is measured with
# the email worker off (the requests alone) and on (as a server runs). Prints a table and
# writes target/bench/http.json.
# Usage: ./scripts/bench-http.sh [RECORDS]
set -euo pipefail
cd "$(dirname "$0")/.."
records=${1:-1000000}
duration=${DURATION:-10s}
threads=${THREADS:-2}
connections=${CONNECTIONS:-32}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
# Two builds: built together, cargo would give the product the bench's `raw-sql` store.
cargo build --release -p portico --locked --quiet
cargo build --release -p portico-bench --locked --quiet
bin=${CARGO_TARGET_DIR:-target}/release/portico
bench_bin=${CARGO_TARGET_DIR:-target}/release/portico-bench
dir=target/bench/http
mkdir -p "$dir"
db="$dir/portico-$records.db"
if [ ! -f "$db" ]; then
  "$bin" migrate --create --database-url "sqlite://$db" >/dev/null
  PORTICO_ADMIN_PASSWORD=bench-admin-password "$bin" seed --database-url "sqlite://$db" --records "$records"
fi
source scripts/bench-postgres.sh
bench_postgres
port=18181
bare_port=18182
servers=()
trap 'kill ${servers[*]} ${bare:-} 2>/dev/null || true' EXIT

run() { # name url [extra wrk args]
  local name=$1 url=$2; shift 2
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --latency "$@" "$url")
  local rps p50 p99
  rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1=="50%" {print $2}')
  p99=$(echo "$out" | awk '$1=="99%" {print $2}')
  echo "$name|$rps|$p50|$p99"
}

# Latency is also measured below saturation: at full load p50 and p99 are mostly the queue of
# 32 connections and the scheduler sharing two cores with wrk. Each connection waits 1 ms
# between requests (about a third of the read's full rate).
cat >"$dir/paced.lua" <<'LUA'
function delay() return 1 end
LUA

start() { # database-url mail-worker: starts a server; sets $server, $token, $auth
  PORTICO_MAIL_WORKER=$2 PORTICO_LOG=warn "$bin" serve --listen "127.0.0.1:$port" --database-url "$1" \
    --data-dir "$dir" >>"$dir/server.log" 2>&1 &
  server=$!
  servers+=("$server")
  for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 1; done
  token=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth" -H 'content-type: application/json' \
    -d '{"username":"admin","password":"bench-admin-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["sessionId"])')
  auth="Authorization: Bearer $token"
  # A seeded database holds audit entries not yet sealed; the server's sealer chains them in
  # rounds, each a write that ends the read cache (and SQLite's page cache). Measure after.
  local unsealed="SELECT COUNT(*) FROM audit_trail WHERE chain_seq IS NULL"
  for _ in $(seq 1 1800); do
    case $1 in
      sqlite://*) n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "${1#sqlite://}" "$unsealed") ;;
      *) n=$(psql "$1" -Atc "$unsealed") ;;
    esac
    [ "$n" = 0 ] && break
    sleep 1
  done
}

stop() {
  kill "$server"
  wait "$server" 2>/dev/null || true
}

prepare() { # the records and lists the requests use, and wrk's scripts for this server
  local records_json orgs_json
  records_json=$(curl -fsS -H "$auth" "http://127.0.0.1:$port/api/v1/vobjects/car__v?state__v=pending_response__c&limit=1000")
  echo "$records_json" | python3 -c 'import json,sys; [print(r["id"]) for r in json.load(sys.stdin)["data"]]' >"$dir/ids.txt"
  record=$(head -1 "$dir/ids.txt")
  supplier=$(echo "$records_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["supplier__v"])')
  # Lists that miss the read cache: a different supplier, state or page each request, more
  # of them than are asked for in a second.
  orgs_json=$(curl -fsS -H "$auth" "http://127.0.0.1:$port/api/v1/vobjects/organization__v?limit=1000")
  echo "$orgs_json" | python3 -c '
import json, sys
orgs = [o["id"] for o in json.load(sys.stdin)["data"]]
for offset in range(0, 200, 20):
    for state in ("pending_response__c", "in_review__c", "closed__c"):
        for o in orgs:
            print(f"/api/v1/vobjects/car__v?supplier__v={o}&state__v={state}&limit=20&offset={offset}")
' >"$dir/lists.txt"
  cat >"$dir/action.lua" <<LUA
-- A dry run of a lifecycle action on a different record each request.
local ids = {}
for line in io.lines("$dir/ids.txt") do ids[#ids + 1] = line end
local n = 0
request = function()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  return wrk.format("POST", "/api/v1/vobjects/car__v/" .. id .. "/actions/change_state_to_cancelled__c?dry_run=true",
    {["Authorization"] = "Bearer $token", ["Content-Type"] = "application/json"}, "{}")
end
LUA
  cat >"$dir/lists.lua" <<LUA
-- A supplier's records, a different list each request (the read cache does not serve them).
local paths = {}
for line in io.lines("$dir/lists.txt") do paths[#paths + 1] = line end
local n = math.random(#paths)
request = function()
  n = n + 1
  return wrk.format("GET", paths[(n % #paths) + 1], {["Authorization"] = "Bearer $token"})
end
LUA
}

requests() { # prefix [paced]: the rows of one server
  local p=$1
  results+=("$(run "${p}read_record" "http://127.0.0.1:$port/api/v1/vobjects/car__v/$record" -H "$auth")")
  results+=("$(run "${p}list_supplier_open" "http://127.0.0.1:$port/api/v1/vobjects/car__v?supplier__v=$supplier&state__v=pending_response__c&limit=20" -H "$auth")")
  results+=("$(run "${p}list_varied" "http://127.0.0.1:$port/" -s "$dir/lists.lua")")
  results+=("$(run "${p}action_dry_run" "http://127.0.0.1:$port/" -s "$dir/action.lua")")
  if [ "${2:-}" = paced ]; then
    results+=("$(run "${p}read_record_paced" "http://127.0.0.1:$port/api/v1/vobjects/car__v/$record" -H "$auth" -s "$dir/paced.lua")")
  fi
}

results=()
start "sqlite://$db" false
prepare
body_bytes=$(curl -fsS -H "$auth" "http://127.0.0.1:$port/api/v1/vobjects/car__v/$record" | wc -c)
list_bytes=$(curl -fsS -H "$auth" "http://127.0.0.1:$port/api/v1/vobjects/car__v?supplier__v=$supplier&state__v=pending_response__c&limit=20" | wc -c)
"$bench_bin" bare-http --listen "127.0.0.1:$bare_port" --bytes "$body_bytes" >"$dir/bare.log" 2>&1 &
bare=$!
sleep 1
results+=("$(run bare "http://127.0.0.1:$bare_port/")")
requests "sqlite: " paced
results+=("$(run bare_paced "http://127.0.0.1:$bare_port/" -s "$dir/paced.lua")")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
stop
start "sqlite://$db" true
prepare
requests "sqlite, email worker on: "
stop
start "$pg_url" false
prepare
requests "postgres: "
# The plan of the list on this database, to see it is served by its index.
psql "$pg_url" -c "EXPLAIN (ANALYZE, COSTS OFF) SELECT id FROM records r WHERE object = 'car__v' AND deleted = 0 AND supplier_id = '$supplier' AND state = 'pending_response__c' ORDER BY created_at DESC, id DESC LIMIT 20" >"$dir/pg-list-plan.txt"
stop
start "$pg_url" true
prepare
requests "postgres, email worker on: "
stop

python3 - "$records" "$rss_kb" "$pg_records" "$body_bytes" "$list_bytes" "${results[@]}" <<'PY'
import json, re, sys
records, rss, pg_records, body_bytes, list_bytes = (int(a) for a in sys.argv[1:6])
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rows = []
for line in sys.argv[6:]:
    name, rps, p50, p99 = line.split("|")
    rows.append({"name": name, "rps": float(rps), "p50_ms": ms(p50), "p99_ms": ms(p99)})
bare = rows[0]["rps"]
bare_paced = next(r["rps"] for r in rows if r["name"] == "bare_paced")
print(f"\nHTTP over {records} records on SQLite and {pg_records} on PostgreSQL (wrk), peak RSS of the SQLite server: {rss/1024:.0f} MB")
print(f"bodies: a record {body_bytes} bytes (the bare handler's), a list of 20 {list_bytes} bytes; ratios against the bare handler of this run")
print(f"{'request':<46} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>8} {'vs bare':>8}")
for r in rows:
    r["ratio_to_bare"] = r["rps"] / (bare_paced if r["name"].endswith("_paced") else bare)
    print(f"{r['name']:<46} {r['rps']:>10.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['p99_ms']/r['p50_ms']:>8.1f} {r['ratio_to_bare']:>8.2f}")
json.dump({"records": records, "pg_records": pg_records, "record_bytes": body_bytes, "list_bytes": list_bytes,
           "peak_rss_mb": rss / 1024, "rows": rows}, open("target/bench/http.json", "w"), indent=2)
PY
