#!/bin/sh
# demo.sh - the main job: build, generate sample sensor data (100,000
# points over 100 entities), pipe it into ws-ingest, then query a range.
#
# Usage: scripts/demo.sh [STORE]   (default: ./demo-store, recreated)
set -eu

cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
store=${1:-demo-store}
rm -rf "$store"

echo "# scripts/gen-points --entities 100 --points-per-entity 1000 | ws-ingest -v $store"
scripts/gen-points --entities 100 --points-per-entity 1000 |
	cmd/ws-ingest -v "$store" 2>&1 | tail -n 1

from=1700000100000000 to=1700000104000000
echo "# ws-range $store --entity 42 --from $from --to $to"
cmd/ws-range "$store" --entity 42 --from $from --to $to

echo "# ws-get $store --entity 7 --timestamp 1700000000000000"
cmd/ws-get "$store" --entity 7 --timestamp 1700000000000000
