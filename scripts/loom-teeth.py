#!/usr/bin/env python3
"""Shows that the loom suite has teeth: each injected bug makes a named loom test fail.

Every file in scripts/teeth/*.toml describes one bug:

    bug      = "Lock::release forgets to wake a sleeper"
    file     = "src/lock.rs"
    find     = '''exact text, must occur exactly once'''
    replace  = '''the buggy text'''
    test     = "lock::waiter_never_sleeps_through_release"   # a loom test name filter
    expect   = "deadlock"    # a substring of the failing output (case-insensitive)

For each bug the script copies the crate to a scratch directory, applies the edit, runs
`cargo test --release --test loom -- <test> --exact` under `--cfg loom`, and reports
whether that test failed with the expected message. It first checks that the same tests
pass on the unmodified crate. Exit status 0 only if every bug was caught.

Usage: python3 scripts/loom-teeth.py [NAME ...]   (default: all)

Each NAME selects the toml files whose name (without `.toml`) starts with it: a full name
selects one bug, `timer_` every Timer bug.
"""

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEETH = ROOT / "scripts" / "teeth"
TARGET = ROOT / "target-teeth"  # shared by every run so dependencies build once


def run_loom(crate: Path, test: str) -> tuple[bool, str]:
    env = dict(os.environ)
    env["RUSTFLAGS"] = "--cfg loom"
    env["CARGO_TARGET_DIR"] = str(TARGET)
    env.setdefault("LOOM_MAX_PREEMPTIONS", "3")
    proc = subprocess.run(
        ["cargo", "test", "--release", "--test", "loom", "--", test, "--exact"],
        cwd=crate,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    output = proc.stdout + proc.stderr
    ran = "running 1 test" in output
    if not ran and proc.returncode == 0:
        raise SystemExit(f"filter {test!r} matched no single loom test:\n{output[-2000:]}")
    return proc.returncode == 0, output


def scratch_copy() -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="loom-teeth-")) / "crate"
    # Fresh mtimes (shutil.copy, not copy2): cargo must never take a build of an earlier
    # mutation for an up-to-date one.
    shutil.copytree(
        ROOT, scratch, ignore=shutil.ignore_patterns(".git", "target*"), copy_function=shutil.copy
    )
    return scratch


def main() -> int:
    prefixes = sys.argv[1:]
    bugs = []
    for path in sorted(TEETH.glob("*.toml")):
        if prefixes and not any(path.stem.startswith(prefix) for prefix in prefixes):
            continue
        with open(path, "rb") as f:
            bugs.append((path.stem, tomllib.load(f)))
    if not bugs:
        print("no bugs selected")
        return 1

    # Runs share TARGET (dependencies build once); one at a time, or one run's mutated build
    # could replace the test binary another run is about to execute.
    TARGET.mkdir(exist_ok=True)
    lock = open(TARGET / ".loom-teeth.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)

    crate = scratch_copy()
    try:
        print("== the unmodified crate must pass every named test")
        for name, bug in bugs:
            passed, output = run_loom(crate, bug["test"])
            if not passed:
                print(output[-3000:])
                print(f"FAILS WITHOUT ANY BUG: {bug['test']} ({name})")
                return 1
        print(f"   {len(bugs)} tests pass\n")

        results = []
        for name, bug in bugs:
            target = crate / bug["file"]
            original = target.read_text()
            if original.count(bug["find"]) != 1:
                print(f"{name}: 'find' text must occur exactly once in {bug['file']}")
                return 1
            target.write_text(original.replace(bug["find"], bug["replace"]))
            try:
                passed, output = run_loom(crate, bug["test"])
            finally:
                target.write_text(original)
            caught = not passed and bug["expect"].lower() in output.lower()
            results.append((name, bug, caught))
            verdict = "caught" if caught else ("FAILED DIFFERENTLY" if not passed else "MISSED")
            print(f"{verdict:>18}  {name}: {bug['bug']}  ->  {bug['test']} ({bug['expect']})")
            if not caught:
                print(output[-3000:])
    finally:
        shutil.rmtree(crate.parent, ignore_errors=True)

    missed = [name for name, _, caught in results if not caught]
    print(f"\n{len(results) - len(missed)} of {len(results)} injected bugs caught")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
