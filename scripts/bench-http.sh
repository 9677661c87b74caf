#!/usr/bin/env bash
# HTTP benchmark: the release binary over a database of RECORDS records (default a million),
# loaded by wrk, next to a bare axum handler answering a JSON body of the same size — the
# HTTP stack's own ceiling on this machine. Prints a table and writes target/bench/http.json.
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
bin=target/release/portico
bench_bin=target/release/portico-bench
dir=target/bench/http
mkdir -p "$dir"
db="$dir/portico-$records.db"
if [ ! -f "$db" ]; then
  "$bin" migrate --create --database-url "sqlite://$db" >/dev/null
  PORTICO_ADMIN_PASSWORD=bench-admin-password "$bin" seed --database-url "sqlite://$db" --records "$records"
fi
port=18181
bare_port=18182
PORTICO_MAIL_WORKER=false PORTICO_LOG=warn "$bin" serve --listen "127.0.0.1:$port" --database-url "sqlite://$db" \
  --data-dir "$dir" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server ${bare:-} 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 1; done
token=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"bench-admin-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["sessionId"])')
auth="Authorization: Bearer $token"
records_json=$(curl -fsS -H "$auth" "http://127.0.0.1:$port/api/v1/vobjects/car__v?state__v=pending_response__c&limit=1000")
echo "$records_json" | python3 -c 'import json,sys; [print(r["id"]) for r in json.load(sys.stdin)["data"]]' >"$dir/ids.txt"
record=$(head -1 "$dir/ids.txt")
supplier=$(echo "$records_json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["supplier__v"])')
body_bytes=$(curl -fsS -H "$auth" "http://127.0.0.1:$port/api/v1/vobjects/car__v/$record" | wc -c)
"$bench_bin" bare-http --listen "127.0.0.1:$bare_port" --bytes "$body_bytes" >"$dir/bare.log" 2>&1 &
bare=$!
sleep 1

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

# Latency is also measured below saturation: at full load p50 and p99 are mostly the queue of
# 32 connections and the scheduler sharing two cores with wrk. Each connection waits 1 ms
# between requests (about a third of the read's full rate).
cat >"$dir/paced.lua" <<'LUA'
function delay() return 1 end
LUA

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
results=()
results+=("$(run bare "http://127.0.0.1:$bare_port/")")
results+=("$(run read_record "http://127.0.0.1:$port/api/v1/vobjects/car__v/$record" -H "$auth")")
results+=("$(run list_supplier_open "http://127.0.0.1:$port/api/v1/vobjects/car__v?supplier__v=$supplier&state__v=pending_response__c&limit=20" -H "$auth")")
results+=("$(run action_dry_run "http://127.0.0.1:$port/" -s "$dir/action.lua")")
results+=("$(run bare_paced "http://127.0.0.1:$bare_port/" -s "$dir/paced.lua")")
results+=("$(run read_record_paced "http://127.0.0.1:$port/api/v1/vobjects/car__v/$record" -H "$auth" -s "$dir/paced.lua")")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")

python3 - "$records" "$rss_kb" "${results[@]}" <<'PY'
import json, re, sys
records, rss = int(sys.argv[1]), int(sys.argv[2])
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
rows = []
for line in sys.argv[3:]:
    name, rps, p50, p99 = line.split("|")
    rows.append({"name": name, "rps": float(rps), "p50_ms": ms(p50), "p99_ms": ms(p99)})
bare = rows[0]["rps"]
bare_paced = next(r["rps"] for r in rows if r["name"] == "bare_paced")
print(f"\nHTTP over {records} records (wrk), peak RSS of the server: {rss/1024:.0f} MB")
print(f"{'request':<22} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'p99/p50':>8} {'vs bare':>8}")
for r in rows:
    r["ratio_to_bare"] = r["rps"] / (bare_paced if r["name"].endswith("_paced") else bare)
    print(f"{r['name']:<22} {r['rps']:>10.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['p99_ms']/r['p50_ms']:>8.1f} {r['ratio_to_bare']:>8.2f}")
json.dump({"records": records, "peak_rss_mb": rss / 1024, "rows": rows}, open("target/bench/http.json", "w"), indent=2)
PY
