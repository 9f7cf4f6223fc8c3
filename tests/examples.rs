//! Runs every example of `examples/` at a small `THREADING_TIME_SCALE` and checks, from its
//! real output, the property its notebook section teaches.
//!
//! The binaries are the ones `cargo test` builds next to this test:
//! `target/<profile>/deps/examples-<hash>` → `target/<profile>/examples/<name>`.
//! `cargo test --release` builds them; `cargo test --release --test examples` alone does
//! not (run `cargo build --release --examples` first).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

/// The scale every example runs at, unless a test says otherwise.
const SCALE: &str = "0.05";

fn example_binary(name: &str) -> PathBuf {
    let test_exe = std::env::current_exe().expect("path of the test executable");
    let profile_dir = test_exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test executable lives in target/<profile>/deps/");
    let path = profile_dir.join("examples").join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    assert!(
        path.is_file(),
        "example binary {} not found. `cargo test` builds the examples, but not when only \
         this test target is selected: run `cargo build --examples` with the same profile \
         (e.g. `cargo build --release --examples`) first, or plain `cargo test --release`.",
        path.display()
    );
    path
}

/// Runs example `name` at time scale `scale`; returns its stdout (panics if it failed).
fn run_scaled(name: &str, scale: &str) -> String {
    let path = example_binary(name);
    let out = Command::new(&path)
        .env("THREADING_TIME_SCALE", scale)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    let stdout = String::from_utf8(out.stdout).expect("utf-8 output");
    assert!(
        out.status.success(),
        "example {name} failed ({}).\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn run(name: &str) -> String {
    run_scaled(name, SCALE)
}

/// The digits of `text`, in order.
fn digits(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

/// How often each character occurs in `text`.
fn counts(text: &str) -> BTreeMap<char, usize> {
    let mut map = BTreeMap::new();
    for c in text.chars() {
        *map.entry(c).or_default() += 1;
    }
    map
}

/// `text` as runs of equal characters: "1122" → [('1', 2), ('2', 2)].
fn runs(text: &str) -> Vec<(char, usize)> {
    let mut runs: Vec<(char, usize)> = Vec::new();
    for c in text.chars() {
        match runs.last_mut() {
            Some((last, n)) if *last == c => *n += 1,
            _ => runs.push((c, 1)),
        }
    }
    runs
}

fn assert_49_of_each(digits: &str, expected: &str, output: &str) {
    let want: BTreeMap<char, usize> = expected.chars().map(|c| (c, 49)).collect();
    assert_eq!(counts(digits), want, "digit counts in:\n{output}");
}

/// The number after `prefix` on the first line that starts with `prefix`.
fn number_after(output: &str, prefix: &str) -> u64 {
    let line = output
        .lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting with {prefix:?} in:\n{output}"));
    line[prefix.len()..]
        .split_whitespace()
        .next()
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("no number after {prefix:?} in {line:?}"))
}

/// The index of the first line that contains `needle`.
fn line_index(lines: &[&str], needle: &str) -> usize {
    lines
        .iter()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("no line containing {needle:?} in:\n{}", lines.join("\n")))
}

/// The indices of all lines that contain `needle`.
fn line_indices(lines: &[&str], needle: &str) -> Vec<usize> {
    (0..lines.len()).filter(|&i| lines[i].contains(needle)).collect()
}

#[test]
fn s01_creating_threads_main_ends_before_the_threads() {
    let out = run("01_creating_threads");
    let (before, after) = out
        .split_once("\nEnd of main Thread\n")
        .unwrap_or_else(|| panic!("no 'End of main Thread' line in:\n{out}"));
    assert_49_of_each(&digits(&out.replace("End of main Thread", "")), "123", &out);
    assert!(
        !digits(after).is_empty() && digits(before).len() < 3 * 49,
        "main should print its last line while the threads still run:\n{out}"
    );
}

#[test]
fn s02_joining_threads_main_ends_last() {
    let out = run("02_joining_threads");
    let (before, after) = out
        .split_once("\nEnd of main Thread")
        .unwrap_or_else(|| panic!("no 'End of main Thread' line in:\n{out}"));
    assert_49_of_each(before, "123", &out);
    assert_eq!(after.trim(), "", "nothing may follow the last line:\n{out}");
}

#[test]
fn s03_callable_objects() {
    let out = run("03_callable_objects");
    let (before, after) = out
        .split_once("\nEnd of main")
        .unwrap_or_else(|| panic!("no 'End of main' line in:\n{out}"));
    assert_49_of_each(before, "123", &out);
    assert_eq!(after.trim(), "", "nothing may follow the last line:\n{out}");
}

#[test]
fn s04_one_lock_makes_each_thread_one_contiguous_block() {
    let out = run("04_locks");
    let d = digits(&out);
    assert_49_of_each(&d, "1234", &out);
    let runs = runs(&d);
    assert_eq!(runs.len(), 4, "expected 4 blocks of 49 digits, got {runs:?}");
    assert!(runs.iter().all(|&(_, n)| n == 49), "blocks: {runs:?}");
}

#[test]
fn s05_two_locks_serialise_each_group_but_not_the_groups() {
    let out = run("05_two_locks");
    let d = digits(&out);
    assert_49_of_each(&d, "1234", &out);
    for group in ["13", "24"] {
        let only: String = d.chars().filter(|c| group.contains(*c)).collect();
        let runs = runs(&only);
        assert!(
            runs.len() == 2 && runs.iter().all(|&(_, n)| n == 49),
            "threads {group} share a lock and must not interleave: {only}"
        );
    }
    assert!(runs(&d).len() > 4, "threads of lock A and lock B should run concurrently: {d}");
}

#[test]
fn s06_sharing_data_protected_count_is_exact_and_unprotected_loses_updates() {
    let out = run("06_sharing_data");
    let n = number_after(&out, "3 threads x N = 3 x ");
    let count1 = number_after(&out, "M.count1: ");
    let count2 = number_after(&out, "M.count2: ");
    assert_eq!(count2, 3 * n, "the locked count must be exact:\n{out}");
    assert!(count1 < 3 * n, "the unprotected count should lose updates:\n{out}");
}

#[test]
fn s07_data_corruption_overwrites_3287_with_701() {
    let out = run("07_data_corruption");
    assert!(
        out.contains("threads B and C are done: x = 3287"),
        "the other threads should reach 3287:\n{out}"
    );
    assert_eq!(number_after(&out, "final x: "), 701, "{out}");
}

#[test]
fn s08_fetch_add_is_exact_without_a_lock() {
    let out = run("08_atomic_instructions");
    let n = number_after(&out, "3 threads x N = 3 x ");
    assert_eq!(number_after(&out, "fetch_add count: "), 3 * n, "{out}");
    assert!(number_after(&out, "load+store count: ") < 3 * n, "{out}");
}

#[test]
fn s09_no_gil_prints_both_times() {
    let out = run("09_no_gil");
    for prefix in ["one job on one thread:", "two jobs on two threads:"] {
        let line = out
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} line in:\n{out}"));
        let secs: f64 = line[prefix.len()..]
            .trim()
            .trim_end_matches(" s")
            .parse()
            .unwrap_or_else(|_| panic!("no time in {line:?}"));
        assert!(secs >= 0.0);
    }
    assert!(out.contains("the time of one"), "{out}");
}

#[test]
fn s10_condition_every_consumer_gets_the_data_after_the_notify() {
    let out = run("10_condition");
    let lines: Vec<&str> = out.lines().collect();
    let notify = line_index(&lines, "Producer is notifying all consumers");
    assert!(line_index(&lines, "Producer is obtaining data") < notify);
    for c in 1..=3 {
        let waiting = line_index(&lines, &format!("consumer{c} is waiting"));
        let got = line_index(&lines, &format!("consumer{c} has obtained the data"));
        assert!(waiting < got && notify < got, "consumer{c}:\n{out}");
    }
    assert_eq!(lines.last(), Some(&"End of main"), "{out}");
}

#[test]
fn s10_events_release_all_three_waiters_when_set() {
    let out = run("10_events");
    let lines: Vec<&str> = out.lines().collect();
    let set = line_index(&lines, "... main setting event flag");
    for t in 1..=3 {
        assert!(line_index(&lines, &format!("{t} waiting for event")) < set, "{out}");
        assert!(line_index(&lines, &format!("\t{t} proceeding after event")) > set, "{out}");
    }
    assert_eq!(lines.last(), Some(&"End of main"), "{out}");
}

#[test]
fn s11_bounded_semaphore_never_has_more_than_three_holders() {
    let out = run("11_bounded_semaphore");
    let lines: Vec<&str> = out.lines().collect();
    let claims = line_indices(&lines, " claimed semaphore (holders: ");
    assert_eq!(claims.len(), 7, "seven claims expected:\n{out}");
    assert_eq!(
        line_indices(&lines, " released semaphore").len(),
        7,
        "seven releases expected:\n{out}"
    );
    let max = claims
        .iter()
        .map(|&i| {
            let holders = lines[i].rsplit(' ').next().expect("holder count");
            holders.trim_end_matches(')').parse::<u32>().expect("a number")
        })
        .max()
        .expect("seven claims");
    assert!(max <= 3, "more than three holders at once:\n{out}");
    assert_eq!(number_after(&out, "at most "), u64::from(max), "{out}");
    assert!(out.contains("one release too many: Err(semaphore released too many times)"), "{out}");
}

#[test]
fn s12_barrier_clients_connect_only_after_all_five_arrived() {
    let out = run("12_barrier");
    let lines: Vec<&str> = out.lines().collect();
    let barrier = line_index(&lines, "barrier: all 5 parties arrived");
    let waiting = line_indices(&lines, "waiting to connect");
    let connected = line_indices(&lines, "has connected");
    assert_eq!((waiting.len(), connected.len()), (4, 4), "{out}");
    assert!(waiting.iter().all(|&i| i < barrier), "{out}");
    assert!(connected.iter().all(|&i| i > barrier), "{out}");
    assert!(line_index(&lines, "server initializing ...") < barrier);
    assert!(line_index(&lines, "server ready to accept connections") > barrier);
    assert_eq!(lines.last(), Some(&"end of program"), "{out}");
}

#[test]
fn s13_timer_fires_once_and_the_cancelled_one_never() {
    let out = run("13_timer");
    let lines: Vec<&str> = out.lines().collect();
    let hello: Vec<usize> = line_indices(&lines, "hello, world")
        .into_iter()
        .filter(|&i| lines[i] == "hello, world")
        .collect();
    assert_eq!(hello.len(), 1, "exactly one \"hello, world\" line:\n{out}");
    assert!(line_index(&lines, "timer started") < hello[0], "{out}");
    assert!(hello[0] < line_index(&lines, "first timer done"), "{out}");
    assert!(!out.contains("cancelled timer fired"), "{out}");
    assert!(out.contains("cancelled timer finished without firing: is_alive() = false"), "{out}");
    assert!(out.contains("Err(timer can only be started once)"), "{out}");
}

/// The N of every row of section 14.
fn benchmark_counts() -> Vec<u64> {
    (1..=10).chain((20..=100).step_by(20)).collect()
}

fn assert_benchmark_table(out: &str) {
    for kind in ["processes", "threads"] {
        let rows: Vec<u64> = out
            .lines()
            .filter_map(|l| {
                let (n, secs) = l.split_once(&format!(" {kind}:"))?;
                secs.trim().parse::<f64>().ok()?;
                n.trim().parse().ok()
            })
            .collect();
        assert_eq!(rows, benchmark_counts(), "{kind} rows in:\n{out}");
    }
    assert!(out.contains("every run computed the same sum"), "{out}");
    assert!(out.contains("no GIL: in Rust threads scale like processes"), "{out}");
}

#[test]
fn s14_benchmarking_prints_every_row() {
    let out = run_scaled("14_benchmarking", "0.01");
    assert_benchmark_table(&out);
}

/// Not a notebook section: Python's queue.Queue on one Lock and three Conditions.
#[test]
fn queue_producers_and_consumers_lose_and_duplicate_nothing() {
    let out = run("queue");
    let produced = number_after(&out, "produced ");
    assert!(produced > 0, "{out}");
    assert!(out.contains(&format!("consumed {produced}, distinct {produced}")), "{out}");
    assert!(out.contains("lost 0, duplicated 0"), "{out}");
    assert!(out.contains("join() returned with 0 items left"), "{out}");
    let per_consumer: u64 = out
        .lines()
        .filter(|l| l.starts_with("consumer "))
        .map(|l| number_after(l, &l[..l.find("took ").unwrap() + 5]))
        .sum();
    assert_eq!(per_consumer, produced, "{out}");
    assert!(out.contains("one task_done too many: Err("), "{out}");
}

#[test]
fn notebook_runs_every_section_in_order() {
    let out = run_scaled("notebook", "0.01");
    let titles = [
        "1 Creating Threads",
        "2 Joining Threads",
        "3 Using Methods as Callbacks",
        "4 Locks",
        "5 Locks (two locks)",
        "6 Sharing Data",
        "7 Data Corruption",
        "8 Atomic Instructions",
        "9 Global Interpreter Lock (GIL)",
        "10 Condition Variables",
        "10 Events",
        "11 Bounded Semaphores",
        "12 Barriers",
        "13 Timers",
        "14 Benchmarking",
    ];
    let lines: Vec<&str> = out.lines().collect();
    let positions: Vec<usize> =
        titles.iter().map(|t| line_index(&lines, &format!("## {t}"))).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "sections out of order:\n{out}");
    // A taste of each kind of output, and section 14's worker processes re-running
    // `notebook` itself.
    assert_eq!(number_after(&out, "final x: "), 701, "{out}");
    assert!(out.contains("hello, world"), "{out}");
    assert_benchmark_table(&out);
    assert!(out.contains("all 15 sections done"), "{out}");
}
