//! Section 14 of the notebook, "Benchmarking": the sum of i^0.3 for i below M
//! (M = 50 million, scaled by `THREADING_TIME_SCALE`), split into N equal ranges and
//! computed by N child processes, then by N threads, for N = 1..10 and 20, 40, …, 100.
//!
//! The example prints, in order:
//! 1. One table: for every N, the time of Rust's processes and threads rows and — when
//!    `python3` is on the PATH — of the notebook's own Python code, run at the same scale
//!    (the GIL measured, not quoted). Without `python3` it says so.
//! 2. For each column, the speed-up of its fastest row over its one-worker row, and whether
//!    that counts as a speed-up (see "CPUs busy" below), then what the pairs mean:
//!    every sentence is chosen from these numbers, so the same binary pinned to one CPU
//!    (`taskset -c 0`) says that threads did not speed up.
//! 3. A text chart of the speed-ups; with `--svg PATH` (also through the `notebook`
//!    runner: `cargo run --release --example notebook -- --svg chart.svg`) the same chart as
//!    an SVG file.
//!
//! Where Rust differs from Python:
//! - The notebook concludes "threads do not speed up CPU-bound calculations; use multiple
//!   processes" — a statement about CPython, whose GIL runs one thread's bytecode at a time.
//!   Rust has no GIL; whether its threads sped up on this machine is what the run measures.
//! - There is no `multiprocessing.Pool`: the example re-runs its own executable
//!   (`std::env::current_exe()`) as a child with the argument `--threading-bench-child LO
//!   HI`; the child prints its partial sum (as the bits of the `f64`) and exits. The
//!   `notebook` example dispatches on the same argument, so this works from there too.
//! - Each Rust row is the fastest of `ROUNDS` rounds over the whole table (one round is
//!   every N once), so that one disturbed run does not make a row, and the one-worker job
//!   is also re-run after every row (its row is the fastest of all those runs): other work
//!   on the machine comes and goes, and a one-worker row sampled as often as the rest had
//!   the same chance of a quiet moment. The Python rows are one run each, as in the notebook
//!   (repeating its slow table would cost too much).
//! - Wall-clock times on a busy machine move with its load, so a speed-up alone could be
//!   faked by a one-worker row that ran in a busier moment. Each row therefore also measures
//!   the CPU time it used (its threads and its finished child processes), and "CPUs busy" is
//!   that CPU time over the row's wall time: work that really ran in parallel keeps more than
//!   one CPU busy, threads under a GIL or on one CPU never do. A column counts as sped up
//!   only if its fastest row is at least `SPEEDUP_AT_LEAST` times faster than its
//!   one-worker row *and* kept at least `PARALLEL_AT_LEAST` CPUs busy.
//! - The notebook's `intervals` drops the remainder of `M / parts` (for 3 parts the last
//!   two values are never summed); here the last range ends at M, as intended. The Python
//!   code keeps the notebook's version.
//! - Python's threads discard their results; here every run returns its sum and the
//!   example checks that threads and processes agree.
//! - A worker thread or process the OS refuses to start (Wine has refused processes with
//!   "Internal error") is said ("could not start process 2 of 8: ..."), the started ones
//!   are waited for, and that run, which did not do the whole job, is left out: a row is
//!   the fastest of its complete runs, "not measured" if it had none, and the speed-ups and
//!   verdicts use the measured rows only. `THREADING_DEMO_FAIL_SPAWN=N` refuses the Nth
//!   start on purpose (examples/common/mod.rs).
//!
//! The Python script is the notebook's cell with these changes: M is scaled by the same
//! factor; the unused `import numpy as np` is left out (numpy need not be installed);
//! `multiprocessing` is told to fork (Linux's default before Python 3.14: the cell has no
//! `if __name__ == "__main__"` guard, which the other start methods need); each pool is
//! closed and joined after its job (the notebook leaves every pool running, and their
//! helper threads then compete with the threads rows for the GIL); one warm-up thread job
//! runs before the threads rows, as in Rust; the times are printed with 5 decimals instead
//! of 2, each followed by the CPU time the row used (see above); and it first prints
//! whether the GIL is enabled.

#[path = "common/mod.rs"]
mod common;

use std::fmt::Write as _;
use std::process::{Command, Stdio};
use std::time::Instant;

/// The argument that turns this executable (or `notebook`) into a worker process.
pub const CHILD_ARG: &str = "--threading-bench-child";

/// The argument that asks for the speed-up chart as an SVG file: `--svg PATH`.
const SVG_ARG: &str = "--svg";

/// Each Rust row is the fastest of this many rounds.
const ROUNDS: usize = 2;

/// A column counts as sped up when its fastest row is at least this much faster than its
/// one-worker row: below it, the difference is within what a busy machine's noise gives.
const SPEEDUP_AT_LEAST: f64 = 1.3;

/// ... and when that fastest row kept at least this many CPUs busy on average (CPU time
/// over wall time): one CPU's worth plus a margin for the measurement's own noise.
const PARALLEL_AT_LEAST: f64 = 1.3;

/// The notebook's cell (see the top of this file for the changes); `SCALE` is set first.
const PYTHON_BENCHMARK: &str = r#"
import multiprocessing
multiprocessing.set_start_method("fork")
import sys
print("gil enabled:", getattr(sys, "_is_gil_enabled", lambda: True)())

import time, os
from threading import Thread
from multiprocessing import Process, Pool
from itertools import chain

''' Calculate the sum of i**0.3 where i ranges from 0 to M
    Use multiple threads or processes to perform the calculation
    Split the calculation into ranges using the intervals function below
'''

M = max(1, round(50*1000*1000 * SCALE))

def calculate(lo, hi):
    '''the calculation to perform'''
    sum = 0
    for i in range (lo, hi):
        sum += float(i)**0.3
    return sum

def intervals(duration, parts):
    '''splits an interval into several(part) ranges'''
    part_duration = int(duration / parts)
    return [(int(i * part_duration), int((i + 1) * part_duration)) for i in range(parts)]

# calculate the sum using multiple threads
def jobUsingThreads(threadCount):
    threadList = []
    it = intervals(M, threadCount)

    for i in range(threadCount):
        t = Thread(target = calculate, args = it[i])
        t.start()
        threadList.append(t)

    for t in threadList:
        t.join()

# calculate the sum using multiple threads
def jobUsingProcesses(processCount):
    p = Pool(processes=processCount)
    it = intervals(M, processCount)
    result = p.starmap(calculate, it)
    p.close()
    p.join()

# CPU time of this process (all its threads) and of its finished children
def cpu_seconds():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system

# run job with varying number of processes
for N in chain(range(1, 11), range(20, 101, 20)):
    cpu = cpu_seconds()
    start = time.perf_counter()
    jobUsingProcesses(N)
    finish = time.perf_counter()
    print(f"{N:2} processes:{finish-start:9.5f} {cpu_seconds()-cpu:9.5f}")

jobUsingThreads(1)

# run job with varying number of threads
for N in chain(range(1, 11), range(20, 101, 20)):
    cpu = cpu_seconds()
    start = time.perf_counter()
    jobUsingThreads(N)
    finish = time.perf_counter()
    print(f"{N:2} threads:{finish-start:9.5f} {cpu_seconds()-cpu:9.5f}")
"#;

/// The calculation to perform.
fn calculate(lo: u64, hi: u64) -> f64 {
    (lo..hi).map(|i| (i as f64).powf(0.3)).sum()
}

/// Splits `0..duration` into `parts` ranges; the last one ends at `duration`.
fn intervals(duration: u64, parts: u64) -> Vec<(u64, u64)> {
    let part = duration / parts;
    (0..parts).map(|i| (i * part, if i + 1 == parts { duration } else { (i + 1) * part })).collect()
}

/// If this process was started as a worker (`CHILD_ARG LO HI`), computes its range,
/// prints the sum and exits; otherwise returns.
pub fn run_child_if_requested() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) != Some(CHILD_ARG) {
        return;
    }
    let parse = |i: usize| -> u64 {
        args.get(i)
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("usage: {CHILD_ARG} LO HI, got {:?}", &args[1..]))
    };
    println!("{}", calculate(parse(2), parse(3)).to_bits());
    std::process::exit(0);
}

/// Adds the workers' sums, after waiting for every worker that started; `None` if one did
/// not start (the OS refused it, which `common` has already said): such a run did not do
/// the whole job, so it is left out of the table.
fn total(sums: Vec<Option<f64>>) -> Option<f64> {
    sums.into_iter().sum()
}

/// Calculates the sum using `count` threads; `None` if one could not be started.
fn job_using_threads(m: u64, count: u64) -> Option<f64> {
    let threads: Vec<_> = intervals(m, count)
        .into_iter()
        .enumerate()
        .map(|(i, (lo, hi))| {
            let what = format!("thread {} of {count}", i + 1);
            common::spawn_thread(what, move || calculate(lo, hi)).ok()
        })
        .collect();
    total(
        threads.into_iter().map(|t| t.map(|t| t.join().expect("worker thread panicked"))).collect(),
    )
}

/// Calculates the sum using `count` child processes; `None` if one could not be started.
fn job_using_processes(m: u64, count: u64) -> Option<f64> {
    let exe = std::env::current_exe().expect("path of this executable");
    let children: Vec<_> = intervals(m, count)
        .into_iter()
        .enumerate()
        .map(|(i, (lo, hi))| {
            let mut command = Command::new(&exe);
            command
                .args([CHILD_ARG.to_string(), lo.to_string(), hi.to_string()])
                .stdout(Stdio::piped());
            common::spawn_process(format!("process {} of {count}", i + 1), &mut command).ok()
        })
        .collect();
    total(
        children
            .into_iter()
            .map(|child| {
                let child = child?;
                let out = child.wait_with_output().expect("wait for a worker process");
                assert!(out.status.success(), "worker process failed: {}", out.status);
                let text = String::from_utf8_lossy(&out.stdout);
                let bits = text.trim().parse().expect("a worker prints the bits of its sum");
                Some(f64::from_bits(bits))
            })
            .collect(),
    )
}

/// One column of the table: a language and a kind of worker, with a time for every N.
struct Column {
    /// "rust threads", "python processes", ...
    name: &'static str,
    /// "thread" or "process", for the sentences.
    worker: &'static str,
    /// (N, seconds, CPUs busy on average during that run if measured), in table order;
    /// seconds are infinite for a row none of whose runs started all its workers.
    rows: Vec<(u64, f64, Option<f64>)>,
}

/// What a column's rows say: its fastest row against its one-worker row.
struct Speedup {
    one: f64,
    best_n: u64,
    best: f64,
    factor: f64,
    /// CPUs busy on average during the fastest row, if measured.
    busy: Option<f64>,
}

impl Speedup {
    /// From the rows that were measured; `None` if the one-worker row was not.
    fn of(column: &Column) -> Option<Speedup> {
        let one = column.rows.iter().find(|r| r.0 == 1 && r.1.is_finite())?.1;
        let (best_n, best, busy) = column
            .rows
            .iter()
            .copied()
            .filter(|r| r.1.is_finite())
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        Some(Speedup { one, best_n, best, factor: one / best, busy })
    }

    fn sped_up(&self) -> bool {
        self.factor >= SPEEDUP_AT_LEAST && self.busy.is_none_or(|b| b >= PARALLEL_AT_LEAST)
    }

    /// "1.87 CPUs busy", or "CPUs busy not measured".
    fn busy_text(&self) -> String {
        self.busy.map_or("CPUs busy not measured".to_string(), |b| format!("{b:.2} CPUs busy"))
    }

    fn verdict(&self) -> &'static str {
        if self.sped_up() { "sped up" } else { "did not speed up" }
    }

    /// The verdict, with the reason where the time alone would have said "sped up".
    fn verdict_explained(&self) -> String {
        if self.factor >= SPEEDUP_AT_LEAST && !self.sped_up() {
            format!(
                "did not speed up (faster, but under {PARALLEL_AT_LEAST:.2} CPUs busy: not parallel work)"
            )
        } else {
            self.verdict().to_string()
        }
    }
}

/// The sentence for one language, chosen from its two speed-ups.
fn meaning(language: &str, threads: &Speedup, processes: &Speedup, gil: Option<bool>) -> String {
    let (t, p) = (threads.factor, processes.factor);
    match (threads.sped_up(), processes.sped_up()) {
        (true, true) => format!(
            "{language}: threads sped up ({t:.2}x) and processes sped up ({p:.2}x): both spread the sum over several CPUs at once"
        ),
        (false, true) => {
            let why = match gil {
                Some(true) => " (its GIL lets one thread at a time run Python code)",
                Some(false) => " (this Python runs without a GIL, so the cause is elsewhere)",
                None => " in this run",
            };
            format!("{language}: processes sped up ({p:.2}x) but threads did not ({t:.2}x){why}")
        }
        (true, false) => format!(
            "{language}: threads sped up ({t:.2}x) but processes did not ({p:.2}x); each processes row also pays for starting its processes"
        ),
        (false, false) => format!(
            "{language}: neither threads ({t:.2}x) nor processes ({p:.2}x) sped up: the work did not spread over CPUs in this run (this process may use {} CPU(s), and other programs may be busy on them)",
            common::usable_cpus()
        ),
    }
}

/// Parses the Python script's output: whether the GIL is enabled, and its two columns.
fn parse_python(out: &str) -> (Option<bool>, Column, Column) {
    let gil = out.lines().find_map(|l| l.strip_prefix("gil enabled: ")).map(|v| v.trim() == "True");
    let column = |name, worker, kind: &str| Column {
        name,
        worker,
        rows: out
            .lines()
            .filter_map(|l| {
                let (n, times) = l.split_once(&format!(" {kind}:"))?;
                let (secs, cpu) = times.trim().split_once(' ')?;
                let secs: f64 = secs.parse().ok()?;
                let cpu: f64 = cpu.trim().parse().ok()?;
                Some((n.trim().parse().ok()?, secs, Some(cpu / secs)))
            })
            .collect(),
    };
    (
        gil,
        column("python processes", "process", "processes"),
        column("python threads", "thread", "threads"),
    )
}

/// A text chart: per column, one block character per N (its speed-up over one worker, the
/// full block standing for the largest speed-up of the chart), then a bar of the best.
fn text_chart(columns: &[&Column]) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    const WIDTH: f64 = 30.0;
    let top = columns.iter().filter_map(|c| Speedup::of(c)).map(|s| s.factor).fold(1.0, f64::max);
    let mut chart = format!(
        "speed-up over one worker (blocks: N = 1..10, 20..100, a full block = {top:.2}x; bar: the best, {WIDTH} # = {top:.2}x)\n"
    );
    for column in columns {
        let Some(speedup) = Speedup::of(column) else {
            let _ =
                writeln!(chart, "  {:<17} not measured (no complete 1-worker run)", column.name);
            continue;
        };
        let one = speedup.one;
        let blocks: String = column
            .rows
            .iter()
            .map(|&(_, secs, _)| {
                if !secs.is_finite() {
                    return ' '; // not measured
                }
                let level = ((one / secs) / top * LEVELS.len() as f64).ceil() as usize;
                LEVELS[level.clamp(1, LEVELS.len()) - 1]
            })
            .collect();
        let best = speedup.factor;
        let bar = "#".repeat((best / top * WIDTH).round() as usize);
        let _ = writeln!(chart, "  {:<17} {blocks}  |{bar:<30}| {best:.2}x", column.name);
    }
    chart
}

/// The same chart as an SVG document: speed-up over one worker against N, one line per
/// column, and a dashed line at 1x (no speed-up).
fn svg_chart(columns: &[&Column], m: u64) -> String {
    const COLORS: [&str; 4] = ["#d62728", "#ff7f0e", "#1f77b4", "#2ca02c"];
    let (width, height, left, right, top_margin, bottom) = (640.0, 400.0, 60.0, 180.0, 40.0, 50.0);
    let plot_w = width - left - right;
    let plot_h = height - top_margin - bottom;
    let ns: Vec<u64> = columns[0].rows.iter().map(|r| r.0).collect();
    let max =
        columns.iter().filter_map(|c| Speedup::of(c)).map(|s| s.factor).fold(2.0, f64::max).ceil();
    // Coordinates to a tenth of a pixel, so the document stays short and readable.
    let tenth = |v: f64| (v * 10.0).round() / 10.0;
    let x = |i: usize| tenth(left + plot_w * i as f64 / (ns.len() - 1).max(1) as f64);
    let y = |s: f64| tenth(top_margin + plot_h * (1.0 - s / max));
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{left}" y="20" font-size="14">Sum of i^0.3 below M = {m}: speed-up over one worker</text>
<line x1="{left}" y1="{}" x2="{}" y2="{}" stroke="black"/>
<line x1="{left}" y1="{top_margin}" x2="{left}" y2="{}" stroke="black"/>
"#,
        top_margin + plot_h,
        left + plot_w,
        top_margin + plot_h,
        top_margin + plot_h
    );
    for tick in 0..=max as u64 {
        let ty = y(tick as f64);
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end">{tick}x</text>"#,
            left - 6.0,
            ty + 4.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<line x1="{left}" y1="{0}" x2="{1}" y2="{0}" stroke="gray" stroke-dasharray="4 4"/>"#,
        y(1.0),
        left + plot_w
    );
    for (i, n) in ns.iter().enumerate() {
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle">{n}</text>"#,
            x(i),
            top_margin + plot_h + 16.0
        );
    }
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">N (threads or processes)</text>"#,
        left + plot_w / 2.0,
        height - 10.0
    );
    for (k, column) in columns.iter().enumerate() {
        let color = COLORS[k % COLORS.len()];
        let Some(speedup) = Speedup::of(column) else {
            continue; // not measured: no line
        };
        let one = speedup.one;
        let points: Vec<String> = column
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.1.is_finite())
            .map(|(i, &(_, secs, _))| format!("{:.1},{:.1}", x(i), y(one / secs)))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            points.join(" ")
        );
        let ly = top_margin + 20.0 * k as f64;
        let _ = writeln!(
            svg,
            r#"<line x1="{0}" y1="{ly}" x2="{1}" y2="{ly}" stroke="{color}" stroke-width="2"/><text x="{2}" y="{3}">{4} (best {5:.2}x)</text>"#,
            width - right + 10.0,
            width - right + 30.0,
            width - right + 35.0,
            ly + 4.0,
            column.name,
            speedup.factor
        );
    }
    svg.push_str("</svg>\n");
    svg
}

pub fn main() {
    run_child_if_requested();

    let args: Vec<String> = std::env::args().collect();
    let svg_path = args
        .iter()
        .position(|a| a == SVG_ARG)
        .map(|i| args.get(i + 1).unwrap_or_else(|| panic!("usage: {SVG_ARG} PATH")).clone());

    let m = common::scaled_count(50 * 1000 * 1000);
    let counts: Vec<u64> = (1..=10).chain((20..=100).step_by(20)).collect();
    println!(
        "sum of i^0.3 for i below M = {m}; this process may use {} CPU(s)",
        common::usable_cpus()
    );

    let time = |job: &dyn Fn() -> Option<f64>| {
        let cpu = common::cpu_seconds();
        let start = Instant::now();
        let sum = job();
        let secs = start.elapsed().as_secs_f64();
        let busy = cpu.zip(common::cpu_seconds()).map(|(before, after)| (after - before) / secs);
        (secs, busy, sum)
    };
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
    let mut reference = None;
    let mut measure =
        |what: &str, job: &dyn Fn(u64) -> Option<f64>| -> Vec<(u64, f64, Option<f64>)> {
            let mut best: Vec<(u64, f64, Option<f64>)> =
                counts.iter().map(|&n| (n, f64::INFINITY, None)).collect();
            let mut run = |row: &mut (u64, f64, Option<f64>)| {
                let n = row.0;
                let (secs, busy, sum) = time(&|| job(n));
                let Some(sum) = sum else {
                    println!("the run with {n} {what} is left out: not all of its workers started");
                    return;
                };
                let reference = *reference.get_or_insert(sum);
                assert!(close(sum, reference), "{n} {what}: sum {sum} != {reference}");
                if secs < row.1 {
                    *row = (n, secs, busy);
                }
            };
            for _ in 0..ROUNDS {
                for i in 0..counts.len() {
                    run(&mut best[i]);
                    run(&mut best[0]); // the 1-worker row, sampled as often as all others
                }
            }
            best
        };
    let rust_processes = Column {
        name: "rust processes",
        worker: "process",
        rows: measure("processes", &|n| job_using_processes(m, n)),
    };
    let _ = job_using_threads(m, 1); // warm-up after the processes, so row 1 is not penalised
    let rust_threads = Column {
        name: "rust threads",
        worker: "thread",
        rows: measure("threads", &|n| job_using_threads(m, n)),
    };
    match reference {
        Some(sum) => println!("every complete Rust run computed the same sum: {sum:.6e}"),
        None => println!("no Rust run started all of its workers: nothing was measured"),
    }
    let failed = common::failed_spawns();
    if failed > 0 {
        println!(
            "{failed} thread(s) or process(es) could not be started: the runs that needed them are left out, and the table and verdicts below are computed from the complete runs only"
        );
    }

    println!("running the notebook's Python code at the same scale with python3 ...");
    let python = match common::run_python(PYTHON_BENCHMARK) {
        common::Python::Ran(out) => {
            let (gil, processes, threads) = parse_python(&out);
            if processes.rows.len() == counts.len() && threads.rows.len() == counts.len() {
                Some((gil, processes, threads))
            } else {
                println!("python3 printed no full table, so there is no CPython column:\n{out}");
                None
            }
        }
        common::Python::Missing => {
            println!("python3 is not on the PATH: no CPython columns, only Rust's");
            None
        }
        common::Python::Failed(why) => {
            println!("the notebook's Python code failed, so there are no CPython columns: {why}");
            None
        }
    };
    if let Some((gil, _, _)) = &python {
        let gil = gil.map_or("unknown", |g| if g { "yes" } else { "no" });
        println!("python3's GIL enabled: {gil}");
    }

    let mut columns = vec![&rust_processes, &rust_threads];
    if let Some((_, processes, threads)) = &python {
        columns.push(processes);
        columns.push(threads);
    }
    println!();
    println!(
        "seconds per run (Rust: the fastest of {ROUNDS} rounds, the 1-worker rows also re-run after every row; Python: one run, as in the notebook)"
    );
    let header: Vec<String> = columns.iter().map(|c| format!("{:>17}", c.name)).collect();
    println!("{:>4} {}", "N", header.join(""));
    for (i, n) in counts.iter().enumerate() {
        let cell = |secs: f64| {
            if secs.is_finite() {
                format!("{secs:>17.5}")
            } else {
                format!("{:>17}", "not measured")
            }
        };
        let cells: Vec<String> = columns.iter().map(|c| cell(c.rows[i].1)).collect();
        println!("{n:>4} {}", cells.join(""));
    }

    println!();
    println!(
        "a column counts as sped up when its fastest row is at least {SPEEDUP_AT_LEAST:.2}x faster than its 1-worker row and kept at least {PARALLEL_AT_LEAST:.2} CPUs busy (CPU time / wall time)"
    );
    for column in &columns {
        let Some(s) = Speedup::of(column) else {
            println!("speed-up of {}: not measured (no complete 1-worker run)", column.name);
            continue;
        };
        println!(
            "speed-up of {}: {:.2}x = 1 {} {:.5} s / {:.5} s with {}, {} -> {}",
            column.name,
            s.factor,
            column.worker,
            s.one,
            s.best,
            s.best_n,
            s.busy_text(),
            s.verdict_explained()
        );
    }
    let Some(rust) = Speedup::of(&rust_threads).zip(Speedup::of(&rust_processes)) else {
        println!(
            "conclusion of this run: none for Rust, whose threads and processes were not both measured"
        );
        return chart(&columns, svg_path, m);
    };
    println!("{}", meaning("Rust", &rust.0, &rust.1, Some(false)));
    let mut conclusion = format!(
        "conclusion of this run: threads {} in Rust ({:.2}x)",
        rust.0.verdict(),
        rust.0.factor
    );
    let py = python.as_ref().and_then(|(gil, processes, threads)| {
        Some((Speedup::of(threads)?, Speedup::of(processes)?, *gil))
    });
    if let Some((py_threads, py_processes, gil)) = &py {
        println!("{}", meaning("CPython", py_threads, py_processes, *gil));
        let _ = write!(
            conclusion,
            " and {} in CPython ({:.2}x)",
            py_threads.verdict(),
            py_threads.factor
        );
        let _ = write!(
            conclusion,
            "; processes {} in Rust ({:.2}x) and {} in CPython ({:.2}x)",
            rust.1.verdict(),
            rust.1.factor,
            py_processes.verdict(),
            py_processes.factor
        );
    } else {
        let _ = write!(conclusion, "; processes {} ({:.2}x)", rust.1.verdict(), rust.1.factor);
    }
    println!("{conclusion}");
    println!(
        "the notebook concludes (a quote, about CPython): \"threads do not speed up cpu bound calculations; use multiple processes\""
    );

    chart(&columns, svg_path, m);
}

/// Prints the text chart and writes the SVG one if asked.
fn chart(columns: &[&Column], svg_path: Option<String>, m: u64) {
    println!();
    print!("{}", text_chart(columns));
    if let Some(path) = svg_path {
        std::fs::write(&path, svg_chart(columns, m))
            .unwrap_or_else(|e| panic!("cannot write the SVG chart to {path}: {e}"));
        println!("wrote the chart as SVG to {path}");
    }
}
