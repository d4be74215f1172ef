#!/usr/bin/env bash
# Instructions per event of P1's stages (bench/instructions/p1Stages.ts), counted by valgrind's
# cachegrind: a run of three passes minus a run of one, over two passes' events. Needs valgrind.
# Usage: bench/instructions/count.sh [STAGE=... NODE_INDEX=...]...  (one row each)
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-10000}
count() {
  env "$@" N="$N" valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
    node --single-threaded --predictable-gc-schedule --import tsx bench/instructions/p1Stages.ts 2>&1 |
    awk '/I *refs/ { gsub(",", "", $4); print $4 }'
}
for row in "$@"; do
  # shellcheck disable=SC2086
  one=$(count $row ROUNDS=1)
  # shellcheck disable=SC2086
  three=$(count $row ROUNDS=3)
  echo "$row: $(( (three - one) / (2 * N) )) instructions per event"
done
