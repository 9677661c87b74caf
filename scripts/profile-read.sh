#!/usr/bin/env bash
# Where the server's instructions go on a read that misses the read cache (callgrind), against
# the capacity benchmark's database: see scripts/profile_read.py. Usage: ./scripts/profile-read.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p portico --locked --quiet
bin=${CARGO_TARGET_DIR:-target}/release/portico
source scripts/bench-postgres.sh
bench_postgres
python3 scripts/profile_read.py "$bin" "$pg_url" target/bench/profile-read "${1:-2000}"
