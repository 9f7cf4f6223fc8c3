//! Section 4 of the notebook, "Locks": four threads run the same task, which holds one
//! shared `Lock` while it writes its digit 49 times (with random pauses). Only one thread
//! at a time can be between `acquire()` and `release()`, so each thread's 49 digits come
//! out as one contiguous block, e.g. `111…1333…3222…2444…4` (the order of the blocks
//! varies).
//!
//! Where Rust differs from Python:
//! - The lock is passed to the threads by reference. `std::thread::scope` lets threads
//!   borrow `lock` from `main`'s stack because the scope joins them before `lock` goes
//!   away; Python's garbage collector keeps the object alive instead. (A `static LOCK:
//!   Lock = Lock::new();` or an `Arc<Lock>` would work as well.)
//! - `release()` returns a `Result`: releasing an unlocked lock is `Err(ReleaseError::
//!   Unlocked)` where Python raises `RuntimeError`. Section 6 shows the guard form
//!   (`lock.lock()`, Python's `with lock:`), which cannot forget the release.
//! - The notebook never joins (Python waits for the threads at exit); the scope's end
//!   does that here.

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
    let lock = Lock::new();

    // create 4 threads (one the OS refuses to start is reported by `common`, and left out)
    thread::scope(|s| {
        let _ = common::spawn_scoped(s, "thread 1 of 4", || task("1", &lock));
        let _ = common::spawn_scoped(s, "thread 2 of 4", || task("2", &lock));
        let _ = common::spawn_scoped(s, "thread 3 of 4", || task("3", &lock));
        let _ = common::spawn_scoped(s, "thread 4 of 4", || task("4", &lock));
    });
    common::emit("\n");
}
