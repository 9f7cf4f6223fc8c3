//! Section 2 of the notebook, "Joining Threads": the same three digit-writing threads as
//! section 1, but now the main thread waits for all three with `join()` before it prints
//! "End of main Thread", so that line is always the last one.
//!
//! Where Rust differs from Python: `JoinHandle::join` returns a `Result` — `Err` carries the
//! thread's panic payload (Python just prints the exception of a failed thread and `join`
//! returns normally). A `JoinHandle` can be joined only once because `join` consumes it.

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

    for t in [thread1, thread2, thread3].into_iter().flatten() {
        t.join().expect("thread panicked");
    }

    common::emit("\nEnd of main Thread\n");
}
