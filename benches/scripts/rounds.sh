#!/usr/bin/env bash
# Runs the whole bench suite ROUNDS times (default 3), each round in a different order of
# bench files, and keeps every round's criterion medians under $OUT (default
# target/bench-rounds). A scenario's number is then the median over rounds, so that a
# burst of load from another process hits one round of one implementation, not the verdict.
# Then prints the table: python3 benches/scripts/report.py "$OUT".
# With QUIET=1, each bench file waits (up to 10 minutes) for the machine to be >= 95% idle
# over 3 seconds first, and the idle share it found is logged: on a shared machine, other
# processes' bursts otherwise decide the results of the spinning handoffs.
# With PIN=<cpu list>, every bench runs under `taskset -c <cpu list>`: PIN=0 shows the case
# of more threads than CPUs (every multi-threaded scenario then shares one CPU).
# BENCHES="lock event" runs only those bench files.
# With PLAIN=1, the plain-loop harness (benches/plain.rs, its own interleaved rounds:
# ROUNDS of them, every scenario, both Lock layouts) runs after the criterion rounds, under
# the same PIN and QUIET rules; its table goes to $OUT/plain.md and is printed too.
# PLAIN=only skips the criterion rounds. ONLY=... is passed on to it (see benches/plain.rs).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$(realpath -m "${OUT:-$TARGET/bench-rounds}")
read -r -a BENCHES <<<"${BENCHES:-floor lock event condition semaphore barrier timer}"
PINNED=()
if [ -n "${PIN:-}" ]; then PINNED=(taskset -c "$PIN"); fi
idle_percent() {
    local u n s i w x y z t1 i1
    read -r _ u n s i w x y z _ </proc/stat
    t1=$((u + n + s + i + w + x + y + z)) i1=$((i + w))
    sleep 3
    read -r _ u n s i w x y z _ </proc/stat
    echo $((100 * (i + w - i1) / (u + n + s + i + w + x + y + z - t1)))
}
wait_quiet() {
    local waited=0 idle
    while idle=$(idle_percent) && [ "$idle" -lt 95 ] && [ $waited -lt 600 ]; do
        waited=$((waited + 3))
    done
    echo "    $1: idle $idle% before it (waited ${waited}s)"
}
cargo bench --no-run >/dev/null 2>&1
rm -rf "$OUT"
if [ "${PLAIN:-0}" = only ]; then ROUNDS_CRITERION=0; else ROUNDS_CRITERION=$ROUNDS; fi
for round in $(seq 1 "$ROUNDS_CRITERION"); do
    # Rotate the order every round: round r starts at bench file r.
    order=("${BENCHES[@]:round % ${#BENCHES[@]}}" "${BENCHES[@]:0:round % ${#BENCHES[@]}}")
    echo "round $round: ${order[*]}  (load: $(cut -d' ' -f1-3 /proc/loadavg))"
    touch "$OUT.round-start"
    for bench in "${order[@]}"; do
        if [ "${QUIET:-0}" = 1 ]; then wait_quiet "$bench"; fi
        "${PINNED[@]}" cargo bench --bench "$bench" -- "$@" >"$OUT.log.tmp" 2>&1 ||
            { cat "$OUT.log.tmp"; exit 1; }
    done
    mkdir -p "$OUT/$round"
    (cd "$TARGET/criterion" && find . -path '*/new/estimates.json' -newer "$OUT.round-start" | while read -r f; do
        mkdir -p "$OUT/$round/$(dirname "$f")"
        cp "$f" "$OUT/$round/$f"
    done)
    cut -d' ' -f1-3 /proc/loadavg >"$OUT/$round/loadavg"
done
rm -f "$OUT.log.tmp" "$OUT.round-start"
if [ "$ROUNDS_CRITERION" -gt 0 ]; then python3 benches/scripts/report.py "$OUT"; fi
if [ "${PLAIN:-0}" != 0 ]; then
    mkdir -p "$OUT"
    if [ "${QUIET:-0}" = 1 ]; then wait_quiet plain; fi
    ROUNDS=$ROUNDS "${PINNED[@]}" cargo bench --bench plain >"$OUT/plain.md"
    echo
    cat "$OUT/plain.md"
fi
