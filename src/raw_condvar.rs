//! [`RawCondvar`]: a condition variable over a [`Lock`], the core of the lock_api
//! [`Condvar`](crate::Condvar) (parking_lot's): the crate's FIFO waiter queue
//! (`src/waiters.rs`, the same core as [`Condition`](crate::Condition)) plus the rule
//! that its waiters all use one mutex. Python's twin: a `Condition` over a `Mutex`'s lock.
//!
//! # The state
//!
//! The FIFO `queue` of waiting threads and `mutex`, the address of the raw lock they wait
//! with (the table and the invariant are on `RawCondvar`'s fields).
//!
//! # The protocol
//!
//! * **wait**: the queue's wait, with the mutex's unlock and lock
//!   (`Lock::acquire_notified`). No spurious wakeups: a wait that returns "notified" was
//!   chosen by a notify.
//! * **notify(n)**: pop up to `n` nodes; the count returned is exact (lock_api lets an
//!   implementation without spurious wakeups say so). A notify does not need the mutex:
//!   the queue has its own small lock.
//! * **one mutex at a time**: a wait records its mutex while queuing; while others wait, a
//!   wait with a different mutex panics before it changes anything, with parking_lot's
//!   message ("attempted to use a condition variable with more than one mutex"). The
//!   condvar forgets the mutex exactly when its queue empties, and a timed-out waiter
//!   leaves the queue before it re-locks (the queue's rule, as parking_lot's). So a waiter
//!   that timed out but cannot re-lock neither blocks a wait with another mutex nor is
//!   counted by a notify; two mutexes used by waiters that wait at the same time still
//!   panic.
//!
//! Orderings: `mutex` is read and written only under the queue's own lock, so `Relaxed`.
//! Everything else is the `Lock`'s and the queue's (their files say why).

use crate::futex::Deadline;
use crate::lock::Lock;
use crate::sync::{AtomicUsize, Ordering::Relaxed, const_fn_unless_loom};
use crate::waiters::WaitQueue;
use core::fmt;

/// The raw condition variable behind [`Condvar`](crate::Condvar): the crate's FIFO waiter
/// queue. Waits never return spuriously, `notify_one` says whether it woke a thread and
/// `notify_all` how many. One mutex at a time: a wait with another mutex while threads wait
/// panics.
pub struct RawCondvar {
    /// | field | meaning |
    /// |---|---|
    /// | `queue` | the waiting threads, FIFO (`src/waiters.rs`) |
    /// | `mutex` | the address of the raw lock its current waiters wait with |
    ///
    /// Invariant: `mutex` is meaningful only while the queue is not empty: an empty queue
    /// is a forgotten mutex, and the first waiter to queue records its own.
    queue: WaitQueue,
    mutex: AtomicUsize,
}

impl RawCondvar {
    const_fn_unless_loom! {
        /// A condition variable with nobody waiting.
        pub fn new() -> RawCondvar {
            RawCondvar { queue: WaitQueue::new(), mutex: AtomicUsize::new(0) }
        }
    }

    /// The wait behind every `Condvar` wait: true if notified, false if `deadline` passed.
    /// The caller holds `mutex`.
    pub(crate) fn wait_on(&self, mutex: &Lock, deadline: Deadline) -> bool {
        let admitted = self.try_wait_on(mutex, deadline);
        admitted.expect("attempted to use a condition variable with more than one mutex")
    }

    /// [`wait_on`](Self::wait_on), or `None` (nothing done, `mutex` still held) if threads
    /// wait with another mutex.
    pub(crate) fn try_wait_on(&self, mutex: &Lock, deadline: Deadline) -> Option<bool> {
        let address = mutex as *const Lock as usize;
        self.queue.wait_admitted(
            deadline,
            |queue_was_empty| {
                // Relaxed: read and written only under the queue's own lock.
                if queue_was_empty {
                    self.mutex.store(address, Relaxed);
                    true
                } else {
                    self.mutex.load(Relaxed) == address
                }
            },
            || {
                // Ok: lock_api calls us with the mutex held. No assertion here: nothing may
                // unwind while our node is queued (src/waiters.rs).
                let _ = mutex.release();
            },
            |()| mutex.acquire_notified(),
        )
    }

    /// Wakes the `n` oldest waiters, or all of them if fewer wait; returns how many.
    pub(crate) fn notify(&self, n: usize) -> usize {
        self.queue.notify(n)
    }

    /// How many threads are queued (a snapshot).
    pub(crate) fn waiters(&self) -> usize {
        self.queue.len()
    }
}

impl Default for RawCondvar {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RawCondvar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawCondvar").field("waiters", &self.waiters()).finish()
    }
}
