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
//! thread may take the lock ahead of threads that sleep on it, which is what makes it fast
//! under contention. Where turns matter, a *fair* release (lock_api's `unlock_fair` and
//! `bump`, and every unlock of [`FairMutex`](crate::FairMutex)) hands the lock to a
//! sleeper instead.
//!
//! # The state word
//!
//! One word, `state`: the flags `LOCKED`, `HANDED_OFF` (held for a sleeper that has not
//! claimed it yet), `WAKING` (a woken sleeper has not looked yet) and `WAITING_OUT`
//! (threads wait, uncounted, for a handoff to be claimed), and above them the exact number
//! of threads in the sleep phase of an acquire. The table and the invariant are on the
//! field; the predicates below the constants read it. `0` is free with nobody waiting and
//! `1` held with nobody asleep: the only values uncontended paths see.
//!
//! # The protocol
//!
//! * **acquire**: set `LOCKED` with one RMW (`fetch_or`, x86's `lock bts`), whatever the
//!   count; the old word says whether it was free. Otherwise wait on one spin budget
//!   ([`Spin::LOCK`]): yield the CPU, look at the word, and again, while it is held. No
//!   pauses: every look pulls the lock's cache line away from the holder, whose run of
//!   cheap acquire/release pairs on that line is where contended throughput comes from.
//!   The spin reads through held-with-sleepers too: the release we wait for wakes a
//!   sleeper whatever we do. Seeing it free, set `LOCKED` again; losing that race goes on
//!   with what is left of the same budget, which bounds the phase without a clock. A
//!   `Condition` or `Condvar` wait re-taking its lock (`acquire_notified`) first pauses a
//!   little, looking ever further apart ([`Spin::NOTIFIED`]): most often a notify woke it,
//!   and its notifier, which held the lock a moment ago, is about to let it go.
//! * **sleep phase**: with the budget spent, count ourselves (`+SLEEPER`), unless a
//!   handoff is pending (see the fair release), then loop: a free word is taken by a CAS
//!   that sets `LOCKED` and removes our count in one step; a `HANDED_OFF` word is claimed
//!   by a CAS that clears `HANDED_OFF` (the lock stays held, now by us) and removes our
//!   count (both clear `WAKING` too: we are awake); if `WAKING` is set, clear it (below);
//!   otherwise sleep on the exact value seen. Any change to the word ends such a wait at
//!   once, so a release can never slip between the look and the sleep. After a wake, look
//!   a few yields apart (the same budget) while the lock is held by a running thread, then
//!   loop. Taking a free lock while others sleep is safe: the release that freed it saw
//!   them counted and woke one (or one was already waking).
//! * **release**: CAS `1 → 0`, the uncontended case. Otherwise clear `LOCKED`,
//!   `HANDED_OFF` and `WAITING_OUT` in one RMW (a `fetch_and`); the old word says the
//!   rest. `LOCKED` clear: the lock was not held, `Err(Unlocked)`, and the RMW changed
//!   nothing. `WAITING_OUT` set: a handoff is over, so wake all of its waiters to count
//!   themselves in (a lock handed to a sleeper may be released by another thread: it is
//!   then free, and the sleeper takes it as such). A count above zero and no `WAKING`: set
//!   `WAKING` and wake one, unless the lock was retaken meanwhile (its holder's release
//!   will). `WAKING` keeps a release from paying a system call while a woken thread is
//!   still on its way: one woken thread at a time. Every counted thread clears `WAKING`
//!   when it looks and before it sleeps again, and a timed-out one on its way out, so it
//!   never stays set with every counted thread asleep (which would lose every wake).
//! * **fair release** (`release_fair`): with nobody counted, a plain release. Otherwise
//!   set `HANDED_OFF` (the lock stays held) and wake all. Newcomers cannot take it: the
//!   fast path, the spin and a free-word take all need `LOCKED` clear. A counted thread
//!   claims it, and one always will, because the count is exact (a stale "maybe sleepers"
//!   flag would hand the lock to nobody) and *every* counted thread may claim: one that is
//!   awake sees the word change, one asleep is reached by the wake (which needs no count
//!   from the OS: Windows' `WakeByAddressSingle` reports none), one whose time runs out
//!   claims on its way out. That needs every counted thread to have counted itself before
//!   the handoff was made, so nobody counts itself while one is pending: such a thread
//!   sets `WAITING_OUT` and sleeps, uncounted, and the claim (or a release, which also
//!   ends a handoff) clears the flag and wakes all of them to count themselves in. So a
//!   newcomer never takes a lock handed to the sleepers, nor a bumping thread its own. (A
//!   thread that counted itself during a handoff and claimed only after one wait could
//!   sleep through the handoff it is owed: a second handoff can leave the word at the very
//!   value it counted at.) The handoff wakes all because a single wake reaches a sleeper of
//!   the OS's choosing (the futex contract's "Any sleeper"): one waiting out the handoff
//!   would sleep again, and the counted ones through the handoff. The claim's losers sleep
//!   again: a fair release is the slow path by design.
//! * **bump**: with a sleeper counted, a fair release, then an acquire; else nothing.
//! * **timeout**: a timed acquire whose deadline passes removes its count; a lock handed
//!   to it, or found free, it takes on the way out and reports acquired (one waiting out a
//!   handoff, uncounted, just leaves). That honours the futex contract's "A wake may
//!   reach nobody" (`src/futex/mod.rs`): a wake meant for it that reached nobody is not
//!   lost, and a handoff is never stranded.
//!
//! Orderings: every RMW that takes or claims the lock is `Acquire`, and releasing (the
//! CAS, the `fetch_and`) and handing off (the CAS that sets `HANDED_OFF`) are `Release`,
//! so everything written under the lock is visible to the next holder, through any count
//! changes in between (RMWs continue a release sequence). Counting in and out without
//! taking the lock, setting and clearing `WAKING` and `WAITING_OUT`, and spinning loads
//! are `Relaxed`: they order nothing.

use crate::error::ReleaseError;
use crate::futex::{self, Deadline, Wait};
use crate::spin::{Spin, spin_while};
use crate::sync::{AtomicU32, Ordering::*, const_fn_unless_loom};
use core::fmt;
use std::time::Duration;

// The bits of `Lock::state` (its table is on the field).
const UNLOCKED: u32 = 0;
const LOCKED: u32 = 1;
const HANDED_OFF: u32 = 2;
const WAKING: u32 = 4;
const WAITING_OUT: u32 = 8;
const SLEEPER: u32 = 16;

/// Held, by anyone (a handoff included).
fn is_held(s: u32) -> bool {
    s & LOCKED != 0
}

/// Free, or held for the sleepers by a handoff: either way a counted sleeper may take it.
fn is_free_or_handed_off(s: u32) -> bool {
    s & (LOCKED | HANDED_OFF) != LOCKED
}

/// A handoff is pending: held for the counted sleepers, one of whom will claim it.
fn is_handed_off(s: u32) -> bool {
    s & HANDED_OFF != 0
}

/// A woken sleeper has not looked at the word since.
fn is_waking(s: u32) -> bool {
    s & WAKING != 0
}

/// Threads may sleep, uncounted, until the pending handoff is over.
fn is_waited_out(s: u32) -> bool {
    s & WAITING_OUT != 0
}

/// At least one thread is counted in the sleep phase.
fn has_sleepers(s: u32) -> bool {
    s >= SLEEPER
}

/// The invariant of `Lock::state`: each flag only with the one below it (`WAITING_OUT`
/// only while a handoff is pending, `HANDED_OFF` only while held).
fn is_consistent(s: u32) -> bool {
    (!is_waited_out(s) || is_handed_off(s)) && (!is_handed_off(s) || is_held(s))
}

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
    /// Three flags and a count (the module doc has the protocol):
    ///
    /// | bits | name | meaning |
    /// |---|---|---|
    /// | 0 | `LOCKED` | held |
    /// | 1 | `HANDED_OFF` | held on behalf of a sleeper that has not claimed it yet |
    /// | 2 | `WAKING` | a release woke a sleeper that has not looked at the word since |
    /// | 3 | `WAITING_OUT` | a thread may sleep, uncounted, until this handoff is claimed |
    /// | 4.. | `SLEEPER` × n | n threads are in the sleep phase of an acquire (exact) |
    ///
    /// So `0` is free and nobody waits, `1` held and nobody sleeps: the two values of every
    /// uncontended path. Invariant: `WAITING_OUT` only with `HANDED_OFF`, `HANDED_OFF`
    /// only with `LOCKED` ([`is_consistent`]).
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
        self.acquire_spinning(Spin::LOCK);
    }

    /// [`acquire`](Self::acquire) for a `Condition` or `Condvar` wait re-taking its lock:
    /// most often a notify woke it, and the notifier, which held this lock when it
    /// notified, lets it go soon; so the wait begins with a few pauses, looking ever further
    /// apart ([`Spin::NOTIFIED`]), before the contended path's yields. (A wait that timed
    /// out spends the same few pauses: not worth telling the two apart.)
    pub(crate) fn acquire_notified(&self) {
        self.acquire_spinning(Spin::NOTIFIED);
    }

    /// Takes the lock, waiting with `spin` first if it is held.
    #[inline]
    fn acquire_spinning(&self, spin: Spin) {
        if !self.try_acquire() {
            let acquired = self.acquire_contended(spin, Deadline::NEVER);
            debug_assert!(acquired);
        }
    }

    /// Takes the lock if it is free, without waiting (`lock.acquire(blocking=False)`).
    #[inline]
    #[must_use = "the lock is only held if this returned true"]
    pub fn try_acquire(&self) -> bool {
        // One RMW that sets LOCKED whatever the count says (x86: `lock bts`); on a held word
        // it changes nothing. Acquire: on success, see everything the previous holder wrote.
        self.state.fetch_or(LOCKED, Acquire) & LOCKED == 0
    }

    /// Waits at most `timeout` for the lock; true if it was acquired
    /// (`lock.acquire(timeout=t)`). `Duration::ZERO` tries once; a timeout too large for
    /// the clock waits forever.
    #[must_use = "the lock is only held if this returned true"]
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.try_acquire()
            || (!timeout.is_zero() && self.acquire_contended(Spin::LOCK, Deadline::after(timeout)))
    }

    /// The slow path: spin on one budget (through lost races, see the module doc), then
    /// join the sleepers and sleep until the lock is ours or the deadline passes.
    #[cold]
    fn acquire_contended(&self, spin: Spin, deadline: Deadline) -> bool {
        let mut spinner = spin.start();
        loop {
            let state = spinner.spin_remaining_while(&self.state, is_held);
            if is_held(state) {
                break; // Budget spent.
            }
            // Losing the race goes on spinning: the next look finds the winner holding it.
            if self.try_acquire() {
                return true;
            }
        }
        // Counted from here until we leave with the lock or give up.
        let mut state = match self.count_in_as_sleeper(deadline) {
            CountIn::Counted(state) => state,
            CountIn::Left { acquired } => return acquired,
        };
        loop {
            if is_free_or_handed_off(state) {
                // A free lock or a handoff: take it; awake, we clear WAKING (see below).
                if self.take_as_sleeper(&mut state) {
                    return true;
                }
                continue;
            }
            if is_waking(state) {
                // Awake, we stand in for the thread a release woke: clearing WAKING before
                // we sleep lets the next release wake someone, so that WAKING never stays
                // set with every counted thread asleep. Relaxed: orders nothing.
                match self.state.compare_exchange(state, state & !WAKING, Relaxed, Relaxed) {
                    Ok(_) => state &= !WAKING,
                    Err(now) => state = now,
                }
                continue;
            }
            // Sleep on the exact value: any change (a release, a handoff, another sleeper
            // counting itself) makes the wait return at once.
            if futex::wait(&self.state, state, deadline) == Wait::TimedOut {
                return self.give_up_waiting();
            }
            // Found it retaken by a running thread: look a few yields apart before sleeping
            // again, stopping at a release or a handoff.
            state = spin_while(&self.state, Spin::LOCK, |s| !is_free_or_handed_off(s));
        }
    }

    /// Joins the sleepers (`+SLEEPER`), but never while a handoff is pending: that one was
    /// made for the threads already counted, and every counted thread must be free to claim
    /// the next (see the module doc). Meanwhile it sleeps uncounted, flagged `WAITING_OUT`,
    /// until the handoff is claimed; it takes the lock if it finds it free, and leaves when
    /// its deadline passes.
    fn count_in_as_sleeper(&self, deadline: Deadline) -> CountIn {
        let mut state = self.state.load(Relaxed);
        loop {
            let next = if !is_held(state) {
                state | LOCKED
            } else if !is_handed_off(state) {
                state + SLEEPER
            } else if !is_waited_out(state) {
                state | WAITING_OUT
            } else {
                // The claim (or a release) clears WAITING_OUT and wakes us; every other
                // change keeps it set, so no wake can be missed.
                if futex::wait(&self.state, state, deadline) == Wait::TimedOut {
                    return CountIn::Left { acquired: false }; // No count to undo.
                }
                state = self.state.load(Relaxed);
                continue;
            };
            // Acquire: when it takes the lock, see the previous holder's writes (counting
            // in and flagging order nothing).
            match self.state.compare_exchange(state, next, Acquire, Relaxed) {
                Ok(_) if is_held(next) != is_held(state) => {
                    return CountIn::Left { acquired: true };
                }
                Ok(_) if is_waited_out(next) != is_waited_out(state) => state = next,
                Ok(_) => return CountIn::Counted(next),
                Err(now) => state = now,
            }
        }
    }

    /// A counted sleeper's take of a free lock, or claim of a handoff (clearing
    /// `HANDED_OFF`: `LOCKED` stays set, now for us), leaving the count in the same
    /// compare-exchange; on failure `state` is what the word now reads. Threads that waited
    /// out the handoff are woken to count themselves in.
    fn take_as_sleeper(&self, state: &mut u32) -> bool {
        let taken = ((*state | LOCKED) & !(HANDED_OFF | WAKING | WAITING_OUT)) - SLEEPER;
        // Acquire: see the previous holder's writes.
        match self.state.compare_exchange(*state, taken, Acquire, Relaxed) {
            Ok(was) => {
                if is_waited_out(was) {
                    futex::wake_all(&self.state);
                }
                true
            }
            Err(now) => {
                *state = now;
                false
            }
        }
    }

    /// A counted sleeper whose deadline passed leaves the count. A lock handed to it (or
    /// found free) it takes on the way out and reports acquired: the handoff may have been
    /// meant for it alone, and a wake sent to it may have reached nobody (the futex
    /// contract's "A wake may reach nobody", `src/futex/mod.rs`).
    #[cold]
    fn give_up_waiting(&self) -> bool {
        let mut state = self.state.load(Relaxed);
        loop {
            if is_free_or_handed_off(state) {
                if self.take_as_sleeper(&mut state) {
                    return true;
                }
                continue;
            }
            // WAKING goes too: we may be the thread it stands for. Relaxed: a count.
            let next = (state & !WAKING) - SLEEPER;
            match self.state.compare_exchange(state, next, Relaxed, Relaxed) {
                Ok(_) => return false,
                Err(now) => state = now,
            }
        }
    }

    /// Releases the lock, whichever thread acquired it (`lock.release()`).
    ///
    /// Returns `Err(ReleaseError::Unlocked)` (Python's `RuntimeError`) if it was not locked.
    #[inline]
    pub fn release(&self) -> Result<(), ReleaseError> {
        // Release: publish the critical section to the next holder. Only `1 → 0` here: one
        // compare-exchange, the uncontended case.
        if self.state.compare_exchange(LOCKED, UNLOCKED, Release, Relaxed).is_ok() {
            return Ok(());
        }
        self.release_contended()
    }

    /// A release of a word that is not just `LOCKED`: sleepers to wake, a handoff, or not
    /// held at all (an error, and then the release changes nothing).
    #[cold]
    fn release_contended(&self) -> Result<(), ReleaseError> {
        // Release: as in release. HANDED_OFF and WAITING_OUT go too: a lock handed to a
        // sleeper and released by another thread is free (the sleeper then takes it as
        // such). On a free word this changes nothing.
        let was = self.state.fetch_and(!(LOCKED | HANDED_OFF | WAITING_OUT), Release);
        debug_assert!(is_consistent(was), "Lock state {was:#x}: a flag without the one below");
        if !is_held(was) {
            return Err(ReleaseError::Unlocked);
        }
        if is_waited_out(was) {
            futex::wake_all(&self.state); // The handoff they waited out is over.
        }
        if has_sleepers(was) && !is_waking(was) {
            self.wake_a_sleeper();
        }
        Ok(())
    }

    /// Wakes one counted sleeper, marking the word `WAKING` so that the releases after
    /// ours wake nobody more until that thread has looked (one woken thread at a time, not
    /// a system call per release). Skipped when a sleeper is already waking, nobody is
    /// counted any more, or a running thread has retaken the lock (its release will wake).
    #[cold]
    fn wake_a_sleeper(&self) {
        // Relaxed: WAKING orders nothing; the release before us published the data.
        let mut state = self.state.load(Relaxed);
        while has_sleepers(state) && !is_waking(state) && !is_held(state) {
            match self.state.compare_exchange(state, state | WAKING, Relaxed, Relaxed) {
                Ok(_) => {
                    futex::wake_one(&self.state);
                    return;
                }
                Err(now) => state = now,
            }
        }
    }

    /// Releases the lock *fairly*: if a thread sleeps on it, the lock stays held and is
    /// handed to a sleeper, so that neither this thread nor a newcomer can take it first;
    /// with no sleeper it is a plain [`release`](Self::release). lock_api's
    /// `RawMutexFair::unlock_fair` (`MutexGuard::unlock_fair`, every `FairMutex` unlock).
    /// `Err(Unlocked)` if it was not held.
    pub(crate) fn release_fair(&self) -> Result<(), ReleaseError> {
        let mut state = self.state.load(Relaxed);
        loop {
            if !is_held(state) {
                return Err(ReleaseError::Unlocked);
            }
            if !has_sleepers(state) || is_handed_off(state) {
                // Nobody to hand it to (or it is already handed to a sleeper): a plain
                // release, which still wakes a sleeper counted meanwhile.
                return self.release();
            }
            // Release: publish the critical section to the sleeper that claims it (its claim
            // is Acquire). A counted sleeper always claims: awake, it sees the word change;
            // asleep, the wake below reaches it; timing out, it claims on its way out. All,
            // not one: a single wake may reach a thread waiting out this handoff (module doc).
            match self.state.compare_exchange(state, state | HANDED_OFF, Release, Relaxed) {
                Ok(_) => {
                    futex::wake_all(&self.state);
                    return Ok(());
                }
                Err(now) => state = now,
            }
        }
    }

    /// Lets a sleeper run if there is one: a fair release, then an acquire (lock_api's
    /// `RawMutexFair::bump`). With nobody asleep the lock is simply kept. The caller holds
    /// the lock.
    pub(crate) fn bump(&self) {
        // Relaxed: a hint; release_fair re-reads the word with its compare-exchange.
        if has_sleepers(self.state.load(Relaxed)) {
            let released = self.release_fair();
            debug_assert!(released.is_ok(), "bump is called with the lock held");
            self.acquire();
        }
    }

    /// How many threads are in the sleep phase of an acquire right now (counted before
    /// they first sleep, until they leave with the lock or give up).
    pub(crate) fn sleepers(&self) -> u32 {
        // Relaxed: a snapshot for tests and diagnostics.
        self.state.load(Relaxed) / SLEEPER
    }

    /// Whether some thread holds the lock right now (`lock.locked()`).
    #[inline]
    pub fn locked(&self) -> bool {
        // Relaxed: a snapshot that may be stale as soon as it is returned anyway.
        is_held(self.state.load(Relaxed))
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

/// How [`Lock::count_in_as_sleeper`] ended.
enum CountIn {
    /// Counted as a sleeper; the word as this thread left it.
    Counted(u32),
    /// Left the acquire without counting: it took a free lock, or its deadline passed.
    Left { acquired: bool },
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
