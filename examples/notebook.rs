//! Every demo of the notebook, in order: each section's example runs with a title.
//!
//! Each example file is included as a module (`#[path = "01_creating_threads.rs"] mod
//! s01;`) and its `pub fn main()` is called. Section 14 re-runs the current executable as
//! a worker process; `main` below therefore first checks for that worker argument, so the
//! re-run of `notebook` computes a partial sum instead of starting the notebook again.
//!
//! `THREADING_TIME_SCALE=0.05 cargo run --release --example notebook` runs it in seconds
//! (most of them spent in CPython, where `python3` is on the PATH: sections 7, 8, 9 and 14
//! run the notebook's own Python beside Rust). Arguments reach the sections: `-- --svg
//! chart.svg` writes section 14's speed-up chart.

// Every section brings its own `mod common` (it must also build on its own), so the helpers
// are compiled once per section here. They are stateless apart from the cached time scale,
// so the copies behave the same.
#![allow(clippy::duplicate_mod)]

#[path = "01_creating_threads.rs"]
mod s01;
#[path = "02_joining_threads.rs"]
mod s02;
#[path = "03_callable_objects.rs"]
mod s03;
#[path = "04_locks.rs"]
mod s04;
#[path = "05_two_locks.rs"]
mod s05;
#[path = "06_sharing_data.rs"]
mod s06;
#[path = "07_data_corruption.rs"]
mod s07;
#[path = "08_atomic_instructions.rs"]
mod s08;
#[path = "09_no_gil.rs"]
mod s09;
#[path = "10_condition.rs"]
mod s10c;
#[path = "10_events.rs"]
mod s10e;
#[path = "11_bounded_semaphore.rs"]
mod s11;
#[path = "12_barrier.rs"]
mod s12;
#[path = "13_timer.rs"]
mod s13;
#[path = "14_benchmarking.rs"]
mod s14;

use std::time::Instant;

/// Every section: its title in the notebook and its example's `main`.
const SECTIONS: [(&str, fn()); 15] = [
    ("1 Creating Threads", s01::main),
    ("2 Joining Threads", s02::main),
    ("3 Using Methods as Callbacks", s03::main),
    ("4 Locks", s04::main),
    ("5 Locks (two locks)", s05::main),
    ("6 Sharing Data", s06::main),
    ("7 Data Corruption", s07::main),
    ("8 Atomic Instructions", s08::main),
    ("9 Global Interpreter Lock (GIL)", s09::main),
    ("10 Condition Variables", s10c::main),
    ("10 Events", s10e::main),
    ("11 Bounded Semaphores", s11::main),
    ("12 Barriers", s12::main),
    ("13 Timers", s13::main),
    ("14 Benchmarking", s14::main),
];

fn main() {
    s14::run_child_if_requested();

    let begin = Instant::now();
    for (title, section) in SECTIONS {
        println!("\n## {title}\n");
        section();
    }
    println!("\nall {} sections done in {:.1} s", SECTIONS.len(), begin.elapsed().as_secs_f64());
}
