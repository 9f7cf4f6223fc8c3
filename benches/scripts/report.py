#!/usr/bin/env python3
"""Prints every criterion scenario with its peers and its verdict against the targets of
BENCHMARKS.md ("Targets"), from criterion's results.

Usage: report.py DIR   where DIR is either a criterion directory (target/criterion) or the
output of rounds.sh (one criterion-like tree per round, 1/, 2/, ...). Each number is the
median over rounds of criterion's per-round median, in the unit criterion reports per
iteration (see the bench files for what one iteration is).
"""

import json
import statistics
import sys
from pathlib import Path

# scenario, ours, peers, target: (kind, factor), where kind is
#   "le"  ours <= factor x the fastest peer      "ge"  peer / ours >= factor for the fastest peer
#   "abs" ours <= factor ns
SCENARIOS = [
    ("Lock uncontended acquire+release", "lock_uncontended/ours",
     ["lock_uncontended/std", "lock_uncontended/parking_lot", "lock_uncontended/port_std"],
     ("le", 1.05)),
    ("Lock uncontended acquire()+release().unwrap()", "lock_uncontended/ours_acquire_release",
     ["lock_uncontended/ours", "lock_uncontended/std", "lock_uncontended/parking_lot"],
     ("le", 1.05)),
    ("RLock uncontended acquire+release", "lock_uncontended/ours_rlock",
     ["lock_uncontended/parking_lot_reentrant"], None),
    *[(f"Lock contended, {n} threads (per increment)", f"lock_contended/ours/{n}",
       [f"lock_contended/std/{n}", f"lock_contended/parking_lot/{n}",
        f"lock_contended/port_std/{n}"], ("ge", 1.0)) for n in (2, 4, 8)],
    *[(f"Lock contended, {n} threads, counter in its own line (per increment)",
       f"lock_contended_separate/ours/{n}",
       [f"lock_contended_separate/std/{n}", f"lock_contended_separate/parking_lot/{n}"],
       ("ge", 1.0)) for n in (2, 4, 8)],
    ("Event ping-pong (round trip)", "event_ping_pong/ours",
     ["event_ping_pong/port_std", "event_ping_pong/port_parking_lot"], ("ge", 10.0)),
    ("Condition ping-pong (round trip)", "condition_ping_pong/ours",
     ["condition_ping_pong/std", "condition_ping_pong/parking_lot"], ("ge", 1.0)),
    ("Event ping-pong against its spun floor", "event_ping_pong/ours",
     ["event_ping_pong/spun_floor"], ("le_first", 2.0)),
    ("Condition ping-pong against its spun floor", "condition_ping_pong/ours",
     ["condition_ping_pong/spun_floor"], ("le_first", 2.0)),
    ("Semaphore handoff (round trip)", "semaphore_handoff/ours",
     ["semaphore_handoff/port_std", "semaphore_handoff/port_parking_lot"], ("ge", 3.0)),
    ("Semaphore uncontended acquire+release", "semaphore_uncontended/ours",
     ["semaphore_uncontended/port_std", "semaphore_uncontended/port_parking_lot"],
     ("abs", 15.0)),
    ("BoundedSemaphore uncontended acquire+release", "semaphore_uncontended/ours_bounded",
     ["semaphore_uncontended/port_std", "semaphore_uncontended/port_parking_lot"],
     ("abs", 15.0)),
    *[(f"Barrier, {n} threads (per crossing)", f"barrier/ours/{n}",
       [f"barrier/std/{n}", f"barrier/port_parking_lot/{n}"], ("ge_first", 3.0))
      for n in (2, 4)],
    ("`Mutex<u64>` uncontended lock + add + unlock", "mutex_u64_uncontended/ours",
     ["mutex_u64_uncontended/parking_lot"], ("le_first", 1.05)),
    ("`ReentrantMutex` uncontended lock + unlock", "mutex_u64_uncontended/ours_reentrant",
     ["mutex_u64_uncontended/parking_lot_reentrant"], ("le_first", 1.05)),
    *[(f"`Mutex<u64>` contended, {n} threads (per increment)", f"mutex_u64_contended/ours/{n}",
       [f"mutex_u64_contended/parking_lot/{n}"], ("ge_first", 1.0)) for n in (2, 4, 8)],
    ("`Condvar` ping-pong (round trip)", "condvar_ping_pong/ours",
     ["condvar_ping_pong/parking_lot"], ("ge_first", 1.0)),
    ("Timer create+start+cancel+join", "timer_start_cancel_join/ours",
     ["timer_start_cancel_join/port_std", "timer_start_cancel_join/spawn_join_floor"], None),
]

FLOORS = ["floor/cas_swap_pair", "floor/spin_100_loads", "floor/futex_wake_no_sleeper",
          "floor/spin_handoff_round_trip", "floor/futex_sleep_round_trip"]


SPREAD: dict[str, tuple[float, float]] = {}


def load(root: Path) -> dict[str, float]:
    rounds = sorted(p for p in root.iterdir() if p.is_dir() and p.name.isdigit())
    trees = rounds or [root]
    samples: dict[str, list[float]] = {}
    for tree in trees:
        for f in tree.rglob("new/estimates.json"):
            key = str(f.parent.parent.relative_to(tree))
            median = json.loads(f.read_text())["median"]["point_estimate"]
            samples.setdefault(key, []).append(median)
    SPREAD.update({k: (min(v), max(v)) for k, v in samples.items()})
    return {k: statistics.median(v) for k, v in samples.items()}


def fmt(ns: float | None) -> str:
    if ns is None:
        return "–"
    if ns < 1_000:
        return f"{ns:.1f} ns"
    if ns < 1_000_000:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns / 1e6:.2f} ms"


def spread(key: str) -> str:
    low, high = SPREAD.get(key, (None, None))
    if low is None or low == high:
        return ""
    return f" ({fmt(low)} – {fmt(high)})"


def short(key: str) -> str:
    name = key.split("/")[1]
    return {"port_std": "port(std)", "port_parking_lot": "port(pl)", "parking_lot": "pl",
            "parking_lot_reentrant": "pl Reentrant", "spawn_join_floor": "spawn+join",
            "spun_floor": "spun floor",
            "ours": "ours (guard)"}.get(
                name, name)


def main() -> None:
    m = load(Path(sys.argv[1]))
    print("| scenario | ours (range over rounds) | peers | ratio (peer / ours) | target | met? |")
    print("|---|---|---|---|---|---|")
    for name, ours_key, peer_keys, target in SCENARIOS:
        ours = m.get(ours_key)
        if ours is None:
            continue  # not in this run (rounds.sh with BENCHES=...)
        peers = [(short(k), m.get(k)) for k in peer_keys]
        peer_txt = ", ".join(f"{n} {fmt(v)}" for n, v in peers)
        ratio_txt = ", ".join(f"{n} {v / ours:.2f}x" for n, v in peers if v and ours)
        verdict, target_txt = "", "–"
        measured = [v for _, v in peers if v]
        if target and ours and (measured or target[0] == "abs"):
            kind, factor = target
            if kind == "le":
                fastest = min(measured[:2])
                target_txt = f"<= {factor}x the faster of {' and '.join(n for n, _ in peers[:2])}"
                verdict = ours <= factor * fastest
            elif kind == "ge":
                fastest = min(measured[:2])
                target_txt = "faster than std and pl" if factor == 1.0 else f">= {factor:g}x the faster port"
                verdict = fastest / ours >= factor
            elif kind == "ge_first":
                target_txt = f">= {factor:g}x {peers[0][0]}"
                verdict = measured[0] / ours >= factor
            elif kind == "le_first":
                target_txt = f"<= {factor:g}x {peers[0][0]}"
                verdict = ours <= factor * measured[0]
            else:
                target_txt = f"<= {factor:g} ns"
                verdict = ours <= factor
            verdict = "yes" if verdict else "**no**"
        print(f"| {name} | {fmt(ours)}{spread(ours_key)} | {peer_txt} | {ratio_txt} | {target_txt} | {verdict} |")
    floors = [k for k in FLOORS if k in m]
    if floors:
        print()
        print("| floor | median |")
        print("|---|---|")
        for k in floors:
            print(f"| {k.split('/')[1]} | {fmt(m[k])}{spread(k)} |")


if __name__ == "__main__":
    main()
