//! Helpers shared by every example (included with `#[path = "common/mod.rs"] mod common;`,
//! so each example and the `notebook` runner get their own copy).
//!
//! `THREADING_TIME_SCALE` (a positive float, default `1.0`) multiplies every pause and every
//! loop size of the examples: `0.05` runs the whole notebook in seconds, `1.0` reproduces
//! the notebook's timings.
#![allow(dead_code)] // each example uses only some of these helpers

use std::io::Write;
use std::sync::OnceLock;
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
