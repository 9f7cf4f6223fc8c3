//! A small crate built on `threading`, written the way a user of the crate writes one, so
//! that its loom models (`tests/model.rs`) show what a user's model checks look like.
//!
//! [`BoundedBuffer`] is a producer/consumer buffer on `Mutex` + `Condvar` (parking_lot's
//! style); [`Tasks`] is Python's `queue.Queue` bookkeeping on `Condition`: `task_done()` and
//! `join()`; [`Cache`] computes each value once, on an `RwLock` with an upgradable read;
//! [`shut_down`] sets a `static` `Event`.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;
use threading::{Condition, Condvar, Event, Mutex, RwLock, RwLockUpgradableReadGuard};

/// At most `capacity` items; [`put`](BoundedBuffer::put) waits for room,
/// [`get`](BoundedBuffer::get) for an item.
pub struct BoundedBuffer<T> {
    items: Mutex<VecDeque<T>>,
    capacity: usize,
    not_empty: Condvar,
    not_full: Condvar,
}

impl<T> BoundedBuffer<T> {
    /// An empty buffer for at most `capacity` items.
    pub fn new(capacity: usize) -> BoundedBuffer<T> {
        BoundedBuffer {
            items: Mutex::new(VecDeque::with_capacity(capacity)),
            capacity,
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
        }
    }

    /// Adds `item` at the back, once there is room.
    pub fn put(&self, item: T) {
        let mut items = self.items.lock();
        self.not_full.wait_while(&mut items, |items| items.len() >= self.capacity);
        items.push_back(item);
        self.not_empty.notify_one();
    }

    /// Takes the item at the front, once there is one.
    pub fn get(&self) -> T {
        let mut items = self.items.lock();
        self.not_empty.wait_while(&mut items, |items| items.is_empty());
        let item = items.pop_front().expect("not empty: wait_while saw an item");
        self.not_full.notify_one();
        item
    }
}

// The user's own shared state on loom's atomics under `--cfg loom`, std's otherwise: the
// crate's primitives switch by themselves, the user's own atomics need these lines.
#[cfg(loom)]
use loom::sync::atomic::{AtomicUsize, Ordering::Relaxed};
#[cfg(not(loom))]
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// Counts unfinished tasks; [`join`](Tasks::join) waits until every task added was marked
/// done (Python's `Queue.task_done()` / `Queue.join()`).
#[derive(Debug)]
pub struct Tasks {
    all_done: Condition,
    // Changed and read only while holding `all_done`'s lock, so `Relaxed`: the lock orders.
    unfinished: AtomicUsize,
}

impl Default for Tasks {
    fn default() -> Tasks {
        Tasks::new()
    }
}

impl Tasks {
    /// No task yet.
    pub fn new() -> Tasks {
        Tasks { all_done: Condition::new(), unfinished: AtomicUsize::new(0) }
    }

    /// `n` more tasks to wait for.
    pub fn add(&self, n: usize) {
        let _guard = self.all_done.lock();
        self.unfinished.fetch_add(n, Relaxed);
    }

    /// One task finished; the last one wakes every `join`.
    ///
    /// # Panics
    /// If more tasks are marked done than were added (Python's `ValueError`).
    pub fn task_done(&self) {
        let guard = self.all_done.lock();
        let left = self
            .unfinished
            .load(Relaxed)
            .checked_sub(1)
            .expect("task_done() called too many times");
        self.unfinished.store(left, Relaxed);
        if left == 0 {
            guard.notify_all();
        }
    }

    /// Waits until every task added so far is done.
    pub fn join(&self) {
        let mut guard = self.all_done.lock();
        guard.wait_for(|| self.unfinished.load(Relaxed) == 0);
    }

    /// How many tasks are not done yet.
    pub fn unfinished(&self) -> usize {
        let _guard = self.all_done.lock();
        self.unfinished.load(Relaxed)
    }
}

// A static of the crate's types: under loom it must be a `loom::lazy_static!`, which loom
// builds afresh for every execution it explores (the crate's constructors are `const` only
// without loom, whose atomics exist only inside one execution of one model).
#[cfg(not(loom))]
static SHUTDOWN: Event = Event::new();
#[cfg(loom)]
loom::lazy_static! {
    static ref SHUTDOWN: Event = Event::new();
}

/// Asks every [`wait_for_shutdown`] to return, now and from now on.
pub fn shut_down() {
    SHUTDOWN.set();
}

/// Waits until [`shut_down`] was called.
pub fn wait_for_shutdown() {
    SHUTDOWN.wait();
}

/// A memo table: [`get_or_compute`](Cache::get_or_compute) computes each key's value at most
/// once, however many threads ask for it at the same time. Lookups of known keys share the
/// lock.
pub struct Cache<K, V> {
    values: RwLock<HashMap<K, V>>,
}

impl<K: Eq + Hash, V: Clone> Default for Cache<K, V> {
    fn default() -> Self {
        Cache::new()
    }
}

impl<K: Eq + Hash, V: Clone> Cache<K, V> {
    /// No value yet.
    pub fn new() -> Self {
        Cache { values: RwLock::new(HashMap::new()) }
    }

    /// The value of `key`, computed by `compute` if nobody has yet.
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce() -> V) -> V {
        if let Some(value) = self.values.read().get(&key) {
            return value.clone();
        }
        // One thread at a time looks again and fills in: an upgradable read excludes other
        // upgradable readers and writers (not plain readers), and its upgrade lets nobody in
        // between, so the value it did not find is still missing when it inserts.
        let values = self.values.upgradable_read();
        if let Some(value) = values.get(&key) {
            return value.clone();
        }
        let value = compute();
        RwLockUpgradableReadGuard::upgrade(values).insert(key, value.clone());
        value
    }

    /// The value of `key`, if it was computed.
    pub fn get(&self, key: &K) -> Option<V> {
        self.values.read().get(key).cloned()
    }
}
