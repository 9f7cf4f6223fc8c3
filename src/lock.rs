//! `Lock`: a mutual-exclusion lock in one 32-bit word, Python's `threading.Lock`.
//!
//! # What it is
//!
//! At most one thread holds the lock at a time; others wait in [`Lock::acquire`] (or give
//! up: [`Lock::try_acquire`], [`Lock::acquire_timeout`]). Like Python's lock, and unlike
//! `std::sync::Mutex`, it is *not owned*: any thread may release it, which is what lets
//! one thread hand a "baton" to another. It guards no data of its own; [`Lock::lock`]
//! returns a guard that releases on drop, the Rust spelling of `with lock:`.
//!
//! Like Python's lock (which promises no order) and std's `Mutex`, it is not fair: a running
//! thread may take the lock ahead of threads that sleep on it. That is what makes it fast
//! under contention, and every waiter still gets its turn in practice (the stress tests
//! run millions of contended increments to completion; BENCHMARKS.md gives latency tails).
//!
//! # The state word
//!
//! One word, `state`: `0` free, `1` held with no thread asleep on it, `2` held with threads
//! that may sleep on it (the table is at the constants, `UNLOCKED` and on).
//!
//! # The protocol
//!
//! * **acquire**: CAS `0 → 1`. If that fails, wait on one spin budget ([`Spin::LOCK`]):
//!   yield the CPU, look at the word, and again, while it is not `0`. No pauses: every
//!   look pulls the lock's cache line away from the holder, whose run of cheap
//!   acquire/release pairs on that line is where contended throughput comes from, so a
//!   waiter looks only as often as a yield's system call lets it (hundreds of ns).
//!   The spin reads through `2` too: the release we wait for wakes a sleeper whatever we
//!   do, and going to sleep at once on `2` (std's rule) chains sleeps, because a thread
//!   that got the lock after sleeping holds it as `2`.
//!   Seeing `0`, CAS `0 → 1` again; losing that race (another thread took it first) just
//!   goes on with what is left of the same budget, which bounds the phase without a
//!   clock.
//!   With the budget spent, loop: swap in `2`; if the old value was `0` we own the lock;
//!   otherwise sleep on the word while it is `2`. Taking a freed lock as `1` while others
//!   sleep is safe: the release that freed it woke one of them, and that thread swaps `2`
//!   back in before it sleeps again.
//!   Swapping in `2` (not `1`) after having slept is deliberate: we cannot know whether
//!   other sleepers remain, so the next release must wake someone.
//! * **release**: swap in `0`. Old value `2` means someone may sleep: wake one. Old value
//!   `0` means the lock was not held: `Err(Unlocked)`, and the swap changed nothing.
//! * **timeout**: a timed acquire that gives up leaves the word at `2`. That costs at most
//!   one needless wake later, and never a lost one: a wake that reaches no sleeper was
//!   only ever needed by the thread that left.
//!
//! Orderings: acquiring is `Acquire` and releasing is `Release`, so everything written
//! under the lock is visible to the next holder. Spinning loads are `Relaxed` hints.
//!
//! The spin's shape (no pauses, 7 yields), the spin through `2` and the release as a swap
//! were each measured against the alternatives: BENCHMARKS.md, "How each target was met",
//! 2.
//!
//! # What the tests prove
//!
//! `tests/lock.rs`: Python's semantics (release by another thread, `Err(Unlocked)`,
//! timeouts with `ZERO` and `MAX`, guards released on panic), a proptest model (random
//! operation sequences against a boolean) and stress (exact counts under millions of
//! contended increments, timed and untimed contenders mixed). `tests/loom/lock.rs`:
//! mutual exclusion over loom's `UnsafeCell` in every interleaving, no waiter sleeps
//! through a release, a timeout racing a release, a timed-out waiter never strands a
//! blocked one. `tests/sizes.rs`: 4 bytes. `tests/futex_calls.rs`: no system call
//! uncontended.

use crate::error::ReleaseError;
use crate::futex::{self, Deadline, Wait};
use crate::spin::{Spin, spin_while};
use crate::sync::{AtomicU32, Ordering::*, const_fn_unless_loom};
use core::fmt;
use std::time::Duration;

// The state word:
//
// | `state` | meaning |
// |---|---|
// | `0` `UNLOCKED` | free |
// | `1` `LOCKED` | held, and no thread sleeps on it |
// | `2` `CONTENDED` | held, and threads may sleep on it |
const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
const CONTENDED: u32 = 2;

/// A lock that any thread may release: Python's `threading.Lock`.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// ```
/// use threading::Lock;
/// use std::time::Duration;
///
/// static LOCK: Lock = Lock::new();
///
/// let guard = LOCK.lock(); // `with lock:`
/// assert!(LOCK.locked());
/// assert!(!LOCK.acquire_timeout(Duration::from_millis(1)));
/// drop(guard);
///
/// LOCK.acquire();
/// std::thread::spawn(|| LOCK.release().unwrap()).join().unwrap(); // not owned
/// assert!(LOCK.release().is_err()); // "release unlocked lock"
/// ```
///
/// # Fork
///
/// A `fork()` copies the word as it was: a lock held by another thread of the parent stays
/// locked in the child, where that thread does not exist (as Python's locks do). Any thread
/// of the child may still release it, since a `Lock` has no owner.
pub struct Lock {
    state: AtomicU32,
}

impl Lock {
    const_fn_unless_loom! {
        /// A new, unlocked lock.
        pub fn new() -> Lock {
            Lock { state: AtomicU32::new(UNLOCKED) }
        }
    }

    /// Blocks until this thread holds the lock (`lock.acquire()`).
    #[inline]
    pub fn acquire(&self) {
        if !self.try_acquire() {
            let acquired = self.acquire_contended(Deadline::NEVER);
            debug_assert!(acquired);
        }
    }

    /// Takes the lock if it is free, without waiting (`lock.acquire(blocking=False)`).
    #[inline]
    #[must_use = "the lock is only held if this returned true"]
    pub fn try_acquire(&self) -> bool {
        // Acquire: on success, see everything the previous holder wrote.
        self.state.compare_exchange(UNLOCKED, LOCKED, Acquire, Relaxed).is_ok()
    }

    /// Waits at most `timeout` for the lock; true if it was acquired
    /// (`lock.acquire(timeout=t)`). `Duration::ZERO` tries once; a timeout too large for
    /// the clock waits forever.
    #[must_use = "the lock is only held if this returned true"]
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.try_acquire()
            || (!timeout.is_zero() && self.acquire_contended(Deadline::after(timeout)))
    }

    /// The slow path: spin on one budget (through lost races, see the module doc), then
    /// sleep until the lock is ours or the deadline passes.
    #[cold]
    fn acquire_contended(&self, deadline: Deadline) -> bool {
        let mut spinner = Spin::LOCK.start();
        let mut state = loop {
            // Through CONTENDED too (see the module doc).
            let state = spinner.spin_remaining_while(&self.state, |s| s != UNLOCKED);
            if state != UNLOCKED {
                break state; // Budget spent.
            }
            // As LOCKED even if others sleep (see the module doc). Losing the race goes on
            // spinning: the next look finds the winner holding it, and yields.
            if self.state.compare_exchange(UNLOCKED, LOCKED, Acquire, Relaxed).is_ok() {
                return true;
            }
        };
        loop {
            // Acquire: as in try_acquire. Skipping the swap when it is already CONTENDED
            // avoids taking the cache line exclusively for nothing.
            if state != CONTENDED && self.state.swap(CONTENDED, Acquire) == UNLOCKED {
                return true;
            }
            if futex::wait(&self.state, CONTENDED, deadline) == Wait::TimedOut {
                return false;
            }
            state = spin_while(&self.state, Spin::LOCK, |s| s == LOCKED);
        }
    }

    /// Releases the lock, whichever thread acquired it (`lock.release()`).
    ///
    /// Returns `Err(ReleaseError::Unlocked)` (Python's `RuntimeError`) if it was not locked.
    #[inline]
    pub fn release(&self) -> Result<(), ReleaseError> {
        // Release: publish the critical section to the next holder.
        match self.state.swap(UNLOCKED, Release) {
            LOCKED => Ok(()),
            was => self.release_slow(was),
        }
    }

    /// The rest of a release whose swap found the word `was`, not `LOCKED`: `CONTENDED`
    /// (wake a sleeper) or `UNLOCKED` (an error; the swap wrote `0` over `0`).
    #[cold]
    fn release_slow(&self, was: u32) -> Result<(), ReleaseError> {
        match was {
            UNLOCKED => Err(ReleaseError::Unlocked),
            _ => {
                futex::wake_one(&self.state);
                Ok(())
            }
        }
    }

    /// Whether some thread holds the lock right now (`lock.locked()`).
    #[inline]
    pub fn locked(&self) -> bool {
        // Relaxed: a snapshot that may be stale as soon as it is returned anyway.
        self.state.load(Relaxed) != UNLOCKED
    }

    /// Acquires the lock and returns a guard that releases it on drop (`with lock:`).
    #[inline]
    pub fn lock(&self) -> LockGuard<'_> {
        self.acquire();
        LockGuard { lock: self }
    }

    /// [`try_acquire`](Self::try_acquire) with a guard.
    #[inline]
    pub fn try_lock(&self) -> Option<LockGuard<'_>> {
        self.try_acquire().then(|| LockGuard { lock: self })
    }

    /// [`acquire_timeout`](Self::acquire_timeout) with a guard.
    pub fn lock_timeout(&self, timeout: Duration) -> Option<LockGuard<'_>> {
        self.acquire_timeout(timeout).then(|| LockGuard { lock: self })
    }
}

impl Default for Lock {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock").field("locked", &self.locked()).finish()
    }
}

/// Holds a [`Lock`] until dropped, also when dropped by a panic's unwinding.
///
/// Because the lock is not owned, another thread may release it while this guard lives
/// (Python allows that too, and raises when the `with` block ends). The guard's drop then
/// releases the lock as Python's `with` would: it is a plain [`Lock::release`], ignoring
/// `Err(Unlocked)`. Code that hands the lock between threads should use
/// `acquire`/`release` rather than guards.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a> {
    lock: &'a Lock,
}

impl Drop for LockGuard<'_> {
    #[inline]
    fn drop(&mut self) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        // Err(Unlocked) only if another thread already released it: nothing left to do.
        let _ = self.lock.release();
    }
}

impl fmt::Debug for LockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockGuard").field("lock", self.lock).finish()
    }
}
