#!/usr/bin/env bash
# bench/run-api.sh — authenticated API read benchmark (issue 2).
#
# Builds anxin, starts `anxin serve --demo` on a fresh SQLite data directory on
# 127.0.0.1 (a free port), creates an API token with `anxin token create`,
# then runs bench/apiload: first a fixed rate (500 req/s for 30 s), then
# -find-max, which steps the rate up until p99 > 10 ms, failures > 0.1 % or
# achieved < 95 % of the target. Then the same on PostgreSQL when
# ANXIN_BENCH_POSTGRES_URL names a server: a fresh database is created on it
# and dropped afterwards, and analysed before loading if autovacuum has not
# done it yet (see docs/benchmarks.md). Results: docs/benchmarks.md.
#
#   bench/run-api.sh                        # SQLite only
#   ANXIN_BENCH_POSTGRES_URL='postgres://anxin@127.0.0.1:55432/anxin_test?sslmode=disable' bench/run-api.sh
#
# Knobs (environment): BENCH_PATHS (candidate GET paths, comma-separated; those
# that do not answer 200 are left out, /api/v1/me must answer), FIXED_RATE
# (500), FIXED_DURATION (30s), STEP_DURATION (15s), WARMUP (3s), STEPS
# (apiload's default), ENGINES ("sqlite postgres"). Load goes to 127.0.0.1 only.
set -euo pipefail

cd "$(dirname "$0")/.."
: "${BENCH_PATHS:=/api/v1/me,/api/v1/regions/310107005,/api/v1/orgs}"
: "${FIXED_RATE:=500}"
: "${FIXED_DURATION:=30s}"
: "${STEP_DURATION:=15s}"
: "${WARMUP:=3s}"
: "${STEPS:=}"
: "${ENGINES:=sqlite postgres}"

bin=/tmp/anxin-bench
load=/tmp/apiload-bench
work=$(mktemp -d /tmp/anxin-bench.XXXXXX)
server_pid=
pg_admin_url=
pg_db=

cleanup() {
	stop_server
	if [ -n "$pg_db" ]; then
		psql -q "$pg_admin_url" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

stop_server() {
	if [ -n "$server_pid" ]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=
	fi
}

echo "== machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:     $(nproc) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "go:      $(go version)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"

echo "== build"
CGO_ENABLED=0 go build -o "$bin" ./cmd/anxin
go build -o "$load" ./bench/apiload
echo "built $bin and $load"

# bench ENGINE STORAGE-FLAGS...: serve the demo dataset, create a token, load.
bench() {
	local engine=$1
	shift
	local log="$work/$engine-serve.log"
	echo
	echo "== $engine"
	"$bin" serve --demo "$@" --addr 127.0.0.1:0 --sip-addr 127.0.0.1:0 --log-level warn >"$log" 2>&1 &
	server_pid=$!
	local base=
	for _ in $(seq 1 600); do # up to 60 s: --demo hashes ~30 passwords first
		base=$(grep -o 'running at http://127\.0\.0\.1:[0-9]*' "$log" | sed 's/running at //') || true
		[ -n "$base" ] && break
		if ! kill -0 "$server_pid" 2>/dev/null; then
			cat "$log" >&2
			echo "anxin serve exited" >&2
			exit 1
		fi
		sleep 0.1
	done
	[ -n "$base" ] || { cat "$log" >&2; echo "anxin serve did not start" >&2; exit 1; }
	grep -E 'running at' "$log"

	local token
	token=$("$bin" token create "$@" --name bench admin | grep -o '^anx_[A-Za-z0-9_-]*$')
	export ANXIN_TOKEN=$token # apiload reads it; it stays off the command line

	if [ "$engine" = postgres ]; then
		# Right after the migration loads the 52,466 regions, PostgreSQL has
		# no statistics on them until autovacuum's next round (up to a
		# minute); meanwhile GET /api/v1/orgs hash-joins every region (16 ms
		# instead of 0.3 ms) and the server falls seconds behind at 500/s.
		# See docs/benchmarks.md. Measure the steady state: analyse first.
		local unanalysed
		unanalysed=$(psql -qtA "${pg_url}" -c "SELECT string_agg(relname, ',') FROM pg_stat_user_tables WHERE last_analyze IS NULL AND last_autoanalyze IS NULL AND n_live_tup > 0")
		if [ -n "$unanalysed" ]; then
			echo "no planner statistics yet on: $unanalysed; running ANALYZE before measuring"
			psql -q "$pg_url" -c ANALYZE
		fi
	fi

	local paths=() p status
	for p in ${BENCH_PATHS//,/ }; do
		status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$base$p")
		echo "GET $p → $status"
		[ "$status" = 200 ] && paths+=("$p")
	done
	local joined
	joined=$(
		IFS=,
		echo "${paths[*]}"
	)
	if [[ ",$joined," != *,/api/v1/me,* ]]; then
		echo "GET /api/v1/me did not answer 200; nothing to measure" >&2
		exit 1
	fi
	local common=(-url "$base" -paths "$joined" -server-pid "$server_pid" -warmup "$WARMUP")
	# On PostgreSQL the database's CPU is reported apart from "other".
	[ "$engine" = postgres ] && common+=(-db-process postgres)

	echo
	echo "-- $engine: fixed rate"
	echo "\$ apiload ${common[*]} -rate $FIXED_RATE -duration $FIXED_DURATION -by-path -by-second"
	"$load" "${common[@]}" -rate "$FIXED_RATE" -duration "$FIXED_DURATION" -by-path -by-second

	echo
	echo "-- $engine: maximum sustained rate"
	local steps=()
	[ -n "$STEPS" ] && steps=(-steps "$STEPS")
	echo "\$ apiload ${common[*]} -find-max -duration $STEP_DURATION ${steps[*]}"
	"$load" "${common[@]}" -find-max -duration "$STEP_DURATION" "${steps[@]}"

	echo
	echo "-- $engine: server-side request durations (/metrics)"
	curl -s "$base/metrics" | grep -E '^anxin_http_request_duration_seconds_(bucket|count)\{route="GET /api/v1/' | grep -E 'le="(0\.001|0\.0025|0\.005|0\.01|0\.025)"|_count' || true
	stop_server
}

for engine in $ENGINES; do
	case $engine in
	sqlite)
		bench sqlite --data "$work/data"
		;;
	postgres)
		if [ -z "${ANXIN_BENCH_POSTGRES_URL:-}" ]; then
			echo
			echo "== postgres: skipped (set ANXIN_BENCH_POSTGRES_URL)"
			continue
		fi
		# A fresh database on the named server, dropped on exit.
		pg_admin_url=$ANXIN_BENCH_POSTGRES_URL
		pg_db=anxin_bench_$$
		psql -q "$pg_admin_url" -c "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db" >/dev/null 2>&1
		base_url=${pg_admin_url%%\?*}
		query=${pg_admin_url#"$base_url"}
		pg_url="${base_url%/*}/$pg_db$query"
		echo
		echo "PostgreSQL: $(psql -qtA "$pg_admin_url" -c 'SHOW server_version'), fresh database $pg_db"
		bench postgres --database "$pg_url"
		;;
	*)
		echo "unknown engine $engine" >&2
		exit 2
		;;
	esac
done
