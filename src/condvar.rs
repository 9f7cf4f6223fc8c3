//! [`Condvar`], the condition variable of parking_lot 0.13 built by lock_api 0.5, and
//! [`RawCondvar`], the raw condition variable under it: the crate's FIFO waiter queue
//! (`src/waiters.rs`, the same core as [`Condition`](crate::Condition)) as
//! `lock_api::RawCondvar` + `RawCondvarTimed`, over [`Lock`] as the raw mutex
//! (`src/mutex.rs`).
//!
//! Python's twin: `Condvar` is a `Condition` over a [`Mutex`](crate::Mutex)'s lock.
//!
//! # The state
//!
//! The FIFO `queue` of waiting threads and `mutex`, the address of the raw lock they wait
//! with (the table and the invariant are on `RawCondvar`'s fields).
//!
//! # The protocol
//!
//! * **wait**: the queue's wait (`src/waiters.rs`), with the mutex's unlock and lock. No
//!   spurious wakeups: a wait that returns "not timed out" was notified.
//! * **notify_one / notify_all**: pop one or all nodes; the return value is exact (lock_api
//!   lets an implementation without spurious wakeups say so). A notify does not need the
//!   mutex: the queue has its own small lock.
//! * **one mutex at a time**: a wait records its mutex while queuing; while others wait,
//!   a wait with a different mutex panics before it changes anything, with parking_lot's
//!   message ("attempted to use a condition variable with more than one mutex"). The
//!   condvar forgets the mutex exactly when its queue empties, and a timed-out waiter
//!   leaves the queue before it re-locks (the queue's rule, as parking_lot's). So a waiter
//!   that timed out but cannot re-lock neither blocks a wait with another mutex nor is
//!   counted by a notify, as in parking_lot; two mutexes used by waiters that wait at the
//!   same time still panic.
//!
//! Orderings: `mutex` is read and written only under the queue's own lock, so `Relaxed`.
//! Everything else is the `Lock`'s and the queue's (their files say why).
//!
//! # What the tests prove
//!
//! `tests/lock_api.rs`: `Condvar::wait`, `wait_while`, `wait_for` with timeouts,
//! `notify_one`/`notify_all` return values, the two-mutex panic, a panicking `wait_while`
//! condition, and parking_lot's outcome (run on both crates) for a waiter that timed out
//! but cannot re-lock: another mutex's wait is admitted. `tests/loom/condvar.rs`: a
//! `Condvar` wait over a `Lock` publishes the data written before the notify and never
//! misses it; a timed-out waiter leaves the queue before it re-locks, so a wait with
//! another mutex is admitted while the first mutex is held; the mutex is kept while any
//! waiter remains (a wait with another mutex is refused and changes nothing); a notify
//! racing a timeout is consumed or passed on, never lost (on the raw condvar the face
//! calls; the face under loom: `src/faces_model.rs`).

use crate::futex::Deadline;
use crate::lock::Lock;
#[cfg(not(loom))]
use crate::mutex::GuardMarker;
use crate::sync::{AtomicUsize, Ordering::Relaxed, const_fn_unless_loom};
use crate::waiters::WaitQueue;
use core::fmt;
use std::time::Duration;
#[cfg(not(loom))]
use std::time::Instant;

/// A condition variable for [`Mutex`](crate::Mutex): `lock_api::Condvar` over the crate's FIFO waiter
/// queue, as `parking_lot::Condvar`. No spurious wakeups; `notify_one` returns whether it
/// woke a thread, `notify_all` how many.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// A bounded buffer with task tracking in this style (one mutex, three condition variables;
/// [`Queue`](crate::Queue) is the complete `queue.Queue`, blocking `get` and `shutdown`
/// included):
///
/// ```
/// use std::collections::VecDeque;
/// use std::time::Duration;
/// use threading::{Condvar, Mutex};
///
/// struct Queue<T> {
///     state: Mutex<(VecDeque<T>, usize)>, // items, unfinished tasks
///     maxsize: usize,
///     not_empty: Condvar,
///     not_full: Condvar,
///     all_tasks_done: Condvar,
/// }
///
/// impl<T> Queue<T> {
///     fn put(&self, item: T) {
///         let mut state = self.state.lock();
///         self.not_full.wait_while(&mut state, |(items, _)| items.len() >= self.maxsize);
///         state.0.push_back(item);
///         state.1 += 1;
///         self.not_empty.notify_one();
///     }
///     fn get_timeout(&self, timeout: Duration) -> Option<T> {
///         let mut state = self.state.lock();
///         let waited = self.not_empty.wait_while_for(&mut state, |(items, _)| items.is_empty(), timeout);
///         if waited.timed_out() {
///             return None; // Python's queue.Empty
///         }
///         let item = state.0.pop_front();
///         self.not_full.notify_one();
///         item
///     }
///     fn task_done(&self) -> Result<(), &'static str> {
///         let mut state = self.state.lock();
///         state.1 = state.1.checked_sub(1).ok_or("task_done() called too many times")?;
///         if state.1 == 0 {
///             self.all_tasks_done.notify_all();
///         }
///         Ok(())
///     }
///     fn join(&self) {
///         let mut state = self.state.lock();
///         self.all_tasks_done.wait_while(&mut state, |(_, unfinished)| *unfinished > 0);
///     }
/// }
///
/// let queue = Queue {
///     state: Mutex::new((VecDeque::new(), 0)),
///     maxsize: 2,
///     not_empty: Condvar::new(),
///     not_full: Condvar::new(),
///     all_tasks_done: Condvar::new(),
/// };
/// std::thread::scope(|s| {
///     s.spawn(|| {
///         for i in 0..10 {
///             queue.put(i);
///         }
///     });
///     s.spawn(|| {
///         let mut sum = 0;
///         while let Some(i) = queue.get_timeout(Duration::from_secs(10)) {
///             sum += i;
///             queue.task_done().unwrap();
///             if sum == 45 {
///                 break;
///             }
///         }
///     });
///     queue.join(); // returns once every item was taken and marked done
/// });
/// assert!(queue.task_done().is_err()); // Python's ValueError
/// ```
#[cfg(not(loom))]
pub type Condvar = ::lock_api::Condvar<RawCondvar>;

/// Whether a timed [`Condvar`](crate::Condvar) wait timed out (lock_api's, as parking_lot's).
#[doc(no_inline)]
pub use ::lock_api::WaitTimeoutResult;

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
    fn wait_on(&self, mutex: &Lock, deadline: Deadline) -> bool {
        let admitted = self.try_wait_on(mutex, deadline);
        admitted.expect("attempted to use a condition variable with more than one mutex")
    }

    /// [`wait_on`](Self::wait_on), or `None` (nothing done, `mutex` still held) if threads
    /// wait with another mutex.
    fn try_wait_on(&self, mutex: &Lock, deadline: Deadline) -> Option<bool> {
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

    /// `Condvar::wait` under loom (the faces' `ModelCondvar` calls it, src/faces_model.rs):
    /// the caller holds `mutex`.
    #[cfg(loom)]
    #[doc(hidden)]
    pub fn wait(&self, mutex: &Lock) {
        let notified = self.wait_on(mutex, Deadline::NEVER);
        debug_assert!(notified);
    }

    /// `Condvar::wait_for` under loom: true if the wait timed out.
    #[cfg(loom)]
    #[doc(hidden)]
    pub fn wait_for(&self, mutex: &Lock, timeout: Duration) -> bool {
        !self.wait_on(mutex, Deadline::after(timeout))
    }

    /// `Condvar::notify_one` under loom.
    #[cfg(loom)]
    #[doc(hidden)]
    pub fn notify_one(&self) -> bool {
        self.queue.notify(1) == 1
    }

    /// `Condvar::notify_all` under loom.
    #[cfg(loom)]
    #[doc(hidden)]
    pub fn notify_all(&self) -> usize {
        self.queue.notify(usize::MAX)
    }

    /// `Condvar::wait_for` under loom, without the panic: `None` if threads wait with
    /// another mutex (the wait is refused, nothing changed), else whether it timed out.
    #[cfg(loom)]
    #[doc(hidden)]
    pub fn try_wait_for(&self, mutex: &Lock, timeout: Duration) -> Option<bool> {
        self.try_wait_on(mutex, Deadline::after(timeout)).map(|notified| !notified)
    }

    /// How many threads are queued (a snapshot): lets a loom model see a timed-out waiter
    /// leave the queue while it cannot re-lock its mutex.
    #[cfg(loom)]
    #[doc(hidden)]
    pub fn waiters(&self) -> usize {
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
        f.debug_struct("RawCondvar").field("waiters", &self.queue.len()).finish()
    }
}

#[cfg(not(loom))]
// SAFETY: the wait queues its node while the mutex is held and only then unlocks it, so a
// notify after the unlock finds it; it always locks the mutex again before returning and
// cannot unwind between unlocking and re-locking (the queue's closures are lock
// operations). The guard is stateless (`GuardMarker`) and stays valid. A second mutex is
// refused by a panic before anything is unlocked. Waits return only when notified (or, for
// the timed ones, timed out), so the counts returned by the notifies are exact.
unsafe impl ::lock_api::RawCondvar for RawCondvar {
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: RawCondvar = RawCondvar::new();

    type RawMutex = Lock;

    unsafe fn wait(&self, mutex: &Lock, _guard: &mut GuardMarker) {
        let notified = self.wait_on(mutex, Deadline::NEVER);
        debug_assert!(notified);
    }

    fn notify_one(&self) -> bool {
        self.queue.notify(1) == 1
    }

    fn notify_all(&self) -> usize {
        self.queue.notify(usize::MAX)
    }
}

#[cfg(not(loom))]
// SAFETY: as for `RawCondvar`; a timed wait returns true only when its deadline passed and
// no notify chose it.
unsafe impl ::lock_api::RawCondvarTimed for RawCondvar {
    fn checked_duration_to_instant(timeout: &Duration) -> Option<Instant> {
        Instant::now().checked_add(*timeout)
    }

    unsafe fn wait_until(
        &self,
        mutex: &Lock,
        _guard: &mut GuardMarker,
        deadline: &Instant,
    ) -> bool {
        // The duration is measured after `deadline` was set, so the wait ends no earlier.
        let timeout = deadline.saturating_duration_since(Instant::now());
        !self.wait_on(mutex, Deadline::after(timeout))
    }

    unsafe fn wait_for(&self, mutex: &Lock, _guard: &mut GuardMarker, timeout: &Duration) -> bool {
        // Deadline::after turns a timeout too large for the clock into "never".
        !self.wait_on(mutex, Deadline::after(*timeout))
    }
}
