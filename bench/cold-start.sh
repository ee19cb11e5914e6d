#!/usr/bin/env bash
# bench/cold-start.sh — cold start to ready on an existing database (issue 2).
#
# Prepares a database once (migrate + demo dataset), then RUNS times (10):
# starts `anxin serve` on it, polls GET /readyz every 5 ms until it answers
# 200, records the time from just before the process was started, and stops
# the server. Reports every run and min/median/max. SQLite always; PostgreSQL
# too when ANXIN_BENCH_POSTGRES_URL names a server (a fresh database is
# created on it and dropped afterwards).
#
#   bench/cold-start.sh
#   ANXIN_BENCH_POSTGRES_URL='postgres://anxin@127.0.0.1:55432/anxin_test?sslmode=disable' bench/cold-start.sh
#
# The poll uses bash's /dev/tcp and a builtin 5 ms wait, so no process is
# forked while the clock runs. "Cold" is a new process; the operating
# system's file cache is not dropped (that needs root and disturbs the rest
# of the machine).
set -euo pipefail

cd "$(dirname "$0")/.."
: "${RUNS:=10}"
: "${ENGINES:=sqlite postgres}"

bin=/tmp/anxin-bench
work=$(mktemp -d /tmp/anxin-cold.XXXXXX)
server_pid=
pg_admin_url=
pg_db=

cleanup() {
	if [ -n "$server_pid" ]; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [ -n "$pg_db" ]; then
		psql -q "$pg_admin_url" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null 2>&1 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# A pipe nobody writes to: reading it with a timeout is a sleep without a fork.
exec {never}<> <(:)
pause() { read -r -t "$1" -u "$never" _ || true; }

# ready PORT: succeeds when GET /readyz answers 200.
ready() {
	local line=
	{
		printf 'GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
		IFS= read -r -t 2 line <&3
	} 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	[[ $line == "HTTP/1."?" 200"* ]]
}

# free_port: a TCP port nothing listens on.
free_port() {
	local p
	for p in $(shuf -i 20000-60000 -n 100); do
		if [ -z "$(ss -Hltn "sport = :$p")" ]; then
			echo "$p"
			return
		fi
	done
	echo "no free port" >&2
	return 1
}

echo "== machine"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu:     $(nproc) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "memory:  $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
echo "go:      $(go version)"
echo "commit:  $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
CGO_ENABLED=0 go build -o "$bin" ./cmd/anxin
echo "binary:  $bin ($(du -h "$bin" | cut -f1))"

# measure ENGINE STORAGE-FLAGS...: prepare the database, then start RUNS times.
measure() {
	local engine=$1
	shift
	echo
	echo "== $engine"
	"$bin" migrate "$@" >/dev/null 2>&1
	"$bin" demo "$@" >/dev/null
	echo "prepared: migrated and demo dataset loaded"
	local times=() i port t0 t1 ms log reported
	for i in $(seq 1 "$RUNS"); do
		port=$(free_port)
		log="$work/$engine-$i.log"
		t0=${EPOCHREALTIME/./}
		"$bin" serve "$@" --addr "127.0.0.1:$port" >"$log" 2>&1 &
		server_pid=$!
		until ready "$port"; do
			if ! kill -0 "$server_pid" 2>/dev/null; then
				cat "$log" >&2
				echo "anxin serve exited" >&2
				exit 1
			fi
			if ((${EPOCHREALTIME/./} - t0 > 30000000)); then
				echo "not ready after 30 s" >&2
				exit 1
			fi
			pause 0.005
		done
		t1=${EPOCHREALTIME/./}
		kill -TERM "$server_pid"
		wait "$server_pid" || true
		server_pid=
		ms=$(awk -v us=$((t1 - t0)) 'BEGIN {printf "%.1f", us/1000}')
		reported=$(grep -o 'ready in [0-9]* ms' "$log" | grep -o '[0-9]*' || echo '?')
		printf 'run %2d: ready after %6s ms (anxin itself reports %s ms from the start of serve to listening)\n' "$i" "$ms" "$reported"
		times+=("$ms")
	done
	printf '%s\n' "${times[@]}" | sort -n | awk -v engine="$engine" '
		{ v[NR] = $1 }
		END {
			med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%s cold start to ready over %d runs: min %.1f ms, median %.1f ms, max %.1f ms\n", engine, NR, v[1], med, v[NR]
		}'
}

for engine in $ENGINES; do
	case $engine in
	sqlite)
		measure sqlite --data "$work/data"
		;;
	postgres)
		if [ -z "${ANXIN_BENCH_POSTGRES_URL:-}" ]; then
			echo
			echo "== postgres: skipped (set ANXIN_BENCH_POSTGRES_URL)"
			continue
		fi
		pg_admin_url=$ANXIN_BENCH_POSTGRES_URL
		pg_db=anxin_cold_$$
		psql -q "$pg_admin_url" -c "DROP DATABASE IF EXISTS $pg_db" -c "CREATE DATABASE $pg_db" >/dev/null 2>&1
		base_url=${pg_admin_url%%\?*}
		query=${pg_admin_url#"$base_url"}
		echo
		echo "PostgreSQL: $(psql -qtA "$pg_admin_url" -c 'SHOW server_version'), fresh database $pg_db"
		measure postgres --database "${base_url%/*}/$pg_db$query"
		;;
	*)
		echo "unknown engine $engine" >&2
		exit 2
		;;
	esac
done
