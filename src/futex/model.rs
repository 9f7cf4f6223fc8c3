//! The seam under `cfg(loom)`: a model of the kernel's futex table in which a lost wake-up
//! leaves a thread asleep forever, which loom reports as a deadlock.
//!
//! One loom `Mutex` guards a table from a word's address to the threads asleep on it,
//! each with its own loom `Condvar`; `wait` re-reads the word under that mutex and sleeps
//! if it is unchanged; `wake_*` take sleepers off the table under the same mutex and
//! notify them. A single wake reaches the thread that went to sleep *last*: the contract
//! lets the OS pick any sleeper (Linux's real-time classes and macOS' QoS pick the highest
//! priority, not the oldest), and first-come order, loom's own, would hide a protocol
//! whose wake must reach one kind of sleeper among others. A timed wait never sleeps in
//! the model: it yields and reports a timeout, which makes loom explore every place where
//! a timeout can race with a wake.

use super::{AtomicU32, Deadline, Wait};
use crate::sync::Ordering::Relaxed;
use loom::sync::{Condvar, Mutex, MutexGuard};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// One thread asleep on a word. `woken` is only touched under the table's mutex, which
/// orders it (a std atomic only because the table is shared between loom threads).
#[derive(Default)]
struct Sleeper {
    woken: AtomicBool,
    condvar: Condvar,
}

type Table = HashMap<usize, Vec<Arc<Sleeper>>>;

loom::lazy_static! {
    // The kernel's futex hash table: the mutex is the bucket lock that makes "check the
    // word, then sleep" atomic with respect to wakes. Sleepers in the order they slept.
    static ref SLEEPERS: Mutex<Table> = Mutex::new(HashMap::new());
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
    let me = Arc::new(Sleeper::default());
    table.entry(key(word)).or_default().push(Arc::clone(&me));
    while !me.woken.load(Relaxed) {
        table = me.condvar.wait(table).unwrap();
    }
    Wait::Woken
}

/// Takes up to `n` sleepers off `word`, the last to sleep first, and wakes them.
fn wake(table: &mut MutexGuard<'_, Table>, word: &AtomicU32, n: usize) {
    let Some(sleepers) = table.get_mut(&key(word)) else { return };
    for sleeper in sleepers.drain(sleepers.len().saturating_sub(n)..).rev() {
        sleeper.woken.store(true, Relaxed);
        sleeper.condvar.notify_one();
    }
}

pub(crate) fn wake_one(word: &AtomicU32) {
    wake(&mut SLEEPERS.lock().unwrap(), word, 1);
}

pub(crate) fn wake_all(word: &AtomicU32) {
    wake(&mut SLEEPERS.lock().unwrap(), word, usize::MAX);
}

pub(crate) fn wake_n(word: &AtomicU32, n: u32) {
    // Under the table lock, as one FUTEX_WAKE is one step for the kernel.
    wake(&mut SLEEPERS.lock().unwrap(), word, n as usize);
}
