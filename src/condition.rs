//! `Condition`: a condition variable over a lock, Python's `threading.Condition`.
//!
//! # What it is
//!
//! [`Condition::lock`] takes the condition's lock and returns a [`ConditionGuard`]; while
//! holding it a thread may [`wait`](ConditionGuard::wait) (release the lock, sleep until
//! notified, take the lock back) or [`notify`](ConditionGuard::notify) waiters. As in
//! Python, and unlike `std::sync::Condvar`, there are **no spurious wakeups**: `wait`
//! returns only when this waiter was notified (or, for the timed forms, when its timeout
//! expired), and `notify(n)` wakes exactly `min(n, waiting)` waiters, oldest first, and
//! says how many.
//!
//! The lock is a type parameter, as Python's `Condition(lock)` takes one:
//!
//! * [`Condition::new()`] (`Condition<Lock>`) has its own plain [`Lock`]: `const`, 24 bytes;
//!   taking it twice on one thread deadlocks.
//! * [`Condition::reentrant()`] (`Condition<RLock>`) is Python's default
//!   `threading.Condition()`: over its own `RLock`, so its holder may take it again.
//! * [`Condition::with_lock(lock)`](Condition::with_lock) takes a [`Lock`] or an [`RLock`],
//!   owned, borrowed or in an `Arc`, so several conditions can share one lock (queue.Queue's
//!   `not_empty`, `not_full` and `all_tasks_done`); a guard taken through one of them is
//!   accepted by the others ([`notify_with`](Condition::notify_with),
//!   [`wait_with`](Condition::wait_with)), a guard of another lock is refused.
//! * Over an `RLock`, a wait releases every level of the holder's recursion and restores
//!   it afterwards (Python's `_release_save`/`_acquire_restore`).
//! * [`ReentrantCondition<T>`](crate::ReentrantCondition) is `Condition::reentrant()`
//!   owning the data it guards (`src/reentrant_condition.rs`).
//! * Python's `cond.acquire()` / `cond.release()` without `with`, and the guard-less
//!   [`wait`](Condition::wait) and [`notify`](Condition::notify) that go with them.
//!
//! # The state
//!
//! The condition's lock `L` (maybe shared) and the FIFO `queue` of waiting threads (the
//! table is on `Condition`'s fields).
//!
//! # The protocol
//!
//! A wait and a notify are the queue's (`src/waiters.rs`, which explains the queue, its
//! own small lock, why a waiter that timed out leaves before it re-takes the lock, and why
//! a notify racing a timeout is never lost). This file only adds the lock: which one,
//! whether the caller holds it, that a guard belongs to it (its address), and, for an
//! RLock, releasing every level and restoring them after the wait (the lock's part is
//! `src/condition_lock.rs`).
//!
//! Orderings: none here; the locks' and the queue's are documented in `src/lock.rs`,
//! `src/rlock.rs` and `src/waiters.rs`.

use crate::condition_lock::ConditionLock;
use crate::error::ReleaseError;
use crate::futex::Deadline;
use crate::lock::Lock;
use crate::rlock::RLock;
use crate::sync::const_fn_unless_loom;
use crate::waiters::WaitQueue;
use core::fmt;
use core::marker::PhantomData;
use core::mem::ManuallyDrop;
use std::time::Duration;

/// A condition variable over a lock: Python's `threading.Condition`.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// `Condition` alone (`Condition<Lock>`) has its own plain lock; see
/// [`with_lock`](Condition::with_lock) for a shared lock or an `RLock`.
///
/// ```
/// use threading::Condition;
/// use std::{sync::Arc, thread};
///
/// let cond = Arc::new(Condition::new());
/// let ready = Arc::new(std::sync::atomic::AtomicBool::new(false));
/// let waiter = thread::spawn({
///     let (cond, ready) = (Arc::clone(&cond), Arc::clone(&ready));
///     move || {
///         let mut guard = cond.lock(); // `with cond:`
///         guard.wait_for(|| ready.load(std::sync::atomic::Ordering::Relaxed));
///     }
/// });
/// {
///     let guard = cond.lock();
///     ready.store(true, std::sync::atomic::Ordering::Relaxed);
///     guard.notify_all();
/// }
/// waiter.join().unwrap();
/// ```
pub struct Condition<L: ConditionLock = Lock> {
    /// | field | meaning |
    /// |---|---|
    /// | `lock` | the condition's lock, maybe shared: held by whoever holds a [`ConditionGuard`] of any of its conditions (or acquired it by hand) |
    /// | `queue` | the FIFO of waiting threads (`src/waiters.rs`, one core with `Condvar`) |
    ///
    /// Invariant: a thread is queued only while it waits, and it waits only after the
    /// caller held `lock` (checked by `held` or by the guard's address) and before it
    /// holds it again.
    lock: L,
    queue: WaitQueue,
}

impl Condition {
    const_fn_unless_loom! {
        /// A new condition over its own plain, non-re-entrant [`Lock`] (24 bytes, `const`):
        /// a thread that takes it twice deadlocks. Python's `threading.Condition()` is over
        /// an `RLock`: that is [`Condition::reentrant`].
        ///
        /// ```
        /// static COND: threading::Condition = threading::Condition::new();
        /// assert_eq!(COND.lock().notify_all(), 0);
        /// ```
        pub fn new() -> Condition {
            Condition { lock: Lock::new(), queue: WaitQueue::new() }
        }
    }
}

impl Condition<RLock> {
    const_fn_unless_loom! {
        /// Python's `threading.Condition()`: a new condition over its own [`RLock`], so the
        /// thread holding it may take it again (each guard one level), and a wait releases
        /// every level and restores them. [`Condition::new`] is the smaller one over a
        /// plain `Lock`, which deadlocks on re-entry.
        ///
        /// ```
        /// use threading::{Condition, RLock};
        ///
        /// static COND: Condition<RLock> = Condition::reentrant();
        /// let outer = COND.lock();
        /// let inner = COND.lock(); // re-entry: Python's `with cond: with cond:`
        /// assert_eq!(inner.notify_all(), 0);
        /// drop(inner);
        /// drop(outer);
        /// ```
        pub fn reentrant() -> Condition<RLock> {
            Condition { lock: RLock::new(), queue: WaitQueue::new() }
        }
    }
}

impl<L: ConditionLock> Condition<L> {
    const_fn_unless_loom! {
        /// A condition over `lock` (Python's `Condition(lock)`): a [`Lock`] or an
        /// [`RLock`], owned, borrowed or in an `Arc`. Conditions made over the same lock
        /// share it: holding it through one, a thread may notify or wait on another.
        ///
        /// ```
        /// use threading::{Condition, Lock};
        ///
        /// static MUTEX: Lock = Lock::new();
        /// static NOT_EMPTY: Condition<&Lock> = Condition::with_lock(&MUTEX);
        /// static NOT_FULL: Condition<&Lock> = Condition::with_lock(&MUTEX);
        ///
        /// let guard = NOT_FULL.lock(); // `with not_full:`
        /// assert!(MUTEX.locked());
        /// assert_eq!(NOT_EMPTY.notify_with(&guard, 1), 0); // `not_empty.notify()`
        /// ```
        pub fn with_lock(lock: L) -> Condition<L> {
            Condition { lock, queue: WaitQueue::new() }
        }
    }

    fn guard(&self) -> ConditionGuard<'_, L> {
        ConditionGuard { condition: self, marker: PhantomData }
    }

    /// Takes the condition's lock (`with cond:`); the guard releases it on drop. Over an
    /// `RLock`, the holder may take it again (one more level, released by that guard).
    ///
    /// ```
    /// let cond = threading::Condition::new();
    /// let guard = cond.lock();
    /// assert!(cond.try_lock().is_none()); // held until `guard` is dropped
    /// drop(guard);
    /// assert!(cond.try_lock().is_some());
    /// ```
    #[inline]
    pub fn lock(&self) -> ConditionGuard<'_, L> {
        self.lock.acquire();
        self.guard()
    }

    /// Takes the lock if it is free, without waiting (`cond.acquire(blocking=False)`).
    ///
    /// ```
    /// let cond = threading::Condition::new();
    /// let _guard = cond.try_lock().expect("free");
    /// assert!(cond.try_lock().is_none());
    /// ```
    #[inline]
    pub fn try_lock(&self) -> Option<ConditionGuard<'_, L>> {
        self.lock.try_acquire().then(|| self.guard())
    }

    /// Waits at most `timeout` for the lock (`cond.acquire(timeout=t)`).
    /// `Duration::ZERO` tries once; a timeout too large for the clock waits forever.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let cond = threading::Condition::new();
    /// let _guard = cond.lock();
    /// assert!(cond.lock_timeout(Duration::from_millis(1)).is_none());
    /// ```
    pub fn lock_timeout(&self, timeout: Duration) -> Option<ConditionGuard<'_, L>> {
        self.lock.acquire_timeout(timeout).then(|| self.guard())
    }

    /// Takes the lock without a guard (`cond.acquire()`); release it with
    /// [`release`](Self::release). Meanwhile [`wait`](Self::wait) and
    /// [`notify`](Self::notify) on the condition itself work.
    ///
    /// ```
    /// let cond = threading::Condition::new();
    /// cond.acquire();
    /// assert_eq!(cond.notify(1), Ok(0));
    /// cond.release().unwrap();
    /// assert!(cond.release().is_err()); // Python's RuntimeError
    /// ```
    #[inline]
    pub fn acquire(&self) {
        self.lock.acquire();
    }

    /// [`acquire`](Self::acquire) if the lock is free, without waiting
    /// (`cond.acquire(blocking=False)`); true if it is now held.
    #[must_use = "the lock is only held if this returned true"]
    pub fn try_acquire(&self) -> bool {
        self.lock.try_acquire()
    }

    /// [`acquire`](Self::acquire), waiting at most `timeout` (`cond.acquire(timeout=t)`);
    /// true if it is now held.
    #[must_use = "the lock is only held if this returned true"]
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.lock.acquire_timeout(timeout)
    }

    /// Releases the lock (`cond.release()`): one level of an `RLock`. `Err` as the lock's
    /// own release: [`ReleaseError::Unlocked`] for a free `Lock`,
    /// [`ReleaseError::NotOwner`] for an `RLock` this thread does not hold; nothing changes.
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.lock.release()
    }

    /// The lock held by hand, as a guard that must not release it: the guard-less forms
    /// below borrow every behaviour of the guard's, and leave the lock held.
    fn held(&self) -> Result<ManuallyDrop<ConditionGuard<'_, L>>, ReleaseError> {
        self.lock.held()?;
        Ok(ManuallyDrop::new(self.guard()))
    }

    /// `cond.wait()` for a thread that took the lock with [`acquire`](Self::acquire) (or
    /// holds it through any guard): as [`ConditionGuard::wait`]. `Err` (Python's
    /// `RuntimeError: cannot wait on un-acquired lock`), without waiting, if the lock is
    /// not held: [`ReleaseError::Unlocked`] for a `Lock` nobody holds,
    /// [`ReleaseError::NotOwner`] for an `RLock` this thread does not hold.
    ///
    /// ```
    /// use threading::{Condition, ReleaseError};
    ///
    /// let cond = Condition::new();
    /// assert_eq!(cond.wait(), Err(ReleaseError::Unlocked));
    /// ```
    pub fn wait(&self) -> Result<(), ReleaseError> {
        self.held()?.wait();
        Ok(())
    }

    /// [`wait`](Self::wait) for at most `timeout`: `Ok(false)` if it expired.
    pub fn wait_timeout(&self, timeout: Duration) -> Result<bool, ReleaseError> {
        Ok(self.held()?.wait_timeout(timeout))
    }

    /// `cond.wait_for(predicate)` without a guard: as [`ConditionGuard::wait_for`]. A
    /// predicate that panics leaves the lock held, as it was taken by hand.
    pub fn wait_for(&self, predicate: impl FnMut() -> bool) -> Result<(), ReleaseError> {
        self.held()?.wait_for(predicate);
        Ok(())
    }

    /// `cond.wait_for(predicate, timeout)` without a guard: as
    /// [`ConditionGuard::wait_for_timeout`].
    pub fn wait_for_timeout(
        &self,
        predicate: impl FnMut() -> bool,
        timeout: Duration,
    ) -> Result<bool, ReleaseError> {
        Ok(self.held()?.wait_for_timeout(predicate, timeout))
    }

    /// `cond.notify(n)` without a guard: wakes the `n` oldest waiters and says how many.
    /// `Err` if the lock is not held, as for [`wait`](Self::wait).
    pub fn notify(&self, n: usize) -> Result<usize, ReleaseError> {
        Ok(self.held()?.notify(n))
    }

    /// `cond.notify_all()` without a guard.
    pub fn notify_all(&self) -> Result<usize, ReleaseError> {
        Ok(self.held()?.notify_all())
    }

    /// How many threads wait on this condition now (a snapshot, for Debug).
    pub(crate) fn waiting(&self) -> usize {
        self.queue.len()
    }

    /// Checks that `guard` holds this condition's lock.
    #[track_caller]
    fn assert_same_lock(&self, guard: &ConditionGuard<'_, L>) {
        assert!(
            core::ptr::eq(guard.condition.lock.address(), self.lock.address()),
            "a guard of a different lock was used with this Condition: a condition only \
             accepts guards of the lock it was made with (Condition::with_lock)"
        );
    }

    /// Notifies this condition through a guard of another condition over the same lock
    /// (queue.Queue's `self.not_empty.notify()` inside `with self.not_full:`): as
    /// [`ConditionGuard::notify`] on a guard of this condition.
    ///
    /// # Panics
    /// If `guard` holds a different lock than this condition's (nothing is notified).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use threading::{Condition, Lock};
    ///
    /// let mutex = Arc::new(Lock::new());
    /// let not_empty = Condition::with_lock(Arc::clone(&mutex));
    /// let not_full = Condition::with_lock(mutex);
    /// let guard = not_full.lock();
    /// assert_eq!(not_empty.notify_with(&guard, 1), 0); // nobody waits on not_empty
    /// ```
    #[track_caller]
    pub fn notify_with(&self, guard: &ConditionGuard<'_, L>, n: usize) -> usize {
        self.assert_same_lock(guard);
        self.queue.notify(n)
    }

    /// [`notify_with`](Self::notify_with) for every waiter.
    ///
    /// # Panics
    /// If `guard` holds a different lock than this condition's.
    #[track_caller]
    pub fn notify_all_with(&self, guard: &ConditionGuard<'_, L>) -> usize {
        self.notify_with(guard, usize::MAX)
    }

    /// Waits on this condition through a guard of another condition over the same lock:
    /// as [`ConditionGuard::wait`], woken by this condition's notifies only.
    ///
    /// # Panics
    /// If `guard` holds a different lock than this condition's (without waiting).
    #[track_caller]
    pub fn wait_with(&self, guard: &mut ConditionGuard<'_, L>) {
        self.assert_same_lock(guard);
        let notified = self.wait_until(Deadline::NEVER);
        debug_assert!(notified);
    }

    /// [`wait_with`](Self::wait_with) for at most `timeout`: false if it expired.
    ///
    /// # Panics
    /// If `guard` holds a different lock than this condition's (without waiting).
    #[track_caller]
    pub fn wait_timeout_with(&self, guard: &mut ConditionGuard<'_, L>, timeout: Duration) -> bool {
        self.assert_same_lock(guard);
        self.wait_until(Deadline::after(timeout))
    }

    /// One wait on the queue; the caller holds the lock. True if notified.
    ///
    /// # Panics
    /// If the lock is not held after all: a guard proves it was taken, not that it still
    /// is (an `RLock` level released by hand with [`release`](Self::release), a `Lock`
    /// released by another thread). Checked before anything is queued or released.
    #[track_caller]
    fn wait_until(&self, deadline: Deadline) -> bool {
        if let Err(error) = self.lock.held() {
            panic!("Condition: cannot wait on un-acquired lock ({error})");
        }
        let lock = &self.lock;
        self.queue.wait(deadline, || lock.release_save(), |saved| lock.acquire_restore(saved))
    }
}

/// Only for the condition with its own lock, so that `Condition::default()` needs no type
/// annotation; other locks: `Condition::with_lock(lock)`.
impl Default for Condition {
    fn default() -> Self {
        Self::new()
    }
}

impl<L: ConditionLock> fmt::Debug for Condition<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("locked", &self.lock.locked())
            .field("waiters", &self.queue.len())
            .finish()
    }
}

/// Holds a [`Condition`]'s lock until dropped (also by a panic's unwinding); waits and
/// notifies through it. Over an `RLock` it is one level of the recursion, and not `Send`.
#[must_use = "the condition's lock is released as soon as the guard is dropped"]
pub struct ConditionGuard<'a, L: ConditionLock = Lock> {
    condition: &'a Condition<L>,
    marker: PhantomData<<L as ConditionLock>::GuardMarker>,
}

impl<L: ConditionLock> ConditionGuard<'_, L> {
    /// Releases the lock, sleeps until notified, and takes the lock back (`cond.wait()`).
    /// Returns only after a [`notify`](Self::notify) chose this waiter: never spuriously.
    /// Over an `RLock`, every level this thread holds is released and then restored.
    ///
    /// ```
    /// use threading::Condition;
    /// use std::sync::{Arc, atomic::{AtomicBool, Ordering::Relaxed}};
    ///
    /// let pair = Arc::new((Condition::new(), AtomicBool::new(false)));
    /// let other = Arc::clone(&pair);
    /// let mut guard = pair.0.lock();
    /// std::thread::spawn(move || {
    ///     let guard = other.0.lock(); // gets the lock once `wait` released it
    ///     other.1.store(true, Relaxed);
    ///     assert_eq!(guard.notify(1), 1);
    /// });
    /// guard.wait();
    /// assert!(pair.1.load(Relaxed)); // no spurious wakeups: only the notify ends `wait`
    /// ```
    pub fn wait(&mut self) {
        let notified = self.condition.wait_until(Deadline::NEVER);
        debug_assert!(notified);
    }

    /// [`wait`](Self::wait) for at most `timeout` (`cond.wait(timeout=t)`): true if
    /// notified, false if the timeout expired. A waiter notified just as its timeout
    /// expires returns true (the notification counted by `notify` is never lost).
    /// `Duration::ZERO` still releases and re-takes the lock, but does not sleep; a
    /// timeout too large for the clock waits forever.
    ///
    /// ```
    /// use threading::Condition;
    /// use std::time::Duration;
    ///
    /// let cond = Condition::new();
    /// let mut guard = cond.lock();
    /// assert!(!guard.wait_timeout(Duration::from_millis(10))); // nobody notified
    /// ```
    pub fn wait_timeout(&mut self, timeout: Duration) -> bool {
        self.condition.wait_until(Deadline::after(timeout))
    }

    /// One wait that gives up at `deadline`: true if notified. For loops inside the crate
    /// that keep one deadline over several waits (`src/queue.rs`).
    pub(crate) fn wait_until(&mut self, deadline: Deadline) -> bool {
        self.condition.wait_until(deadline)
    }

    /// Waits until `predicate` returns true, checking it first (`cond.wait_for(pred)`).
    /// The predicate runs with the lock held. If it panics, the guard (and so the lock)
    /// is released by the unwinding as usual.
    ///
    /// ```
    /// use threading::Condition;
    ///
    /// let cond = Condition::new();
    /// let mut guard = cond.lock();
    /// guard.wait_for(|| true); // true at once: no wait
    /// ```
    pub fn wait_for(&mut self, mut predicate: impl FnMut() -> bool) {
        while !predicate() {
            self.wait();
        }
    }

    /// Waits until `predicate` returns true or `timeout` passes, and returns the last
    /// value of the predicate (`cond.wait_for(pred, timeout=t)`). `timeout` is the total
    /// time allowed, however many waits that takes; the predicate is checked first and once
    /// more after the time is up.
    ///
    /// ```
    /// use threading::Condition;
    /// use std::time::Duration;
    ///
    /// let cond = Condition::new();
    /// let mut guard = cond.lock();
    /// assert!(!guard.wait_for_timeout(|| false, Duration::from_millis(10)));
    /// ```
    pub fn wait_for_timeout(&mut self, predicate: impl FnMut() -> bool, timeout: Duration) -> bool {
        self.wait_for_until(predicate, Deadline::after(timeout), |_| {})
    }

    /// The loop of [`wait_for_timeout`](Self::wait_for_timeout), one deadline for every
    /// wait, with `before_each_wait` called just before each wait
    /// ([`ReentrantCondition`](crate::ReentrantCondition) checks its rule there).
    pub(crate) fn wait_for_until(
        &mut self,
        mut predicate: impl FnMut() -> bool,
        deadline: Deadline,
        mut before_each_wait: impl FnMut(&Self),
    ) -> bool {
        loop {
            if predicate() {
                return true;
            }
            // Each wait may end in a notify before it ever sleeps (a busy notifier, a waiter
            // that shares its CPU), so the clock is read here as well as by the waits, as
            // Python's wait_for does: otherwise such a loop would never time out.
            if deadline.has_passed() {
                return false;
            }
            before_each_wait(self);
            if !self.condition.wait_until(deadline) {
                return predicate();
            }
        }
    }

    /// Wakes the `n` oldest waiters, or all of them if fewer wait, and returns how many
    /// were woken (`cond.notify(n)`). Each woken waiter returns from its wait once it gets
    /// the lock back, after this guard is dropped or waits.
    ///
    /// ```
    /// use threading::Condition;
    ///
    /// let cond = Condition::new();
    /// assert_eq!(cond.lock().notify(3), 0); // nobody waits
    /// ```
    pub fn notify(&self, n: usize) -> usize {
        self.condition.queue.notify(n)
    }

    /// Wakes every waiter and returns how many there were (`cond.notify_all()`).
    ///
    /// ```
    /// use threading::Condition;
    ///
    /// let cond = Condition::new();
    /// assert_eq!(cond.lock().notify_all(), 0);
    /// ```
    pub fn notify_all(&self) -> usize {
        self.notify(usize::MAX)
    }
}

impl ConditionGuard<'_, RLock> {
    /// How many levels of the `RLock` the calling thread holds (this guard's among them).
    pub(crate) fn levels_held(&self) -> u32 {
        self.condition.lock.depth()
    }
}

impl<L: ConditionLock> Drop for ConditionGuard<'_, L> {
    #[inline]
    fn drop(&mut self) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        // Err only for a Lock that another thread released meanwhile (it is not owned):
        // nothing left to release, as for LockGuard.
        let _ = self.condition.lock.release();
    }
}

impl<L: ConditionLock> fmt::Debug for ConditionGuard<'_, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionGuard").field("waiters", &self.condition.queue.len()).finish()
    }
}
