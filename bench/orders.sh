#!/usr/bin/env bash
# bench/orders.sh — work orders created and dispatched per second through
# the HTTP API (issue 4: ≥ 500 orders/s; report p99).
#
# Builds anxin and bench/orderload, starts `anxin serve --demo` on a fresh
# SQLite data directory (or, with ANXIN_BENCH_POSTGRES_URL, on that
# PostgreSQL database, emptied first) on loopback, creates an API token for
# the demo operator, and runs bench/orderload: WORKERS callers each create
# an order for a random demo elder and dispatch it to a provider, for
# DURATION after a warm-up. The load generator runs on the same machine.
# Results: docs/benchmarks.md.
#
#   bench/orders.sh
#   ANXIN_BENCH_POSTGRES_URL=postgres://anxin@127.0.0.1:55432/anxin_bench bench/orders.sh
#
# Knobs (environment): WORKERS (16), DURATION (30s), WARMUP (5s).
set -euo pipefail

cd "$(dirname "$0")/.."
: "${WORKERS:=16}"
: "${DURATION:=30s}"
: "${WARMUP:=5s}"
work=$(mktemp -d /tmp/anxin-orders.XXXXXX)
bin=$work/anxin
CGO_ENABLED=0 go build -o "$bin" ./cmd/anxin
go build -o "$work/orderload" ./bench/orderload

target=(--data "$work/data")
engine=SQLite
if [ -n "${ANXIN_BENCH_POSTGRES_URL:-}" ]; then
	psql -q "$ANXIN_BENCH_POSTGRES_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' 2>/dev/null
	target=(--database "$ANXIN_BENCH_POSTGRES_URL")
	engine=PostgreSQL
fi
"$bin" serve --demo "${target[@]}" --addr 127.0.0.1:0 --sip-addr 127.0.0.1:0 --log-level warn >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
base=
for _ in $(seq 1 1800); do # up to 3 minutes: the demo loads 5,000 orders first
	base=$(grep -o 'running at http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | sed 's/running at //') || true
	[ -n "$base" ] && break
	kill -0 "$pid" 2>/dev/null || { cat "$work/serve.log" >&2; exit 1; }
	sleep 0.1
done
[ -n "$base" ] || { cat "$work/serve.log" >&2; exit 1; }
token=$("$bin" token create "${target[@]}" --name bench operator1 | grep -o '^anx_[A-Za-z0-9_-]*$')
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3-4), $engine, commit $(git rev-parse --short HEAD)"
ANXIN_TOKEN=$token "$work/orderload" -url "$base" -workers "$WORKERS" -duration "$DURATION" -warmup "$WARMUP"
