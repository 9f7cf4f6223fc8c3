//! `RLock`: a re-entrant lock owned by the thread that holds it, Python's `threading.RLock`.
//!
//! # What it is
//!
//! The holder may acquire it again without deadlocking itself; it is free once it has been
//! released as many times as it was acquired. Only the holder may release it: any other
//! thread gets `Err(ReleaseError::NotOwner)` (Python's `RuntimeError`).
//!
//! # The state
//!
//! Three fields (the table and the invariant are on the struct's fields): an inner
//! [`Lock`], the owner's thread id and the re-entry depth.
//!
//! The owner is a thread id of the crate's own (`src/thread_id.rs`), never reused.
//!
//! # The protocol
//!
//! * **acquire**: if `owner` is this thread's id, increment `depth`; otherwise acquire
//!   `lock`, then set `owner` and `depth = 1`.
//! * **release**: if `owner` is not this thread, `Err(NotOwner)`; otherwise decrement
//!   `depth`, and at zero clear `owner` and release `lock`.
//!
//! Orderings: `owner` and `depth` are `Relaxed`. `depth` is only touched by the holder,
//! and the inner lock's Acquire/Release passes it from holder to holder. `owner` equals
//! this thread's id only if this thread stored it (nobody else stores our id) and has not
//! cleared it since (our own later store is always visible to us), so a relaxed read
//! answers "do I hold it?" exactly; any other value, stale or not, means "no".

use crate::error::ReleaseError;
use crate::lock::Lock;
use crate::sync::{AtomicU32, AtomicUsize, Ordering::Relaxed, const_fn_unless_loom};
use crate::thread_id;
use core::fmt;
use core::marker::PhantomData;
use std::time::Duration;

/// A lock that its holder may acquire again: Python's `threading.RLock`.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// ```
/// use threading::{RLock, ReleaseError};
///
/// let rlock = RLock::new();
/// let outer = rlock.lock();
/// let inner = rlock.lock(); // re-entry does not deadlock
/// assert!(rlock.is_owned());
/// drop(inner);
/// drop(outer);
/// assert!(!rlock.is_owned());
/// assert_eq!(rlock.release(), Err(ReleaseError::NotOwner));
/// ```
///
/// # Fork
///
/// A `fork()` copies it as it was, and the forking thread keeps its thread id in the
/// child: an `RLock` it owned stays its own there (it may re-enter and release it). One
/// owned by another thread of the parent stays held in the child, where that thread does
/// not exist: [`release`](Self::release) gives `Err(NotOwner)` (threads started in the
/// child get new ids).
pub struct RLock {
    /// | field | meaning |
    /// |---|---|
    /// | `lock` | held by the owner, slept on by the other threads that want it |
    /// | `owner` | the id of the holding thread (`src/thread_id.rs`), `0` when free |
    /// | `depth` | how many times the owner has acquired it; only the owner touches it |
    ///
    /// Invariant, exact as the owner sees it (other threads may read stale values):
    /// `owner` is its id exactly while `lock` is held and `depth >= 1`
    /// ([`holder_is_consistent`](Self::holder_is_consistent)).
    lock: Lock,
    owner: AtomicUsize,
    depth: AtomicU32,
}

impl RLock {
    const_fn_unless_loom! {
        /// A new, free re-entrant lock.
        pub fn new() -> RLock {
            RLock { lock: Lock::new(), owner: AtomicUsize::new(0), depth: AtomicU32::new(0) }
        }
    }

    /// Blocks until this thread holds the lock, at once if it already does.
    pub fn acquire(&self) {
        if !self.reenter(thread_id::current()) {
            self.lock.acquire();
            self.become_owner();
        }
    }

    /// Takes the lock if it is free or already ours, without waiting.
    #[must_use = "the lock is only held if this returned true"]
    pub fn try_acquire(&self) -> bool {
        self.reenter(thread_id::current()) || (self.lock.try_acquire() && self.become_owner())
    }

    /// Waits at most `timeout` for the lock; true if it is now held (at once if already ours).
    #[must_use = "the lock is only held if this returned true"]
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.reenter(thread_id::current())
            || (self.lock.acquire_timeout(timeout) && self.become_owner())
    }

    /// The invariant, asked by the thread that `owner` names: it holds `lock` at depth
    /// `>= 1`.
    fn holder_is_consistent(&self) -> bool {
        self.lock.locked() && self.depth.load(Relaxed) >= 1
    }

    /// If this thread holds the lock, counts one more acquisition.
    fn reenter(&self, me: usize) -> bool {
        if self.owner.load(Relaxed) != me {
            return false;
        }
        debug_assert!(self.holder_is_consistent(), "RLock owner without the lock or a depth");
        let depth = self.depth.load(Relaxed);
        let deeper = depth.checked_add(1).expect("RLock acquired re-entrantly u32::MAX times");
        self.depth.store(deeper, Relaxed);
        true
    }

    /// Records this thread as the holder of the freshly acquired inner lock.
    fn become_owner(&self) -> bool {
        self.owner.store(thread_id::current(), Relaxed);
        self.depth.store(1, Relaxed);
        true
    }

    /// Undoes one acquisition by this thread; the last one frees the lock.
    ///
    /// Returns `Err(ReleaseError::NotOwner)` (Python's `RuntimeError: cannot release
    /// un-acquired lock`) if this thread does not hold it.
    pub fn release(&self) -> Result<(), ReleaseError> {
        if !self.is_owned() {
            return Err(ReleaseError::NotOwner);
        }
        debug_assert!(self.holder_is_consistent(), "RLock owner without the lock or a depth");
        let depth = self.depth.load(Relaxed) - 1;
        self.depth.store(depth, Relaxed);
        if depth == 0 {
            self.owner.store(0, Relaxed);
            self.lock.release().expect("the owner of an RLock holds its inner lock");
        }
        Ok(())
    }

    /// Releases every level the calling thread holds and returns how many there were
    /// (Python's `_release_save`, used by a condition's wait). The caller owns the lock.
    ///
    /// Never panics: a condition calls it with its waiter node queued, and unwinding there
    /// would free the node while it is linked (the condition checked `is_owned` first).
    pub(crate) fn release_save(&self) -> u32 {
        let depth = self.depth.load(Relaxed);
        self.depth.store(0, Relaxed);
        self.owner.store(0, Relaxed);
        // Ok: the owner holds the inner lock.
        let _ = self.lock.release();
        depth
    }

    /// Takes the lock and restores `depth` levels (Python's `_acquire_restore`).
    pub(crate) fn acquire_restore(&self, depth: u32) {
        self.lock.acquire_notified();
        self.owner.store(thread_id::current(), Relaxed);
        self.depth.store(depth, Relaxed);
    }

    /// How many levels the holder holds; only meaningful to the holder (the only thread
    /// that changes it), 0 to others when free.
    pub(crate) fn depth(&self) -> u32 {
        // Relaxed: only the holder writes it, and the holder is the one asking.
        self.depth.load(Relaxed)
    }

    /// Whether any thread holds the lock right now (a snapshot, for Debug).
    pub(crate) fn locked(&self) -> bool {
        self.lock.locked()
    }

    /// Whether the calling thread holds this lock (Python's `_is_owned()`).
    pub fn is_owned(&self) -> bool {
        self.owner.load(Relaxed) == thread_id::current()
    }

    /// Acquires (or re-enters) and returns a guard that releases once on drop (`with rlock:`).
    pub fn lock(&self) -> RLockGuard<'_> {
        self.acquire();
        RLockGuard::new(self)
    }

    /// [`try_acquire`](Self::try_acquire) with a guard.
    pub fn try_lock(&self) -> Option<RLockGuard<'_>> {
        self.try_acquire().then(|| RLockGuard::new(self))
    }

    /// [`acquire_timeout`](Self::acquire_timeout) with a guard.
    pub fn lock_timeout(&self, timeout: Duration) -> Option<RLockGuard<'_>> {
        self.acquire_timeout(timeout).then(|| RLockGuard::new(self))
    }
}

impl Default for RLock {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for RLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLock")
            .field("locked", &self.lock.locked())
            .field("owned_by_caller", &self.is_owned())
            .finish()
    }
}

/// Holds one acquisition of an [`RLock`] until dropped, also during a panic's unwinding.
///
/// Not `Send`: the acquisition belongs to the thread that made it.
#[must_use = "the acquisition is released as soon as the guard is dropped"]
pub struct RLockGuard<'a> {
    rlock: &'a RLock,
    not_send: PhantomData<*const ()>,
}

impl<'a> RLockGuard<'a> {
    fn new(rlock: &'a RLock) -> Self {
        RLockGuard { rlock, not_send: PhantomData }
    }
}

impl Drop for RLockGuard<'_> {
    fn drop(&mut self) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        // Cannot fail: the guard is !Send, so this is the thread that acquired.
        let _ = self.rlock.release();
    }
}

impl fmt::Debug for RLockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLockGuard").field("rlock", self.rlock).finish()
    }
}
