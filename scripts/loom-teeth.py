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

Usage:
    python3 scripts/loom-teeth.py [NAME ...]           run the bugs (all: ~20 minutes on 2 cores)
    python3 scripts/loom-teeth.py --check [NAME ...]   check them without building (seconds)
    python3 scripts/loom-teeth.py --list [NAME ...]    print them as a markdown table

Each NAME selects the toml files whose name (without `.toml`) starts with it: a full name
selects one bug, `timer_` every Timer bug.

`--check` is pure Python (no cargo) and runs in CI: each toml has the six keys above and no
other, each a string (only `replace` may be empty); its `file` exists and its `find` occurs
there exactly once; `replace` differs from `find`; `test` names a `#[test]` fn of the loom
suite (`tests/loom/main.rs` declares the modules: `lock::name` is the fn `name` at the top
of `tests/loom/lock.rs`). It prints one line per problem, naming the toml, and exits 1 if
there was any: a rename or a file split in `src/` or `tests/loom/` that leaves a tooth
behind fails it. A full run does the same check first.
"""

import argparse
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEETH = ROOT / "scripts" / "teeth"
TARGET = ROOT / "target-teeth"  # shared by every run so dependencies build once
LOOM = ROOT / "tests" / "loom"  # the loom test target; main.rs is its root
KEYS = ("bug", "file", "find", "replace", "test", "expect")  # each a string


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


def load(prefixes: list[str]) -> list[tuple[Path, dict | str]]:
    """The selected toml files, each with its table, or the parse error as a string."""
    teeth = []
    for path in sorted(TEETH.glob("*.toml")):
        if prefixes and not any(path.stem.startswith(prefix) for prefix in prefixes):
            continue
        try:
            with open(path, "rb") as f:
                teeth.append((path, tomllib.load(f)))
        except tomllib.TOMLDecodeError as err:
            teeth.append((path, f"not valid TOML: {err}"))
    return teeth


# What the checks read of Rust source: comments, strings and char literals blanked to
# spaces (the offsets stay those of the file), so that a commented-out test, or a `{` in a
# string, is not taken for code.
_CHAR = re.compile(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|.)|[^\\'\n])'")
_RAW = re.compile(r'b?r(#*)"')


def code_of(src: str) -> str:
    out = list(src)

    def blank(start: int, end: int) -> None:
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "

    i, n = 0, len(src)
    while i < n:
        word_before = i > 0 and (src[i - 1].isalnum() or src[i - 1] == "_")
        if src.startswith("//", i):
            end = src.find("\n", i)
            end = n if end < 0 else end
        elif src.startswith("/*", i):
            depth, end = 1, i + 2
            while end < n and depth:
                if src.startswith("/*", end):
                    depth, end = depth + 1, end + 2
                elif src.startswith("*/", end):
                    depth, end = depth - 1, end + 2
                else:
                    end += 1
        elif not word_before and (raw := _RAW.match(src, i)):
            close = '"' + raw.group(1)
            end = src.find(close, raw.end())
            end = n if end < 0 else end + len(close)
        elif src[i] == '"':
            end = i + 1
            while end < n and src[end] != '"':
                end += 2 if src[end] == "\\" else 1
            end = min(end + 1, n)
        elif src[i] == "'" and (char := _CHAR.match(src, i)):
            end = char.end()
        else:
            i += 1
            continue
        blank(i, end)
        i = end
    return "".join(out)


def top_level(code: str) -> str:
    """`code` with every brace's contents blanked: what is left are the items of its scope."""
    out, depth = [], 0
    for ch in code:
        if ch == "}":
            depth -= 1
        out.append(ch if depth <= 0 or ch == "\n" else " ")
        if ch == "{":
            depth += 1
    return "".join(out)


def matching_brace(code: str, open_at: int) -> int:
    depth = 0
    for k in range(open_at, len(code)):
        depth += {"{": 1, "}": -1}.get(code[k], 0)
        if depth == 0:
            return k
    return len(code)


_ATTRS = r"(?:\s*#\s*\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\])*"  # attributes, one nesting deep
_VIS = r"(?:pub(?:\s*\([^)]*\))?\s+)?"


def find_loom_test(test: str) -> str | None:
    """None if `test` (`module::fn`, as `cargo test --exact` takes it) is a #[test] fn of
    the loom suite, else what is wrong."""
    *modules, name = test.split("::")
    if not all(re.fullmatch(r"\w+", part) for part in test.split("::")):
        return f"'test' {test!r} is not a path of the form module::fn_name"
    file = LOOM / "main.rs"
    if not file.is_file():
        return f"{file.relative_to(ROOT)} does not exist"
    code = code_of(file.read_text())
    scope = top_level(code)  # file-wide offsets: inline modules are blanked, not cut out
    where = file.relative_to(ROOT)
    for module in modules:
        declared = re.search(rf"\bmod\s+{module}\s*([;{{])", scope)
        if not declared:
            return f"'test' {test!r}: {where} declares no module `{module}`"
        if declared.group(1) == "{":  # an inline module: its body, one level down
            body_start = declared.end()
            body_end = matching_brace(code, declared.end(1) - 1)
            inner = top_level(code[body_start:body_end])
            scope = " " * body_start + inner + " " * (len(code) - body_end)
            where = f"{where} (inline `mod {module}`)"
            continue
        # `mod m;` in main.rs or a mod.rs is m.rs beside it, in any other file f.rs it is
        # f/m.rs; either may be m/mod.rs instead.
        folder = file.parent if file.name in ("main.rs", "mod.rs") else file.parent / file.stem
        candidates = [folder / f"{module}.rs", folder / module / "mod.rs"]
        found = [c for c in candidates if c.is_file()]
        if not found:
            names = " nor ".join(str(c.relative_to(ROOT)) for c in candidates)
            return f"'test' {test!r}: {where} declares `mod {module};` but neither {names} exists"
        file = found[0]
        code = code_of(file.read_text())
        scope = top_level(code)
        where = file.relative_to(ROOT)
    fn = rf"{_VIS}(?:(?:const|async|unsafe)\s+)*fn\s+(?:r#)?{name}\s*[(<]"
    if re.search(rf"#\s*\[\s*test\s*\]{_ATTRS}\s*{fn}", scope):
        return None
    if re.search(rf"(?<!\w){fn}", scope):
        return f"'test' {test!r}: `fn {name}` in {where} is not a #[test]"
    return f"'test' {test!r}: {where} has no #[test] fn `{name}`"


def problems(tooth: dict | str) -> list[str]:
    """What keeps this tooth from applying and running: empty if nothing."""
    if isinstance(tooth, str):
        return [tooth]
    found = []
    for key in KEYS:
        if key not in tooth:
            found.append(f"missing key '{key}'")
        elif not isinstance(tooth[key], str):
            found.append(f"'{key}' must be a string, not {type(tooth[key]).__name__}")
        elif not tooth[key] and key != "replace":  # an empty replace deletes the find text
            found.append(f"'{key}' is empty")
    for key in sorted(set(tooth) - set(KEYS)):
        found.append(f"unknown key '{key}' (the keys are {', '.join(KEYS)})")
    if found:
        return found  # the checks below need every key
    file = (ROOT / tooth["file"]).resolve()
    if not file.is_relative_to(ROOT) or not file.is_file():
        found.append(f"'file' {tooth['file']} does not exist")
    else:
        count = file.read_text().count(tooth["find"])
        if count != 1:
            found.append(
                f"'find' occurs {count} times in {tooth['file']} (it must occur exactly once)"
            )
    if tooth["find"] == tooth["replace"]:
        found.append("'replace' is the same as 'find': the edit changes nothing")
    if (wrong := find_loom_test(tooth["test"])) is not None:
        found.append(wrong)
    return found


def check(teeth: list[tuple[Path, dict | str]]) -> int:
    failed = 0
    for path, tooth in teeth:
        found = problems(tooth)
        for problem in found:
            print(f"{path.relative_to(ROOT)}: {problem}")
        failed += bool(found)
    if failed:
        print(f"{failed} of {len(teeth)} teeth would not run as written")
        return 1
    print(f"{len(teeth)} teeth: every patch applies exactly once and names an existing loom test")
    return 0


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def list_table(teeth: list[tuple[Path, dict | str]]) -> int:
    print("| injected bug | what it breaks | loom test that fails | how (its failure says) |")
    print("|---|---|---|---|")
    for path, tooth in teeth:
        tooth = tooth if isinstance(tooth, dict) else {"bug": tooth}
        bug, test, expect = (str(tooth.get(key, "?")) for key in ("bug", "test", "expect"))
        print(f"| `{path.stem}` | {cell(bug)} | `{cell(test)}` | {cell(expect)} |")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="check every tooth, no cargo")
    mode.add_argument("--list", action="store_true", help="print the teeth as a markdown table")
    parser.add_argument("names", nargs="*", metavar="NAME", help="toml name prefixes")
    args = parser.parse_args()

    teeth = load(args.names)
    if not teeth:
        print("no bugs selected")
        return 1
    if args.list:
        return list_table(teeth)
    checked = check(teeth)  # seconds: a tooth that cannot apply fails before any build
    if args.check or checked != 0:
        return checked
    print()
    bugs = [(path.stem, tooth) for path, tooth in teeth]

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
