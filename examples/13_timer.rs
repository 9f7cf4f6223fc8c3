//! Section 13 of the notebook, "Timers": `Timer(15.0, hello).start()` prints "hello, world"
//! after 15 s on a thread of its own. A second timer shows `cancel()`: cancelled before its
//! interval runs out, its function never runs.
//!
//! Where Rust differs from Python:
//! - `Timer::new(interval, f)` takes a `Duration` and any `FnOnce() + Send + 'static`
//!   closure; `start()` returns `Err(TimerError::AlreadyStarted)` the second time
//!   (Python raises `RuntimeError`).
//! - Python's interpreter waits for the timer thread at exit; a Rust process ends when
//!   `main` returns, so the example calls `join()` — otherwise "hello, world" would never
//!   appear.

#[path = "common/mod.rs"]
mod common;

use std::time::Instant;
use threading::Timer;

fn hello() {
    println!("hello, world");
}

pub fn main() {
    let begin = Instant::now();
    let t = Timer::new(common::scaled(15.0), hello);
    // After 15 seconds, "hello, world" will be printed. Where the OS refuses the
    // scheduler's thread, `start` says so (Python's RuntimeError) and `join` returns at once.
    if let Err(e) = t.start() {
        println!("could not start the timer: {e}");
    }
    println!("timer started: \"hello, world\" in {} seconds", common::seconds_text(15.0));

    let cancelled =
        Timer::new(common::scaled(15.0), || println!("the cancelled timer fired (a bug!)"));
    if let Err(e) = cancelled.start() {
        println!("could not start the second timer: {e}");
    }
    cancelled.cancel();
    println!("second timer started and cancelled at once");

    t.join();
    println!("first timer done after {:.3} s", begin.elapsed().as_secs_f64());
    cancelled.join();
    println!("cancelled timer finished without firing: is_alive() = {}", cancelled.is_alive());
    if let Err(e) = t.start() {
        println!("starting the first timer again: Err({e}) (Python: RuntimeError)");
    }
}
