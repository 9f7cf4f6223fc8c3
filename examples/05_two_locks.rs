//! Section 5 of the notebook, "Locks" with two locks: lock A is shared by threads 1 and 3,
//! lock B by threads 2 and 4. Threads 1 and 3 never write at the same time, nor do 2 and 4;
//! but an A-thread and a B-thread run concurrently, so their digits interleave, e.g.
//! `1212…1414…3434…` (with `1…` and `3…` each one block once the other digits are ignored).
//!
//! Where Rust differs from Python: as in section 4, scoped threads borrow the locks and the
//! scope's end joins them (Python waits for them at exit); `release()` returns a `Result`.

#[path = "common/mod.rs"]
mod common;

use std::thread;
use threading::Lock;

// task for threads
fn task(name: &str, lock: &Lock) {
    lock.acquire();
    for _ in 1..50 {
        common::emit(name);
        common::random_pause(0.1);
    }
    lock.release().expect("the task holds the lock");
}

pub fn main() {
    let lock_a = Lock::new();
    let lock_b = Lock::new();

    // create 4 threads (one the OS refuses to start is reported by `common`, and left out)
    thread::scope(|s| {
        let _ = common::spawn_scoped(s, "thread 1 of 4", || task("1", &lock_a));
        let _ = common::spawn_scoped(s, "thread 2 of 4", || task("2", &lock_b));
        let _ = common::spawn_scoped(s, "thread 3 of 4", || task("3", &lock_a));
        let _ = common::spawn_scoped(s, "thread 4 of 4", || task("4", &lock_b));
    });
    common::emit("\n");
}
