//! [`ReentrantCondition<T>`]: Python's `threading.Condition()` (a condition over its own
//! `RLock`) with the data it guards inside, reached only through its guards.
//!
//! # The state
//!
//! A [`Condition<RLock>`](crate::Condition) and the `T`. Nothing of its own: locking,
//! waiting and notifying are the condition's (`src/condition.rs`).
//!
//! # The rule
//!
//! The holder may take the lock again (each guard one level), and a wait needs the only
//! level: the struct's doc says why, and every wait, each round of the `wait_for` forms
//! included, checks it before it releases anything (`assert_only_level`).

use crate::condition::{Condition, ConditionGuard};
use crate::futex::Deadline;
use crate::rlock::RLock;
use core::fmt;
use std::time::Duration;

/// Python's `threading.Condition()` with the data it guards inside: a [`Condition`] over
/// its own [`RLock`] that owns a `T`, reached only through a guard. The holder may take it
/// again (each guard one level, each giving `&T`), so methods that lock it can call each
/// other, as a Python class's methods do under `with self.cond:`. Mutate through a
/// `RefCell` or `Cell` inside, as with [`ReentrantMutex`](crate::ReentrantMutex): no
/// `unsafe` in the caller's code.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// **A wait needs the only level.** A wait releases every level of the lock, so if an
/// outer guard of the same thread still existed, a `&T` borrowed from it could be alive
/// while another thread takes the lock and changes the data. So
/// [`wait`](ReentrantConditionGuard::wait), its timed forms and every round of the
/// `wait_for` forms panic, before releasing anything, when this thread holds more than one
/// level; with one level, the wait borrows that one guard mutably, so no reference to the
/// data can outlive the release.
///
/// ```
/// use std::cell::RefCell;
/// use std::collections::VecDeque;
/// use std::thread;
/// use threading::ReentrantCondition;
///
/// /// A porter's bounded buffer on `threading.Condition()`: methods that lock re-enter.
/// struct Buffer {
///     cond: ReentrantCondition<RefCell<VecDeque<u32>>>,
///     capacity: usize,
/// }
///
/// impl Buffer {
///     fn len(&self) -> usize {
///         self.cond.lock().borrow().len() // `with self.cond: return len(self.items)`
///     }
///     fn put(&self, item: u32) {
///         let mut guard = self.cond.lock();
///         while self.len() >= self.capacity { // re-enters, then back to one level
///             guard.wait();
///         }
///         guard.borrow_mut().push_back(item);
///         guard.notify_all();
///     }
///     fn get(&self) -> u32 {
///         let mut guard = self.cond.lock();
///         guard.wait_for(|items| !items.borrow().is_empty());
///         let item = guard.borrow_mut().pop_front().unwrap();
///         guard.notify_all();
///         item
///     }
/// }
///
/// let buffer = Buffer { cond: ReentrantCondition::new(RefCell::new(VecDeque::new())), capacity: 2 };
/// thread::scope(|s| {
///     s.spawn(|| (0..10).for_each(|i| buffer.put(i)));
///     assert_eq!((0..10).map(|_| buffer.get()).sum::<u32>(), 45);
/// });
/// ```
pub struct ReentrantCondition<T> {
    condition: Condition<RLock>,
    data: T,
}

// SAFETY: the data is only reached through guards, which exist only on the thread that
// holds the RLock (they are not Send) and end before it is released: by their drop, or by a
// wait, which needs the only guard mutably (so no borrow of the data from it lives) and
// refuses while other levels (other guards) exist. So one thread at a time uses `T`, and
// the RLock's release/acquire orders one thread's use before the next's: `T: Send` is
// enough, as for `ReentrantMutex`.
unsafe impl<T: Send> Sync for ReentrantCondition<T> {}

impl<T> ReentrantCondition<T> {
    /// A condition over its own free `RLock`, guarding `data`.
    pub fn new(data: T) -> Self {
        ReentrantCondition { condition: Condition::reentrant(), data }
    }

    /// Takes the lock (or one more level of it), `with cond:`; the guard derefs to the data.
    pub fn lock(&self) -> ReentrantConditionGuard<'_, T> {
        ReentrantConditionGuard { guard: self.condition.lock(), data: &self.data }
    }

    /// [`lock`](Self::lock) if it is free or already this thread's, without waiting.
    pub fn try_lock(&self) -> Option<ReentrantConditionGuard<'_, T>> {
        let guard = self.condition.try_lock()?;
        Some(ReentrantConditionGuard { guard, data: &self.data })
    }

    /// The data, without locking: `&mut self` proves nobody else can reach it.
    pub fn get_mut(&mut self) -> &mut T {
        &mut self.data
    }

    /// The data, consuming the condition.
    pub fn into_inner(self) -> T {
        self.data
    }
}

impl<T: Default> Default for ReentrantCondition<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

/// The lock's state, not the data (which the caller may not be allowed to reach).
impl<T> fmt::Debug for ReentrantCondition<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReentrantCondition").field("condition", &self.condition).finish()
    }
}

/// One level of a [`ReentrantCondition`]'s lock: derefs to the data, waits and notifies.
/// Not `Send`: the level belongs to the thread that took it.
#[must_use = "the condition's lock is released as soon as the guard is dropped"]
pub struct ReentrantConditionGuard<'a, T> {
    guard: ConditionGuard<'a, RLock>,
    data: &'a T,
}

impl<T> ReentrantConditionGuard<'_, T> {
    /// Refuses a wait that would release levels other guards of this thread still hold.
    #[track_caller]
    fn assert_only_level(guard: &ConditionGuard<'_, RLock>) {
        let depth = guard.levels_held();
        assert!(
            depth == 1,
            "ReentrantCondition: wait with {depth} levels of the lock held by this thread; a \
             wait releases every level, so data borrowed through the outer guards could \
             change under them: wait through the only guard"
        );
    }

    /// `cond.wait()`: releases the lock, sleeps until notified, takes it back. No spurious
    /// wakeups.
    ///
    /// # Panics
    /// If this thread holds more than one level (see [`ReentrantCondition`]); nothing is
    /// released then.
    #[track_caller]
    pub fn wait(&mut self) {
        Self::assert_only_level(&self.guard);
        self.guard.wait();
    }

    /// `cond.wait(timeout=t)`: false if the timeout expired.
    ///
    /// # Panics
    /// As [`wait`](Self::wait).
    #[track_caller]
    pub fn wait_timeout(&mut self, timeout: Duration) -> bool {
        Self::assert_only_level(&self.guard);
        self.guard.wait_timeout(timeout)
    }

    /// `cond.wait_for(predicate)`: the predicate gets the data, and is checked first.
    ///
    /// # Panics
    /// As [`wait`](Self::wait), if it has to wait.
    #[track_caller]
    pub fn wait_for(&mut self, mut predicate: impl FnMut(&T) -> bool) {
        let data = self.data;
        while !predicate(data) {
            self.wait();
        }
    }

    /// `cond.wait_for(predicate, timeout=t)`: the last value of the predicate.
    ///
    /// # Panics
    /// As [`wait`](Self::wait), before any wait it has to make: the predicate may take
    /// another level between two waits, and the next wait then refuses.
    #[track_caller]
    pub fn wait_for_timeout(
        &mut self,
        mut predicate: impl FnMut(&T) -> bool,
        timeout: Duration,
    ) -> bool {
        let data = self.data;
        self.guard.wait_for_until(
            || predicate(data),
            Deadline::after(timeout),
            |guard| Self::assert_only_level(guard),
        )
    }

    /// `cond.notify(n)`: wakes the `n` oldest waiters; returns how many.
    pub fn notify(&self, n: usize) -> usize {
        self.guard.notify(n)
    }

    /// `cond.notify_all()`: wakes every waiter; returns how many.
    pub fn notify_all(&self) -> usize {
        self.guard.notify_all()
    }
}

impl<T> core::ops::Deref for ReentrantConditionGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.data
    }
}

impl<T> fmt::Debug for ReentrantConditionGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.guard.fmt(f)
    }
}
