//! Section 11 of the notebook, "Bounded Semaphores": seven threads share a
//! `BoundedSemaphore(3)`, which acts like a set of three locks. Each thread acquires it,
//! holds it for 5 s and releases it, so the threads go through in waves of at most three.
//! The example counts the current holders and prints the count on every claim, then the
//! largest count seen: never more than 3.
//!
//! Where Rust differs from Python:
//! - The notebook's global `semaphore` is a `static` (`BoundedSemaphore::new` is a
//!   `const fn`).
//! - The holder count is decremented *before* `release()`, so it can never count a thread
//!   that has already let the next one in.
//! - "Bounded" means a release beyond the initial value is an error. Python raises
//!   `ValueError`; here `release()` returns `Err(ReleaseError::TooManyReleases)`, which
//!   the example shows at the end.

#[path = "common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use threading::BoundedSemaphore;

static SEMAPHORE: BoundedSemaphore = BoundedSemaphore::new(3);
static HOLDERS: AtomicUsize = AtomicUsize::new(0);
static MAX_HOLDERS: AtomicUsize = AtomicUsize::new(0);

struct MyClass;

impl MyClass {
    fn call(&self, name: &str) {
        SEMAPHORE.acquire();
        let holders = HOLDERS.fetch_add(1, SeqCst) + 1;
        MAX_HOLDERS.fetch_max(holders, SeqCst);
        println!("{name} claimed semaphore (holders: {holders})");
        common::sleep(5.0);
        println!("\t{name} released semaphore");
        HOLDERS.fetch_sub(1, SeqCst);
        SEMAPHORE.release().expect("this thread holds a permit");
    }
}

pub fn main() {
    // A thread the OS refuses to start is reported (by `common`) and left out.
    let threads: Vec<_> = (1..=7)
        .filter_map(|i| {
            let m = MyClass;
            common::spawn_thread(format!("thread {i} of 7"), move || m.call(&i.to_string())).ok()
        })
        .collect();
    let started = threads.len();
    for t in threads {
        t.join().expect("thread panicked");
    }

    println!(
        "\nat most {} of {started} threads held the semaphore at once (bound {})",
        MAX_HOLDERS.load(SeqCst),
        SEMAPHORE.bound()
    );
    match SEMAPHORE.release() {
        Ok(()) => println!("one release too many was accepted (a bug!)"),
        Err(e) => println!("one release too many: Err({e}) (Python: ValueError)"),
    }

    println!("\nEnd of main");
}
