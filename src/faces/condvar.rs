//! [`Condvar`]: parking_lot 0.13's condition variable, built by lock_api 0.5 over
//! [`RawCondvar`] (`src/raw_condvar.rs`: the crate's FIFO waiter queue and the one-mutex
//! rule), with [`RawMutex`] (the crate's `Lock`) as its mutex. No spurious wakeups;
//! `notify_one` says whether it woke a thread, `notify_all` how many.

use super::raw::{GuardMarker, Primitive, RawCondvar, RawMutex};
use crate::futex::Deadline;
use std::time::{Duration, Instant};

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
pub type Condvar = ::lock_api::Condvar<RawCondvar>;

/// Whether a timed [`Condvar`](crate::Condvar) wait timed out (lock_api's, as parking_lot's).
#[doc(no_inline)]
pub use ::lock_api::WaitTimeoutResult;

// SAFETY: the wait queues its node while the mutex is held and only then unlocks it, so a
// notify after the unlock finds it; it always locks the mutex again before returning and
// cannot unwind between unlocking and re-locking (the queue's closures are lock
// operations). The guard is stateless (`GuardMarker`) and stays valid. A second mutex is
// refused by a panic before anything is unlocked. Waits return only when notified (or, for
// the timed ones, timed out), so the counts returned by the notifies are exact.
unsafe impl ::lock_api::RawCondvar for RawCondvar {
    #[allow(clippy::declare_interior_mutable_const)] // lock_api's way to build statics.
    const INIT: RawCondvar = <RawCondvar as Primitive>::INIT;

    type RawMutex = RawMutex;

    unsafe fn wait(&self, mutex: &RawMutex, _guard: &mut GuardMarker) {
        let notified = self.primitive().wait_on(mutex.primitive(), Deadline::NEVER);
        debug_assert!(notified);
    }

    fn notify_one(&self) -> bool {
        self.primitive().notify(1) == 1
    }

    fn notify_all(&self) -> usize {
        self.primitive().notify(usize::MAX)
    }
}

// SAFETY: as for `RawCondvar`; a timed wait returns true only when its deadline passed and
// no notify chose it.
unsafe impl ::lock_api::RawCondvarTimed for RawCondvar {
    fn checked_duration_to_instant(timeout: &Duration) -> Option<Instant> {
        Instant::now().checked_add(*timeout)
    }

    unsafe fn wait_until(
        &self,
        mutex: &RawMutex,
        _guard: &mut GuardMarker,
        deadline: &Instant,
    ) -> bool {
        !self.primitive().wait_on(mutex.primitive(), Deadline::at(*deadline))
    }

    unsafe fn wait_for(
        &self,
        mutex: &RawMutex,
        _guard: &mut GuardMarker,
        timeout: &Duration,
    ) -> bool {
        // Deadline::after turns a timeout too large for the clock into "never".
        !self.primitive().wait_on(mutex.primitive(), Deadline::after(*timeout))
    }
}
