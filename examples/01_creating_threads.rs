//! Section 1 of the notebook, "Creating Threads": the main thread starts three threads that
//! each write their digit 49 times, with a random pause (up to 0.1 s) after each digit.
//! The output interleaves unpredictably because the OS schedules the threads freely.
//!
//! Where Rust differs from Python:
//! - `Thread(target=myfunc, args=("1",))` plus `start()` is one call in Rust:
//!   `std::thread::spawn(move || myfunc("1"))` creates *and* starts the thread; the closure
//!   captures the argument. The returned `JoinHandle` plays the role of Python's helper object.
//! - Python's interpreter waits for every non-daemon thread before the process exits, so
//!   the notebook's main thread may print "End of main Thread" and fall off the end while
//!   the digits keep coming. In Rust, returning from `main` ends the process and kills the
//!   other threads, so this example does what Python does silently at shutdown: it prints
//!   "End of main Thread" straight after starting the threads and only then joins them.
//!   (Section 2 makes the join explicit and moves the message after it.)
//! - `sys.stdout.write` becomes `common::emit`: one locked write plus a flush, so each digit
//!   appears at once and digits from different threads never tear.

#[path = "common/mod.rs"]
mod common;

fn myfunc(name: &str) {
    for _ in 1..50 {
        common::emit(name);
        common::random_pause(0.1);
    }
}

pub fn main() {
    // A thread the OS refuses to start is reported (by `common`) and left out.
    let thread1 = common::spawn_thread("thread 1 of 3", || myfunc("1")).ok();
    let thread2 = common::spawn_thread("thread 2 of 3", || myfunc("2")).ok();
    let thread3 = common::spawn_thread("thread 3 of 3", || myfunc("3")).ok();

    common::emit("\nEnd of main Thread\n");

    // What CPython does at interpreter shutdown (see the top comment).
    for t in [thread1, thread2, thread3].into_iter().flatten() {
        t.join().expect("thread panicked");
    }
    common::emit("\n");
}
