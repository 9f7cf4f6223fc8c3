//! Section 10 of the notebook, "Condition Variables": a producer takes 5 s to obtain data,
//! then, holding the condition's lock, notifies all consumers; three consumers wait on the
//! condition until the data is there.
//!
//! Where Rust differs from Python:
//! - `with dataAvailable:` is `let guard = cond.lock();`, and `wait`/`notify_all` are
//!   methods of the guard, so they cannot be called without holding the lock (Python
//!   raises `RuntimeError` at run time; Rust does not compile it).
//! - The notebook has a race: a consumer that only starts waiting after the producer has
//!   notified (possible if a consumer thread starts late) waits forever, because a
//!   notification is not remembered. The fix is a predicate about the data itself:
//!   `guard.wait_for(|| data_ready)` checks the flag first and waits only while it is
//!   false (Python has the same `wait_for`). The flag is written and read under the
//!   condition's lock; it is an `AtomicBool` only because the closure borrows it while the
//!   guard is borrowed mutably (`Relaxed` suffices: the lock orders the accesses).
//! - `notify_all()` returns how many waiters it woke; the example prints that.
//! - The notebook's "consumer1 is has obtained the data" lost its "is" here.

#[path = "common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::thread;
use threading::Condition;

struct Producer;

impl Producer {
    fn call(&self, data_available: &Condition, data_ready: &AtomicBool) {
        println!("Producer is obtaining data");
        common::sleep(5.0);
        let guard = data_available.lock(); // grab the lock
        println!("Producer is notifying all consumers");
        data_ready.store(true, Relaxed);
        let woken = guard.notify_all();
        println!("(notify_all woke {woken} waiting consumers)");
    }
}

struct Consumer;

impl Consumer {
    fn call(&self, name: &str, data_available: &Condition, data_ready: &AtomicBool) {
        let mut guard = data_available.lock();
        println!("consumer{name} is waiting");
        // The notebook's bare `wait()` would hang if the notify came before this line.
        guard.wait_for(|| data_ready.load(Relaxed));
        println!("consumer{name} has obtained the data");
    }
}

pub fn main() {
    let data_available = Condition::new();
    let data_ready = AtomicBool::new(false);

    let producer = Producer;
    let consumer1 = Consumer;
    let consumer2 = Consumer;
    let consumer3 = Consumer;

    let (cond, ready) = (&data_available, &data_ready);
    thread::scope(|s| {
        // A thread the OS refuses to start is reported (by `common`) and left out.
        let t = common::spawn_scoped(s, "the producer thread", || producer.call(cond, ready));
        let t1 = common::spawn_scoped(s, "consumer thread 1", || consumer1.call("1", cond, ready));
        let t2 = common::spawn_scoped(s, "consumer thread 2", || consumer2.call("2", cond, ready));
        let t3 = common::spawn_scoped(s, "consumer thread 3", || consumer3.call("3", cond, ready));

        match t {
            Ok(t) => t.join().expect("producer panicked"),
            Err(_) => {
                println!("(main produces instead, or the consumers would wait for ever)");
                producer.call(cond, ready);
            }
        }
        for t in [t1, t2, t3].into_iter().flatten() {
            t.join().expect("consumer panicked");
        }
    });

    println!("\nEnd of main");
}
