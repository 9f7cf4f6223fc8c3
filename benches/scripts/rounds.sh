#!/usr/bin/env bash
# Runs the whole bench suite ROUNDS times (default 3), each round in a different order of
# bench files, and keeps every round's criterion medians under $OUT (default
# target/bench-rounds). A scenario's number is then the median over rounds, so that a
# burst of load from another process hits one round of one implementation, not the verdict.
# Then prints the table: python3 benches/scripts/report.py "$OUT".
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$(realpath -m "${OUT:-$TARGET/bench-rounds}")
BENCHES=(floor lock event condition semaphore barrier timer)
cargo bench --no-run >/dev/null 2>&1
rm -rf "$OUT"
for round in $(seq 1 "$ROUNDS"); do
    # Rotate the order every round: round r starts at bench file r.
    order=("${BENCHES[@]:round % ${#BENCHES[@]}}" "${BENCHES[@]:0:round % ${#BENCHES[@]}}")
    echo "round $round: ${order[*]}  (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    for bench in "${order[@]}"; do
        cargo bench --bench "$bench" -- "$@" >"$OUT.log.tmp" 2>&1 || { cat "$OUT.log.tmp"; exit 1; }
    done
    mkdir -p "$OUT/$round"
    (cd "$TARGET/criterion" && find . -path '*/new/estimates.json' | while read -r f; do
        mkdir -p "$OUT/$round/$(dirname "$f")"
        cp "$f" "$OUT/$round/$f"
    done)
    cut -d' ' -f1-3 /proc/loadavg >"$OUT/$round/loadavg"
done
rm -f "$OUT.log.tmp"
python3 benches/scripts/report.py "$OUT"
