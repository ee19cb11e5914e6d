#!/usr/bin/env bash
# bench/calls/run.sh — the end-to-end telephony benchmark of issue 5:
# agentless check-in calls through the API, SIP, media and recordings,
# against SIPp as the carrier, with the screen pop timed under that load.
# Results: docs/benchmarks.md, "Telephony end to end (issue 5)".
#
# Builds anxin (CGO_ENABLED=0, as shipped) and bench/calls, raises the
# open-files limit (each call holds a UDP socket and a recording file in
# anxin; with -media sipp a thread and a raw socket in SIPp), and runs
# bench/calls, which starts `anxin serve --demo` on a fresh SQLite data
# directory — or, with ANXIN_BENCH_POSTGRES_URL, on that PostgreSQL
# database, emptied first — and SIPp on 127.0.0.1:5070, the demo trunk's
# carrier, with bench/calls as its media gateway. Arguments go to
# bench/calls (see its -h):
#
#   bench/calls/run.sh                                  # 1,000 calls held 120 s, 100 pops
#   bench/calls/run.sh -concurrent 100 -hold 30s -pops 20
#   ANXIN_BENCH_POSTGRES_URL=postgres://anxin@127.0.0.1:55432/anxin_calls bench/calls/run.sh
#
# Needs SIPp (Debian sip-tester); -media sipp needs its PCAP play, which
# sends raw packets: root or CAP_NET_RAW.
set -euo pipefail

cd "$(dirname "$0")/../.."
command -v sipp >/dev/null || { echo "run.sh: sipp is not installed (apt-get install sip-tester)" >&2; exit 2; }
ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
bin=$(mktemp -d /tmp/anxin-calls-bin.XXXXXX)
trap 'rm -rf "$bin"' EXIT
CGO_ENABLED=0 go build -o "$bin/anxin" ./cmd/anxin
go build -o "$bin/calls" ./bench/calls

args=()
if [ -n "${ANXIN_BENCH_POSTGRES_URL:-}" ]; then
	psql -q "$ANXIN_BENCH_POSTGRES_URL" -c 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;' 2>/dev/null
	args=(-database "$ANXIN_BENCH_POSTGRES_URL")
fi
echo "# $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3-4), commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (+ uncommitted changes)'), ulimit -n $(ulimit -n), load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin/calls" -anxin "$bin/anxin" "${args[@]}" "$@"
