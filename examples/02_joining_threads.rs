//! Section 2 of the notebook, "Joining Threads": the same three digit-writing threads as
//! section 1, but now the main thread waits for all three with `join()` before it prints
//! "End of main Thread", so that line is always the last one.
//!
//! Where Rust differs from Python: `JoinHandle::join` returns a `Result` — `Err` carries the
//! thread's panic payload (Python just prints the exception of a failed thread and `join`
//! returns normally). A `JoinHandle` can be joined only once because `join` consumes it.

#[path = "common/mod.rs"]
mod common;

use std::thread;

fn myfunc(name: &str) {
    for _ in 1..50 {
        common::emit(name);
        common::random_pause(0.1);
    }
}

pub fn main() {
    let thread1 = thread::spawn(|| myfunc("1"));
    let thread2 = thread::spawn(|| myfunc("2"));
    let thread3 = thread::spawn(|| myfunc("3"));

    thread1.join().expect("thread 1 panicked");
    thread2.join().expect("thread 2 panicked");
    thread3.join().expect("thread 3 panicked");

    common::emit("\nEnd of main Thread\n");
}
