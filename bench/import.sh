#!/usr/bin/env bash
# bench/import.sh — import a 100,000-row XLSX roster end to end through
# `anxin elders import` (issue 3: < 30 s, peak memory < 500 MB).
#
# Builds anxin and bench/roster, migrates a fresh SQLite data directory
# (or uses PostgreSQL when ANXIN_BENCH_POSTGRES_URL is set: that database
# is emptied first), writes a roster of N generated elders of one district
# (merged title row, dates and numbers typed several ways, 2 % rows with a
# mistake, some repeated rows), then runs under /usr/bin/time -v:
#   1. `anxin elders import --dry-run --json` (read + check, writes nothing)
#   2. `anxin elders import --json`           (the first import: creates)
#   3. `anxin elders import --json` again     (re-import: creates nothing)
#   4. the same file uploaded to `anxin serve` on a fresh database through
#      POST /api/v1/elders/import (upload, check, write: one request)
# and prints wall time, peak RSS (of the server for step 4) and the counts
# of each. Results:
# docs/benchmarks.md. Nothing leaves the machine.
#
#   bench/import.sh
#   N=10000 bench/import.sh
#
# Knobs (environment): N (100000), REGION (310107), WORK (a temp dir).
set -euo pipefail

cd "$(dirname "$0")/.."
: "${N:=100000}"
: "${REGION:=310107}"
work=${WORK:-$(mktemp -d /tmp/anxin-import.XXXXXX)}
mkdir -p "$work"

bin=$work/anxin
CGO_ENABLED=0 go build -o "$bin" ./cmd/anxin
CGO_ENABLED=0 go build -o "$work/roster" ./bench/roster

data=$work/data
rm -rf "$data"
mkdir -p "$data"
"$bin" migrate --data "$data" >/dev/null
target=(--data "$data")
if [ -n "${ANXIN_BENCH_POSTGRES_URL:-}" ]; then
	psql -q "$ANXIN_BENCH_POSTGRES_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
	"$bin" migrate --database "$ANXIN_BENCH_POSTGRES_URL" >/dev/null
	target=(--database "$ANXIN_BENCH_POSTGRES_URL")
fi

file=$work/roster-$N.xlsx
"$work/roster" -data "$data" -region "$REGION" -count "$N" -out "$file"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3-4)"
engine=SQLite
[ -n "${ANXIN_BENCH_POSTGRES_URL:-}" ] && engine=PostgreSQL
echo "# roster: $N rows, $(du -h "$file" | cut -f1); database: $engine"

step() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$work/time" "$bin" elders import "${target[@]}" --json "$@" "$file" >"$work/out.json"
	read -r secs kb <"$work/time"
	python3 - "$work/out.json" "$name" "$secs" "$kb" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:<10} {float(sys.argv[3]):6.1f} s  peak RSS {int(sys.argv[4])/1024:5.0f} MB  "
      f"rows {r['rows']} valid {r['valid']} rejected {r['rejected']} created {r['created']} updated {r['updated']} unchanged {r['unchanged']}")
PY
}
step dry-run --dry-run
step import
step re-import

# 4. Through the API, into an empty registry again.
if [ -n "${ANXIN_BENCH_POSTGRES_URL:-}" ]; then
	psql -q "$ANXIN_BENCH_POSTGRES_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
else
	rm -rf "$data" && mkdir -p "$data"
fi
"$bin" migrate "${target[@]}" >/dev/null
"$bin" user add "${target[@]}" --admin bench >/dev/null
token=$("$bin" token create "${target[@]}" --name bench bench | grep -o '^anx_[A-Za-z0-9_-]*$')
"$bin" serve "${target[@]}" --addr 127.0.0.1:0 --log-level warn >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
base=
for _ in $(seq 1 100); do
	base=$(grep -o 'running at http://127\.0\.0\.1:[0-9]*' "$work/serve.log" | sed 's/running at //') || true
	[ -n "$base" ] && break
	sleep 0.1
done
[ -n "$base" ] || { cat "$work/serve.log" >&2; exit 1; }
before=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
secs=$(curl -s -o "$work/out.json" -w '%{time_total}' -H "Authorization: Bearer $token" -F "file=@$file" "$base/api/v1/elders/import")
kb=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
python3 - "$work/out.json" "$secs" "$kb" "$before" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{'api':<10} {float(sys.argv[2]):6.1f} s  peak RSS {int(sys.argv[3])/1024:5.0f} MB  (server before the request: {int(sys.argv[4])/1024:.0f} MB)  "
      f"rows {r['rows']} valid {r['valid']} rejected {r['rejected']} created {r['created']} updated {r['updated']} unchanged {r['unchanged']}")
PY
