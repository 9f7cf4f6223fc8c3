//! Helpers shared by every example (included with `#[path = "common/mod.rs"] mod common;`,
//! so each example and the `notebook` runner get their own copy).
//!
//! `THREADING_TIME_SCALE` (a positive float, default `1.0`) multiplies every pause and every
//! loop size of the examples: `0.05` runs the whole notebook in seconds, `1.0` reproduces
//! the notebook's timings.
//!
//! `THREADING_DEMO_FAIL_SPAWN=N` (a positive integer) makes the process's Nth start of a
//! thread or process through [`spawn_thread`], [`spawn_scoped`] or [`spawn_process`] fail as
//! if the OS had refused it (Wine has refused child processes with "Internal error"): the
//! examples never panic for that, they say "could not start ...: ..." and go on with what
//! started, and `tests/examples.rs` checks it. Each example counts its own spawns (each
//! section of the `notebook` runner has its own copy of this module), so in the notebook
//! every section's Nth spawn fails.
#![allow(dead_code)] // each example uses only some of these helpers

use std::fmt::Display;
use std::io::{self, Write};
use std::process::{Child, Command};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::thread::{self, JoinHandle, Scope, ScopedJoinHandle};
use std::time::Duration;

/// The name of the one environment variable the examples read.
pub const TIME_SCALE_VAR: &str = "THREADING_TIME_SCALE";

/// The factor applied to every pause and loop size: `THREADING_TIME_SCALE`, default 1.0.
pub fn time_scale() -> f64 {
    static SCALE: OnceLock<f64> = OnceLock::new();
    *SCALE.get_or_init(|| match std::env::var(TIME_SCALE_VAR) {
        Err(_) => 1.0,
        Ok(text) => match text.trim().parse::<f64>() {
            Ok(scale) if scale.is_finite() && scale > 0.0 => scale,
            _ => panic!("{TIME_SCALE_VAR} must be a positive number such as 0.05, got {text:?}"),
        },
    })
}

/// `seconds` of the notebook, scaled.
pub fn scaled(seconds: f64) -> Duration {
    Duration::from_secs_f64(seconds * time_scale())
}

/// `time.sleep(seconds)`, scaled.
pub fn sleep(seconds: f64) {
    std::thread::sleep(scaled(seconds));
}

/// `time.sleep(random.random() * max_seconds)`, scaled.
pub fn random_pause(max_seconds: f64) {
    sleep(rand::random::<f64>() * max_seconds);
}

/// A loop size of the notebook, scaled (at least 1).
pub fn scaled_count(n: u64) -> u64 {
    ((n as f64 * time_scale()).round() as u64).max(1)
}

/// `sys.stdout.write(text)` followed by a flush: one write under the stdout lock, so text
/// from different threads never interleaves inside one call and shows up at once.
pub fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).expect("write to stdout");
    out.flush().expect("flush stdout");
}

/// `seconds` of the notebook, scaled, as text for messages: "15" at scale 1, "0.75" at 0.05.
pub fn seconds_text(seconds: f64) -> String {
    let scaled = (seconds * time_scale() * 1000.0).round() / 1000.0;
    format!("{scaled}")
}

/// The environment variable that makes one spawn fail on purpose (module docs).
pub const FAIL_SPAWN_VAR: &str = "THREADING_DEMO_FAIL_SPAWN";

/// Starts of threads and processes through the helpers below, so far in this process.
static SPAWNS: AtomicU64 = AtomicU64::new(0);

/// Spawns that failed so far in this process (refused by the OS or on purpose).
static FAILED_SPAWNS: AtomicU64 = AtomicU64::new(0);

/// The spawn that `THREADING_DEMO_FAIL_SPAWN` makes fail, if set.
fn spawn_to_fail() -> Option<u64> {
    static NTH: OnceLock<Option<u64>> = OnceLock::new();
    *NTH.get_or_init(|| {
        let text = std::env::var(FAIL_SPAWN_VAR).ok()?;
        match text.trim().parse::<u64>() {
            Ok(n) if n > 0 => Some(n),
            _ => panic!("{FAIL_SPAWN_VAR} must be a positive integer such as 37, got {text:?}"),
        }
    })
}

/// Counts one spawn; runs `start` unless this is the one to fail; reports a failure as
/// "could not start {what}: {error}" on stdout (in the example's output, next to what it
/// measured) and returns it.
fn counted_spawn<T>(what: impl Display, start: impl FnOnce() -> io::Result<T>) -> io::Result<T> {
    // Relaxed: a counter, and each example spawns from one thread.
    let nth = SPAWNS.fetch_add(1, Relaxed) + 1;
    let result = if spawn_to_fail() == Some(nth) {
        Err(io::Error::other(format!("refused on purpose ({FAIL_SPAWN_VAR}={nth})")))
    } else {
        start()
    };
    if let Err(e) = &result {
        FAILED_SPAWNS.fetch_add(1, Relaxed);
        emit(&format!("could not start {what}: {e}\n"));
    }
    result
}

/// `thread::spawn` that returns the OS's refusal instead of panicking (and says so on
/// stdout); `what` names the thread for that message: "thread 2 of 3".
pub fn spawn_thread<F, T>(what: impl Display, f: F) -> io::Result<JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    counted_spawn(what, || thread::Builder::new().spawn(f))
}

/// `scope.spawn` that returns the OS's refusal instead of panicking (and says so).
pub fn spawn_scoped<'scope, 'env, F, T>(
    scope: &'scope Scope<'scope, 'env>,
    what: impl Display,
    f: F,
) -> io::Result<ScopedJoinHandle<'scope, T>>
where
    F: FnOnce() -> T + Send + 'scope,
    T: Send + 'scope,
{
    counted_spawn(what, || thread::Builder::new().spawn_scoped(scope, f))
}

/// `command.spawn()`, counted like the threads and reported the same way on failure.
pub fn spawn_process(what: impl Display, command: &mut Command) -> io::Result<Child> {
    counted_spawn(what, || command.spawn())
}

/// How many spawns failed so far in this process.
pub fn failed_spawns() -> u64 {
    // Relaxed: a counter read after the spawns it counts, by the thread that made them.
    FAILED_SPAWNS.load(Relaxed)
}

pub mod counters;
pub mod disasm;

/// What became of a Python script run by [`run_python`].
pub enum Python {
    /// It ran; its standard output.
    Ran(String),
    /// There is no `python3` on the PATH.
    Missing,
    /// It started but failed; what it said.
    Failed(String),
}

/// Runs `script` with `python3 -c`, after a first line `SCALE = <THREADING_TIME_SCALE>`
/// so that the script scales its loop sizes and pauses as the Rust examples do.
pub fn run_python(script: &str) -> Python {
    let code = format!("SCALE = {}\n{script}", time_scale());
    match std::process::Command::new("python3").arg("-c").arg(code).output() {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Python::Missing,
        Err(e) => Python::Failed(format!("cannot start python3: {e}")),
        Ok(out) if out.status.success() => {
            Python::Ran(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Ok(out) => Python::Failed(format!(
            "python3 exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// Prints the lines of a Python run indented under a heading, or why there are none.
/// Returns the output when the script ran.
pub fn show_python(heading: &str, script: &str) -> Option<String> {
    match run_python(script) {
        Python::Ran(out) => {
            println!("{heading}");
            for line in out.lines() {
                println!("    {line}");
            }
            Some(out)
        }
        Python::Missing => {
            println!("python3 is not on the PATH: no CPython run to show beside Rust's");
            None
        }
        Python::Failed(why) => {
            println!("the CPython run failed, so there is nothing to show beside Rust's: {why}");
            None
        }
    }
}

/// How many CPUs this process may run on (its affinity mask and CPU quota included):
/// `taskset -c 0` makes it 1.
pub fn usable_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |c| c.get())
}

/// The CPU time this process (all its threads) and its finished, waited-for children have
/// used so far, in seconds; `None` where it is not measured.
#[cfg(unix)]
pub fn cpu_seconds() -> Option<f64> {
    let mut now = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `now` is a valid timespec to write to; the clock id is a constant of libc.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut now) } == 0;
    // SAFETY: an all-zero `rusage` is a valid value (integers and timevals only).
    let mut children: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `children` is a valid rusage to write to.
    let ok = ok && unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut children) } == 0;
    let timeval = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    ok.then(|| {
        now.tv_sec as f64
            + now.tv_nsec as f64 * 1e-9
            + timeval(children.ru_utime)
            + timeval(children.ru_stime)
    })
}

/// Not measured outside Unix.
#[cfg(not(unix))]
pub fn cpu_seconds() -> Option<f64> {
    None
}
