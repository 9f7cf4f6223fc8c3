//! Python's `queue.Queue`, as the standard library writes it: ONE lock and THREE conditions
//! over it (`not_empty`, `not_full`, `all_tasks_done`), the items and the count of
//! unfinished tasks next to them. Included by `examples/queue.rs` and by `tests/queue.rs`
//! (with `#[path]`), so the example and its tests run the same code.
//!
//! The data lives in an `UnsafeCell` beside the lock, as in Python (where the lock and the
//! deque are separate attributes), so every access says why the lock is held. The
//! data-owning way (`Mutex<VecDeque<T>>` + `Condvar`) is shown in the docs of
//! `threading::Condvar`.
#![allow(dead_code)] // the example and the tests use different parts

use std::cell::UnsafeCell;
use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use threading::{Condition, Lock};

/// `queue.Full`: the queue had no room; the item is handed back.
#[derive(Debug, PartialEq, Eq)]
pub struct Full<T>(pub T);

/// `queue.Empty`: there was no item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Empty;

/// Python's `ValueError('task_done() called too many times')`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called too many times")
    }
}

struct State<T> {
    items: VecDeque<T>,
    unfinished_tasks: usize,
}

/// A FIFO queue for producers and consumers: `queue.Queue(maxsize)`.
pub struct Queue<T> {
    maxsize: usize,
    /// Python's `self.mutex`; every condition below is over it.
    mutex: Arc<Lock>,
    /// Notified when an item is added: wakes a `get`.
    not_empty: Condition<Arc<Lock>>,
    /// Notified when an item is removed: wakes a `put`.
    not_full: Condition<Arc<Lock>>,
    /// Notified when the unfinished tasks reach zero: wakes `join`.
    all_tasks_done: Condition<Arc<Lock>>,
    state: UnsafeCell<State<T>>,
}

// SAFETY: `state` is only reached through `state()`, whose callers hold `mutex`.
unsafe impl<T: Send> Sync for Queue<T> {}

impl<T> Queue<T> {
    /// `queue.Queue(maxsize)`: `maxsize == 0` means no bound.
    pub fn new(maxsize: usize) -> Queue<T> {
        let mutex = Arc::new(Lock::new());
        Queue {
            maxsize,
            not_empty: Condition::with_lock(Arc::clone(&mutex)),
            not_full: Condition::with_lock(Arc::clone(&mutex)),
            all_tasks_done: Condition::with_lock(Arc::clone(&mutex)),
            mutex,
            state: UnsafeCell::new(State { items: VecDeque::new(), unfinished_tasks: 0 }),
        }
    }

    /// The items and the task count.
    ///
    /// # Safety
    /// The caller holds `mutex` (through a guard of any of the three conditions) and
    /// drops the reference before releasing it.
    #[allow(clippy::mut_from_ref)]
    unsafe fn state(&self) -> &mut State<T> {
        // SAFETY: the lock makes the caller the only thread in here (see above).
        unsafe { &mut *self.state.get() }
    }

    /// `put(item, block, timeout)`: adds `item`, first waiting for room if the queue is
    /// bounded and full: not at all (`block == false`), at most `timeout`, or as long as
    /// it takes (`None`). `Err(Full(item))` if there was no room in time.
    pub fn put(&self, item: T, block: bool, timeout: Option<Duration>) -> Result<(), Full<T>> {
        let mut guard = self.not_full.lock(); // `with self.not_full:`
        if self.maxsize > 0 {
            // SAFETY (each call): the predicate runs with the lock held.
            let has_room = || unsafe { self.state() }.items.len() < self.maxsize;
            let room = match (block, timeout) {
                (false, _) => has_room(),
                (true, None) => {
                    guard.wait_for(has_room);
                    true
                }
                (true, Some(timeout)) => guard.wait_for_timeout(has_room, timeout),
            };
            if !room {
                return Err(Full(item));
            }
        }
        // SAFETY: `guard` holds the lock.
        let state = unsafe { self.state() };
        state.items.push_back(item);
        state.unfinished_tasks += 1;
        // `self.not_empty.notify()`: a guard of not_full holds the lock not_empty shares.
        self.not_empty.notify_with(&guard, 1);
        Ok(())
    }

    /// `put_nowait(item)`: `put(item, block=False)`.
    pub fn put_nowait(&self, item: T) -> Result<(), Full<T>> {
        self.put(item, false, None)
    }

    /// `get(block, timeout)`: removes the oldest item, first waiting for one: not at all,
    /// at most `timeout`, or as long as it takes (`None`). `Err(Empty)` if none came.
    pub fn get(&self, block: bool, timeout: Option<Duration>) -> Result<T, Empty> {
        let mut guard = self.not_empty.lock(); // `with self.not_empty:`
        // SAFETY (each call): the predicate runs with the lock held.
        let has_item = || !unsafe { self.state() }.items.is_empty();
        let ready = match (block, timeout) {
            (false, _) => has_item(),
            (true, None) => {
                guard.wait_for(has_item);
                true
            }
            (true, Some(timeout)) => guard.wait_for_timeout(has_item, timeout),
        };
        if !ready {
            return Err(Empty);
        }
        // SAFETY: `guard` holds the lock.
        let item = unsafe { self.state() }.items.pop_front().expect("checked under the lock");
        self.not_full.notify_with(&guard, 1); // `self.not_full.notify()`
        Ok(item)
    }

    /// `get_nowait()`: `get(block=False)`.
    pub fn get_nowait(&self) -> Result<T, Empty> {
        self.get(false, None)
    }

    /// `task_done()`: one item taken by `get` is fully processed. The last one wakes every
    /// `join`. `Err(TaskDoneError)` (Python's `ValueError`) if called more often than items
    /// were put; the count stays at zero.
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        let guard = self.all_tasks_done.lock();
        // SAFETY: `guard` holds the lock.
        let state = unsafe { self.state() };
        state.unfinished_tasks = state.unfinished_tasks.checked_sub(1).ok_or(TaskDoneError)?;
        if state.unfinished_tasks == 0 {
            guard.notify_all();
        }
        Ok(())
    }

    /// `join()`: blocks until every item ever put has been marked done by `task_done`.
    pub fn join(&self) {
        let mut guard = self.all_tasks_done.lock();
        // SAFETY: the predicate runs with the lock held.
        guard.wait_for(|| unsafe { self.state() }.unfinished_tasks == 0);
    }

    /// `qsize()`: the number of items now (stale as soon as it is returned).
    pub fn qsize(&self) -> usize {
        let _guard = self.mutex.lock(); // `with self.mutex:`
        // SAFETY: `_guard` holds the lock.
        unsafe { self.state() }.items.len()
    }

    /// `empty()`.
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// `full()`: bounded and at its bound.
    pub fn full(&self) -> bool {
        self.maxsize > 0 && self.qsize() >= self.maxsize
    }

    /// `maxsize`.
    pub fn maxsize(&self) -> usize {
        self.maxsize
    }
}
