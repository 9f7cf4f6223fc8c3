//! The seam under `cfg(loom)`: a model of the kernel's futex table in which a lost wake-up
//! leaves a thread asleep forever, which loom reports as a deadlock.
//!
//! One loom `Mutex` guards a table from a word's address to a loom `Condvar`; `wait`
//! re-reads the word under that mutex and sleeps on the word's own condvar if it is
//! unchanged; `wake_*` notify that condvar under the same mutex. A timed wait never sleeps
//! in the model: it yields and reports a timeout, which makes loom explore every place
//! where a timeout can race with a wake.

use super::{AtomicU32, Deadline, Wait};
use crate::sync::Ordering::Relaxed;
use loom::sync::{Condvar, Mutex};
use std::collections::HashMap;
use std::sync::Arc;

loom::lazy_static! {
    // The kernel's futex hash table: the mutex is the bucket lock that makes "check the
    // word, then sleep" atomic with respect to wakes. One condvar per word, so that a
    // wake_one aimed at one word can never be absorbed by a sleeper on another.
    static ref SLEEPERS: Mutex<HashMap<usize, Arc<Condvar>>> = Mutex::new(HashMap::new());
}

fn key(word: &AtomicU32) -> usize {
    word as *const AtomicU32 as usize
}

pub(crate) fn wait(word: &AtomicU32, expected: u32, deadline: Deadline) -> Wait {
    let mut table = SLEEPERS.lock().unwrap();
    // Relaxed: as in the kernel, the bucket lock (not the load) orders this check
    // against a waker's store-then-wake.
    if word.load(Relaxed) != expected {
        return Wait::Woken;
    }
    if !deadline.is_never() {
        // Model a timeout that fires before any wake could reach us: the caller must
        // cope with every wake that is sent from here on reaching nobody.
        drop(table);
        loom::thread::yield_now();
        return Wait::TimedOut;
    }
    let condvar = Arc::clone(table.entry(key(word)).or_insert_with(|| Arc::new(Condvar::new())));
    drop(condvar.wait(table).unwrap());
    Wait::Woken
}

pub(crate) fn wake_one(word: &AtomicU32) {
    if let Some(condvar) = SLEEPERS.lock().unwrap().get(&key(word)) {
        condvar.notify_one();
    }
}

pub(crate) fn wake_all(word: &AtomicU32) {
    if let Some(condvar) = SLEEPERS.lock().unwrap().get(&key(word)) {
        condvar.notify_all();
    }
}

pub(crate) fn wake_n(word: &AtomicU32, n: u32) {
    // Under the table lock, as one FUTEX_WAKE is one step for the kernel.
    if let Some(condvar) = SLEEPERS.lock().unwrap().get(&key(word)) {
        // A loom model has at most 5 threads: more notifications than that reach nobody.
        for _ in 0..n.min(8) {
            condvar.notify_one();
        }
    }
}
