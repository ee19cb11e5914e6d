#!/usr/bin/env bash
# bench/campaigndial/run.sh — the agentless campaign benchmark of issue 6:
# a wellness campaign over 100,000 generated elders dialled by Anxin's
# campaign dialler (in-process, wired as `anxin serve` wires it) against
# SIPp as the carrier and the elders' phones; calls per hour, and the audit
# that no attempt was dialled twice. Results: docs/benchmarks.md,
# "Agentless campaign dialling (issue 6)".
#
#   bench/campaigndial/run.sh                                  # 100,000 elders, 10 min, 300 channels
#   bench/campaigndial/run.sh -duration 2m -channels 100 -elders 20000
#   ANXIN_BENCH_POSTGRES_URL=postgres://anxin@127.0.0.1:55432/anxin_bench bench/campaigndial/run.sh
#
# Needs SIPp (Debian sip-tester; its pcap play sends raw packets: root or
# CAP_NET_RAW). The PostgreSQL database is emptied first.
set -euo pipefail

cd "$(dirname "$0")/../.."
command -v sipp >/dev/null || { echo "run.sh: sipp is not installed (apt-get install sip-tester)" >&2; exit 2; }
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
bin=$(mktemp -d /tmp/anxin-campaigndial-bin.XXXXXX)
trap 'rm -rf "$bin"' EXIT
CGO_ENABLED=0 go build -o "$bin/campaigndial" ./bench/campaigndial

args=()
if [ -n "${ANXIN_BENCH_POSTGRES_URL:-}" ]; then
	psql -q "$ANXIN_BENCH_POSTGRES_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' 2>/dev/null
	args=(-database "$ANXIN_BENCH_POSTGRES_URL")
fi
echo "# $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3-4), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (+ uncommitted changes)'), ulimit -n $(ulimit -n), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin/campaigndial" "${args[@]}" "$@"
