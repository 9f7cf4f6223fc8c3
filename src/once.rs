//! [`Once`]: run a piece of initialisation exactly once, however many threads ask;
//! parking_lot 0.13's `Once` and [`OnceState`], poisoning included.
//!
//! # What it is
//!
//! The first [`Once::call_once`] runs its closure; every other call, concurrent or later,
//! returns only once that run has finished (and sees everything it wrote), without running
//! its own closure. A closure that panics *poisons* the `Once`: later `call_once` calls
//! panic too, while [`Once::call_once_force`] runs its closure anyway (told the state was
//! [`OnceState::Poisoned`]) and, if that run returns, completes the `Once` for everybody.
//! [`Once::wait`] waits for completion without offering a closure. Python's twin is
//! module-level initialisation under the import lock, or a `Lock` plus a flag.
//!
//! # The state word
//!
//! One `AtomicU32` (4 bytes), four bits: done, poisoned, running, queued (the table and its
//! invariant are on `Once::state`).
//!
//! # The protocol
//!
//! * **call**: a word that is exactly `DONE` returns at once (one `Acquire` load).
//!   Otherwise loop: `DONE` returns; `POISONED` panics unless forced; not `RUNNING`: CAS
//!   in `RUNNING` (clearing `POISONED`, keeping `QUEUED`) and run; `RUNNING`: set `QUEUED`
//!   and sleep while the word is unchanged.
//! * **end of a run**: swap in `DONE` (returned) or `POISONED` (panicked: the panic is
//!   caught, the `Once` ended, then the panic resumed), which also clears `QUEUED`; if it
//!   was set, wake all: each woken thread looks again and queues again if it still has to
//!   wait (a forced waiter on a poisoned `Once` waits for the next run, so its `QUEUED`
//!   must survive the poisoning until then: it sets it again).
//! * **wait**: as a call that never runs: `DONE` returns, `POISONED` panics unless forced,
//!   otherwise set `QUEUED` and sleep.
//! * **re-entry**: a closure that calls (or waits on) its own `Once` would wait for itself
//!   forever; each thread remembers the `Once`s it is running, and such a call panics
//!   instead.
//!
//! Orderings: the `Release` swap that ends a run pairs with the `Acquire` of every look
//! that may return or panic, and of the CAS that starts a forced run, so the run's writes
//! are visible to everyone who returns. Setting `QUEUED` is `Relaxed` (see there).

use crate::futex::{self, Deadline};
use crate::sync::{AtomicU32, Ordering::*, const_fn_unless_loom};
use core::fmt;
use std::panic::AssertUnwindSafe;

const DONE: u32 = 1;
const POISONED: u32 = 2;
const RUNNING: u32 = 4;
const QUEUED: u32 = 8;

/// The invariant of `Once::state`: `DONE` stands alone (nothing runs, sleeps or stays
/// poisoned after a run returned), and a run in progress is never poisoned (starting a run
/// clears `POISONED`; ending it sets either `DONE` or `POISONED`, never with `RUNNING`).
fn is_consistent(s: u32) -> bool {
    (s & DONE == 0 || s == DONE) && (s & RUNNING == 0 || s & POISONED == 0)
}

/// Where a [`Once`] stands (parking_lot's `OnceState`); also what
/// [`Once::call_once_force`] tells its closure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnceState {
    /// No run has started yet.
    New,
    /// A run panicked; `call_once` and `wait` panic, `call_once_force` runs.
    Poisoned,
    /// A run is going on right now.
    InProgress,
    /// A run returned: complete for good.
    Done,
}

impl OnceState {
    /// Whether a run panicked (and no forced run has completed since).
    #[inline]
    pub const fn is_poisoned(self) -> bool {
        matches!(self, OnceState::Poisoned)
    }

    /// The same as [`is_poisoned`](Self::is_poisoned) (parking_lot's older name).
    #[inline]
    pub const fn poisoned(self) -> bool {
        self.is_poisoned()
    }

    /// Whether a run returned.
    #[inline]
    pub const fn is_completed(self) -> bool {
        matches!(self, OnceState::Done)
    }

    /// The same as [`is_completed`](Self::is_completed) (parking_lot's older name).
    #[inline]
    pub const fn done(self) -> bool {
        self.is_completed()
    }
}

/// Runs a closure exactly once, whichever thread gets there first; the others wait for it
/// (parking_lot's `Once`). 4 bytes, `const` constructors.
///
/// ```
/// use threading::{Once, OnceState};
///
/// static INIT: Once = Once::new();
/// static mut CONFIG: u32 = 0;
///
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         s.spawn(|| {
///             // SAFETY: written only inside the one run, read only after it.
///             INIT.call_once(|| unsafe { CONFIG = 42 });
///             assert_eq!(unsafe { CONFIG }, 42);
///         });
///     }
/// });
/// assert_eq!(INIT.state(), OnceState::Done);
///
/// // A panicking run poisons; a forced run repairs.
/// let once = Once::new();
/// let _ = std::panic::catch_unwind(|| once.call_once(|| panic!("failed")));
/// assert!(once.state().is_poisoned());
/// once.call_once_force(|state| assert!(state.is_poisoned()));
/// assert!(once.is_completed());
/// ```
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
pub struct Once {
    /// | bit | name | meaning |
    /// |---|---|---|
    /// | 0 | `DONE` | a run returned: complete for good |
    /// | 1 | `POISONED` | the last run panicked (cleared when a forced run starts) |
    /// | 2 | `RUNNING` | a thread is running its closure right now |
    /// | 3 | `QUEUED` | threads may sleep on the word, waiting for a run to end |
    ///
    /// Invariant: a `DONE` word is exactly `DONE`, and `RUNNING` never comes with
    /// `POISONED` ([`is_consistent`]).
    state: AtomicU32,
}

impl Once {
    const_fn_unless_loom! {
        /// A `Once` whose closure has not run.
        pub fn new() -> Once {
            Once { state: AtomicU32::new(0) }
        }
    }

    const_fn_unless_loom! {
        /// A `Once` that is already complete: no closure will ever run.
        pub fn new_completed() -> Once {
            Once { state: AtomicU32::new(DONE) }
        }
    }

    /// Where this `Once` stands right now.
    #[inline]
    pub fn state(&self) -> OnceState {
        // Acquire: a caller that sees Done may rely on the run's writes.
        let state = self.state.load(Acquire);
        if state & DONE != 0 {
            OnceState::Done
        } else if state & RUNNING != 0 {
            OnceState::InProgress
        } else if state & POISONED != 0 {
            OnceState::Poisoned
        } else {
            OnceState::New
        }
    }

    /// Whether a run has returned (then everything it wrote is visible to this thread).
    #[inline]
    pub fn is_completed(&self) -> bool {
        // Acquire: as in state.
        self.state.load(Acquire) & DONE != 0
    }

    /// Runs `f` if no run has completed yet and none is going on; otherwise waits for the
    /// run going on. Returns once a run has completed.
    ///
    /// # Panics
    ///
    /// If this `Once` is poisoned (a run panicked), or becomes so while waiting; if `f`
    /// panics (which poisons it); if called from inside a run of this same `Once`.
    #[inline]
    pub fn call_once<F: FnOnce()>(&self, f: F) {
        // Acquire: returning here relies on the run's writes.
        if self.state.load(Acquire) == DONE {
            return;
        }
        let mut f = Some(f);
        self.call_once_slow(false, &mut |_| (f.take().expect("a Once runs its closure once"))());
    }

    /// As [`call_once`](Self::call_once), but a poisoned `Once` runs `f` too, which is told
    /// the state it found ([`OnceState::New`] or [`OnceState::Poisoned`]); if `f` returns,
    /// the `Once` is complete and no longer poisoned.
    ///
    /// # Panics
    ///
    /// If `f` panics (which poisons the `Once` again), or if called from inside a run of
    /// this same `Once`.
    #[inline]
    pub fn call_once_force<F: FnOnce(OnceState)>(&self, f: F) {
        // Acquire: as in call_once.
        if self.state.load(Acquire) == DONE {
            return;
        }
        let mut f = Some(f);
        self.call_once_slow(true, &mut |state| {
            (f.take().expect("a Once runs its closure once"))(state)
        });
    }

    /// Blocks until a run has completed, without offering one.
    ///
    /// # Panics
    ///
    /// If this `Once` is poisoned, or becomes so while waiting; if called from inside a
    /// run of this same `Once`.
    #[inline]
    pub fn wait(&self) {
        if !self.is_completed() {
            self.wait_slow(false);
        }
    }

    /// Blocks until a run has completed, ignoring poison: a poisoned `Once` is waited on
    /// until a forced run completes it.
    ///
    /// # Panics
    ///
    /// If called from inside a run of this same `Once`.
    #[inline]
    pub fn wait_force(&self) {
        if !self.is_completed() {
            self.wait_slow(true);
        }
    }

    /// Whether a call or a wait that found `state` is over: true once a run completed; a
    /// panic, as parking_lot's, if a run panicked and the caller does not `force`.
    fn finished(state: u32, force: bool) -> bool {
        debug_assert!(is_consistent(state), "Once state {state:#x}");
        if state & POISONED != 0 && !force {
            panic!("Once instance has previously been poisoned");
        }
        state & DONE != 0
    }

    #[cold]
    fn call_once_slow(&self, force: bool, f: &mut dyn FnMut(OnceState)) {
        // Acquire: every return or panic below relies on what the last run wrote.
        let mut state = self.state.load(Acquire);
        loop {
            if Self::finished(state, force) {
                return;
            }
            if state & RUNNING == 0 {
                let running = (state | RUNNING) & !POISONED;
                // Acquire: a forced run sees what the poisoned one wrote.
                match self.state.compare_exchange(state, running, Acquire, Acquire) {
                    Ok(_) => break,
                    Err(now) => state = now,
                }
                continue;
            }
            state = self.sleep_while_running(state);
        }
        let found = if state & POISONED != 0 { OnceState::Poisoned } else { OnceState::New };
        Run::run(self, || f(found));
    }

    #[cold]
    fn wait_slow(&self, force: bool) {
        // Acquire: as in call_once_slow.
        let mut state = self.state.load(Acquire);
        while !Self::finished(state, force) {
            state = self.sleep_while_running(state);
        }
    }

    /// Sets `QUEUED` and sleeps while the word is `state | QUEUED`; returns the word seen
    /// next. A call from inside this thread's own run of this `Once` panics instead.
    fn sleep_while_running(&self, state: u32) -> u32 {
        assert!(
            !Run::is_running_here(self),
            "Once::call_once or wait called from inside its own closure (it would wait for itself forever)"
        );
        if state & QUEUED == 0 {
            // Relaxed: only announces a sleeper; the wait below re-checks the word.
            if let Err(now) = self.state.compare_exchange(state, state | QUEUED, Relaxed, Acquire) {
                return now;
            }
        }
        let _ = futex::wait(&self.state, state | QUEUED, Deadline::NEVER);
        // Acquire: as in call_once_slow.
        self.state.load(Acquire)
    }
}

crate::sync::thread_local! {
    // Not `const {}`: loom's thread_local! does not take it.
    #[allow(clippy::missing_const_for_thread_local)]
    // The innermost run of a `Once` on this thread (runs nest when one `Once`'s closure
    // calls another's), linked to the runs around it: a list that lives on this thread's
    // stack, so that a self-wait becomes a panic. A bare pointer needs no destructor, so a
    // `Once` works in a thread-local destructor too, where a thread-local that has one
    // cannot be reached.
    static RUNNING_HERE: core::cell::Cell<*const Run> = core::cell::Cell::new(core::ptr::null());
}

/// One run of a `Once`'s closure on this thread, linked into `RUNNING_HERE` while it runs.
struct Run {
    once: *const Once,
    /// The run this one is nested in, or null.
    outer: *const Run,
}

impl Run {
    /// Runs `f` as the run of `once` (linked into `RUNNING_HERE` meanwhile), then ends the
    /// run as `DONE` (it returned) or `POISONED` (it panicked, and the panic goes on).
    fn run(once: &Once, f: impl FnOnce()) {
        let run = Run { once, outer: RUNNING_HERE.with(|running| running.get()) };
        RUNNING_HERE.with(|running| running.set(&run));
        // Caught rather than noticed in a destructor: the waiters are woken (and the poison
        // published) outside the unwinding, and `run` is unlinked before it is freed.
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(f));
        RUNNING_HERE.with(|running| running.set(run.outer));
        match outcome {
            Ok(()) => Self::end(once, DONE),
            Err(panic) => {
                Self::end(once, POISONED);
                std::panic::resume_unwind(panic);
            }
        }
    }

    fn is_running_here(once: &Once) -> bool {
        let mut at = RUNNING_HERE.with(|running| running.get());
        while !at.is_null() {
            // SAFETY: every run in the list lives in a frame of `Run::run` on this thread
            // that has not returned: each unlinks itself, innermost first, before it does.
            let run = unsafe { &*at };
            if core::ptr::eq(run.once, once) {
                return true;
            }
            at = run.outer;
        }
        false
    }

    fn end(once: &Once, outcome: u32) {
        // Release: publish the run's writes to every thread that sees the outcome.
        let ended = once.state.swap(outcome, Release);
        debug_assert!(
            ended & RUNNING != 0 && is_consistent(ended),
            "Once run ended from {ended:#x}"
        );
        if ended & QUEUED != 0 {
            futex::wake_all(&once.state);
        }
    }
}

impl Default for Once {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Once").field("state", &self.state()).finish()
    }
}
