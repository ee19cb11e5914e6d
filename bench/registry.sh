#!/usr/bin/env bash
# bench/registry.sh — elder search and caller-number lookup on N generated
# elders in SQLite (issue 3).
#
# Builds anxin, prepares a data directory (default /tmp/anxin-reg-1m; reused
# when `anxin elders count` already says it holds N elders, otherwise it must
# be empty or absent), migrates it, generates N elders into Shanghai (3101)
# with a fixed seed, then runs bench/registry on it: FindElders for sampled
# names, pinyin, initials, phone and ID tails (system scope and a street
# scope) and LookupPhone for sampled caller numbers, single-threaded after a
# warm-up pass, plus the COUNT(*) timings and query plans. Results:
# docs/benchmarks.md. Nothing leaves the machine.
#
#   bench/registry.sh                       # 1,000,000 elders, ~7.5 min to generate the first time
#   N=100000 DATA=/tmp/anxin-reg-100k bench/registry.sh
#
# Knobs (environment): N (1000000), DATA (/tmp/anxin-reg-1m), SEED (2022, the
# generator's), SAMPLES (2000), STREET (310107005).
set -euo pipefail

cd "$(dirname "$0")/.."
: "${N:=1000000}"
: "${DATA:=/tmp/anxin-reg-1m}"
: "${SEED:=2022}"
: "${SAMPLES:=2000}"
: "${STREET:=310107005}"

bin=/tmp/anxin-reg
bench=/tmp/anxin-reg-bench

CGO_ENABLED=0 go build -o "$bin" ./cmd/anxin
CGO_ENABLED=0 go build -o "$bench" ./bench/registry

have=0
if [ -f "$DATA/anxin.db" ]; then
	have=$("$bin" elders count --data "$DATA" 2>/dev/null || echo 0)
fi
if [ "$have" = "$N" ]; then
	echo "bench/registry.sh: reusing $DATA ($have elders)" >&2
else
	if [ -e "$DATA" ] && [ -n "$(ls -A "$DATA")" ]; then
		echo "bench/registry.sh: $DATA holds $have elders, not $N; remove it or set DATA" >&2
		exit 1
	fi
	mkdir -p "$DATA"
	"$bin" migrate --data "$DATA"
	time "$bin" gen elders --count "$N" --region 3101 --seed "$SEED" --data "$DATA"
fi

{
	echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3-4)"
	echo "# $(du -h "$DATA/anxin.db" | cut -f1) database, load average $(cut -d' ' -f1-3 /proc/loadavg)"
} >&2
"$bench" -data "$DATA" -samples "$SAMPLES" -street "$STREET"
