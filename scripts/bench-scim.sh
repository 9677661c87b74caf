#!/usr/bin/env bash
# SCIM benchmark: Portico's /scim/v2 next to scim2-server (PyPI, the Python reference SCIM
# server), on this machine, both loaded by the same wrk with the same settings, each holding the
# same USERS users (default 100) made over SCIM: GET /Users/{id}, and a filtered list
# (GET /Users?filter=userName eq "…"). Prints a table and writes target/bench/scim.json.
# Usage: ./scripts/bench-scim.sh   (USERS, DURATION, THREADS, CONNECTIONS to change the load;
# PROFILE=debug for the debug build)
set -euo pipefail
cd "$(dirname "$0")/.."
users=${USERS:-100}
duration=${DURATION:-10s}
threads=${THREADS:-2}
connections=${CONNECTIONS:-32}

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
venv=.venv
[ -d "$venv" ] || python3 -m venv "$venv"
[ -x "$venv/bin/scim2-server" ] || "$venv/bin/pip" install --quiet --disable-pip-version-check "scim2-server==0.8.3"
# PROFILE=debug measures the debug build (a lower bound for Portico, for a quick look).
profile=${PROFILE:-release}
if [ "$profile" = release ]; then
  cargo build --release -p portico --locked --quiet
else
  cargo build -p portico --locked --quiet
fi
bin=${CARGO_TARGET_DIR:-target}/$profile/portico

dir=target/bench/scim
rm -rf "$dir" && mkdir -p "$dir"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
ref_port=$(free_port)
ref_token=bench-reference-token

"$bin" migrate --create --database-url "sqlite://$PWD/$dir/portico.db" >/dev/null
PORTICO_ADMIN_PASSWORD=bench-admin-password PORTICO_MAIL_WORKER=false PORTICO_LOG=warn \
  "$bin" serve --listen "127.0.0.1:$port" --database-url "sqlite://$PWD/$dir/portico.db" \
  --data-dir "$dir" >"$dir/portico.log" 2>&1 &
server=$!
"$venv/bin/scim2-server" --port "$ref_port" --bearer-token "$ref_token" >"$dir/reference.log" 2>&1 &
reference=$!
trap 'kill $server $reference 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 1; done
for _ in $(seq 1 60); do
  curl -fsS -H "Authorization: Bearer $ref_token" "http://127.0.0.1:$ref_port/ServiceProviderConfig" >/dev/null 2>&1 && break
  sleep 1
done

session=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth" -H 'content-type: application/json' \
  -d '{"username":"admin","password":"bench-admin-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["sessionId"])')
token=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/scim-tokens" -H "Authorization: Bearer $session" \
  -H 'content-type: application/json' -d '{"name":"bench"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["token"])')

# The same users on both servers; answers the id of the middle one on each.
populate() {
  python3 - "$1" "$2" "$users" <<'EOF'
import json, sys, urllib.request
base, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
middle = None
for i in range(n):
    body = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": f"bench.user{i}",
            "name": {"givenName": "Bench", "familyName": f"User {i}"}, "active": True,
            "emails": [{"value": f"bench.user{i}@corp.example", "type": "work", "primary": True}]}
    req = urllib.request.Request(f"{base}/Users", data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"})
    created = json.load(urllib.request.urlopen(req))
    if i == n // 2:
        middle = created["id"]
print(middle)
EOF
}
id=$(populate "http://127.0.0.1:$port/scim/v2" "$token")
ref_id=$(populate "http://127.0.0.1:$ref_port" "$ref_token")
filter="filter=userName%20eq%20%22bench.user$((users / 2))%22"

# Both answer the filtered list with the one user.
for url in "http://127.0.0.1:$port/scim/v2/Users?$filter" "http://127.0.0.1:$ref_port/Users?$filter"; do
  auth=$([ "${url#*"$ref_port"}" != "$url" ] && echo "$ref_token" || echo "$token")
  total=$(curl -fsS -H "Authorization: Bearer $auth" "$url" | python3 -c 'import json,sys; print(json.load(sys.stdin)["totalResults"])')
  [ "$total" = 1 ] || { echo "the filtered list of $url has $total users, not 1" >&2; exit 1; }
done

rate() { # url token → requests per second
  wrk -t"$threads" -c"$connections" -d"$duration" -H "Authorization: Bearer $2" "$1" \
    | tee -a "$dir/wrk.txt" | awk '/Requests\/sec/ {print $2}'
}
p_get=$(rate "http://127.0.0.1:$port/scim/v2/Users/$id" "$token")
r_get=$(rate "http://127.0.0.1:$ref_port/Users/$ref_id" "$ref_token")
p_list=$(rate "http://127.0.0.1:$port/scim/v2/Users?$filter" "$token")
r_list=$(rate "http://127.0.0.1:$ref_port/Users?$filter" "$ref_token")

python3 - "$p_get" "$r_get" "$p_list" "$r_list" "$users" "$dir/../scim.json" <<'EOF'
import json, sys
p_get, r_get, p_list, r_list = map(float, sys.argv[1:5])
rows = [("GET /Users/{id}", p_get, r_get), ("GET /Users?filter=userName eq …", p_list, r_list)]
print(f"{'request':34} {'Portico req/s':>14} {'scim2-server req/s':>19} {'ratio':>7}")
for name, p, r in rows:
    print(f"{name:34} {p:14.0f} {r:19.0f} {p / r:6.1f}x")
json.dump({"users": int(sys.argv[5]), "rows": [{"request": n, "portico": p, "scim2_server": r, "ratio": p / r} for n, p, r in rows]},
          open(sys.argv[6], "w"), indent=2)
EOF
