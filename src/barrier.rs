//! `Barrier`: a meeting point for a fixed number of threads, Python's `threading.Barrier`.
//!
//! # What it is
//!
//! `parties` threads call [`Barrier::wait`]; each blocks until the last one arrives, then
//! all return, each with a distinct arrival index (`0` for the first to arrive,
//! `parties - 1` for the last, which also runs the optional action before the others are
//! released). The barrier is then ready for the next round (a *generation*). As in Python
//! it can be *broken*: by [`abort`](Barrier::abort), by a wait that times out, or by an
//! action that panics. A broken barrier fails every waiting and later wait with
//! [`BrokenBarrierError`] until [`reset`](Barrier::reset); `reset` also fails the threads
//! waiting at that moment and leaves the barrier empty and unbroken.
//!
//! # The state
//!
//! `state`, the word waiters sleep on, holds three flag bits and a generation number (the
//! table and its invariant are on the field). It changes only under `lock`, a crate
//! [`Lock`], except that waiters raise `SLEEPERS` without it. `arrivals`, in an
//! `UnsafeCell` under the same lock, is the current generation's bookkeeping.
//!
//! # The protocol
//!
//! * **arrive** (under the lock): wait (sleeping on `state`) while `RESETTING` or
//!   `releasing`; fail if `BROKEN`. The index is `arrived`. If it is `parties - 1` this thread
//!   releases the generation: runs the action with the lock released (`releasing` keeps
//!   later arrivals out of this generation), then under the lock, unless the generation
//!   was broken meanwhile, sets `arrived = 0` and swaps in generation + 1; a sleeper bit in
//!   the old value means wake all. Otherwise `arrived += 1` and wait.
//! * **wait** for generation `g`: spin, then yield the CPU a bounded number of times (the
//!   parties still to come may need it; `Spin::barrier`, BENCHMARKS.md, "Constants in
//!   src/"), then sleep (raising `SLEEPERS` with a CAS) while the state shows generation
//!   `g` and not `BROKEN`. A new generation means released: return the index, without
//!   touching the lock. `BROKEN` means leave: under the lock `arrived -= 1`, and the last
//!   to leave finishes a pending reset.
//! * **timeout**: under the lock, a waiter whose time ran out checks the state again:
//!   released or broken as above; if the last arrival is running the action it waits on
//!   (the generation is complete, as in Python); else it breaks the barrier (raise
//!   `BROKEN`, wake all) and leaves.
//! * **abort** raises `BROKEN`, dropping a pending reset as Python's does. **reset** with
//!   nobody left in the generation clears `BROKEN` and starts a new generation; otherwise
//!   it raises `BROKEN | RESETTING` and the last leaver (or the releaser) completes it.
//!
//! Why generations cannot be confused: while any waiter of generation `g` is still
//! counted, the generation number stays `g` unless `g` is released; a reset completes only
//! once `arrived` is 0. So a waiter that sees any other generation knows `g` was released,
//! even if generation `g + 1` has come and gone (more threads than parties) or broken
//! since. The number wraps after 2^29 generations; a waiter would have to sleep through
//! exactly a multiple of that between two looks, and each of those releases wakes it.
//!
//! Orderings: the release swap's `Release` pairs with the `Acquire` load that ends a
//! wait, so everything every party wrote before `wait()` (gathered by the last arrival
//! through the lock), and the action's effects, are visible to every party after
//! `wait()`. Every other access to `state` is `Relaxed`: under the lock, which orders it,
//! or raising `SLEEPERS` (see there).

use crate::block_cost;
use crate::error::BrokenBarrierError;
use crate::futex::{Deadline, Wait};
use crate::lock::{Lock, LockGuard};
use crate::spin::{Spin, spin_while};
use crate::sync::{AtomicU32, Ordering::*, UnsafeCell};
use core::fmt;
use std::time::Duration;

const SLEEPERS: u32 = 1;
const BROKEN: u32 = 2;
const RESETTING: u32 = 4;
const ONE_GENERATION: u32 = 8;
const GENERATION_MASK: u32 = !(SLEEPERS | BROKEN | RESETTING);

/// The invariant of `Barrier::state`: a reset is pending only on a broken generation
/// (`reset` raises both; completing it, or `abort`, lowers `RESETTING`).
fn is_consistent(s: u32) -> bool {
    s & RESETTING == 0 || s & BROKEN != 0
}

/// The current generation's bookkeeping, guarded by the barrier's `lock`.
struct Arrivals {
    /// The threads that arrived in the current generation and have neither been released
    /// nor left a broken one; also the next arrival's index.
    arrived: usize,
    /// True while the last arrival runs the action: later arrivals wait for the next
    /// generation.
    releasing: bool,
}

/// A reusable meeting point for `parties` threads: Python's `threading.Barrier`.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// ```
/// use threading::Barrier;
/// use std::{sync::Arc, thread};
///
/// let barrier = Arc::new(Barrier::new(3).with_action(|| println!("all here")));
/// let handles: Vec<_> = (0..3)
///     .map(|_| {
///         let barrier = Arc::clone(&barrier);
///         thread::spawn(move || barrier.wait().unwrap())
///     })
///     .collect();
/// let mut indices: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
/// indices.sort();
/// assert_eq!(indices, [0, 1, 2]); // arrival order; 2 (the last) ran the action
/// ```
pub struct Barrier {
    /// | bits | name | meaning |
    /// |---|---|---|
    /// | 0 | `SLEEPERS` | some thread may sleep on `state`: the next change must wake all |
    /// | 1 | `BROKEN` | the current generation failed; waits return `Err` |
    /// | 2 | `RESETTING` | a reset waits for the failed generation's waiters to leave |
    /// | 3..32 | generation | counts released (and reset) generations in steps of `ONE_GENERATION`, wrapping |
    ///
    /// Invariant: `RESETTING` only with `BROKEN` ([`is_consistent`]).
    state: AtomicU32,
    lock: Lock,
    arrivals: UnsafeCell<Arrivals>,
    parties: usize,
    timeout: Option<Duration>,
    action: Option<Box<dyn Fn() + Send + Sync>>,
}

// SAFETY: `arrivals` is only read or written while holding `lock`; everything else is
// atomic, immutable after construction, or (the action) `Send + Sync` itself.
unsafe impl Send for Barrier {}
// SAFETY: as for `Send`.
unsafe impl Sync for Barrier {}

impl Barrier {
    /// A barrier for `parties` threads, with no action and no default timeout
    /// (`threading.Barrier(parties)`).
    ///
    /// # Panics
    /// If `parties` is 0 (Python raises `ValueError`).
    ///
    /// ```should_panic
    /// threading::Barrier::new(0); // "a Barrier needs at least one party"
    /// ```
    pub fn new(parties: usize) -> Barrier {
        assert!(parties > 0, "a Barrier needs at least one party, got parties == 0");
        Barrier {
            state: AtomicU32::new(0),
            lock: Lock::new(),
            arrivals: UnsafeCell::new(Arrivals { arrived: 0, releasing: false }),
            parties,
            timeout: None,
            action: None,
        }
    }

    /// Sets the timeout that every [`wait`](Self::wait) uses
    /// (`threading.Barrier(parties, timeout=t)`).
    ///
    /// ```
    /// use threading::Barrier;
    /// use std::time::Duration;
    ///
    /// let barrier = Barrier::new(2).with_timeout(Duration::from_millis(10));
    /// assert!(barrier.wait().is_err()); // nobody else came: timed out, and now broken
    /// assert!(barrier.broken());
    /// ```
    pub fn with_timeout(mut self, timeout: Duration) -> Barrier {
        self.timeout = Some(timeout);
        self
    }

    /// Sets an action that the last thread to arrive runs, once per generation, before any
    /// thread is released (`threading.Barrier(parties, action=f)`). If it panics the
    /// barrier breaks, the panic continues in that thread and the others get `Err`.
    ///
    /// ```
    /// use threading::Barrier;
    /// use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    /// use std::sync::Arc;
    ///
    /// let runs = Arc::new(AtomicUsize::new(0));
    /// let counter = Arc::clone(&runs);
    /// let barrier = Barrier::new(1).with_action(move || {
    ///     counter.fetch_add(1, Relaxed);
    /// });
    /// barrier.wait().unwrap();
    /// barrier.wait().unwrap();
    /// assert_eq!(runs.load(Relaxed), 2);
    /// ```
    pub fn with_action(mut self, action: impl Fn() + Send + Sync + 'static) -> Barrier {
        self.action = Some(Box::new(action));
        self
    }

    /// Waits for all parties, with the default timeout if one was set
    /// (`barrier.wait()`). Returns this thread's arrival index in the generation: `0` for
    /// the first to arrive up to `parties - 1` for the last (the one that ran the action).
    /// `Err` if the barrier is or becomes broken, or is reset while this thread waits.
    ///
    /// ```
    /// let barrier = threading::Barrier::new(1);
    /// assert_eq!(barrier.wait(), Ok(0));
    /// ```
    pub fn wait(&self) -> Result<usize, BrokenBarrierError> {
        let deadline = match self.timeout {
            Some(timeout) => Deadline::after(timeout),
            None => Deadline::NEVER,
        };
        self.wait_until(deadline)
    }

    /// [`wait`](Self::wait) with this timeout instead of the default one
    /// (`barrier.wait(timeout=t)`). A wait that times out breaks the barrier for everyone.
    /// `Duration::ZERO` waits only if this thread is the last; a timeout too large for the
    /// clock waits forever.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let barrier = threading::Barrier::new(2);
    /// assert!(barrier.wait_timeout(Duration::ZERO).is_err());
    /// assert!(barrier.broken());
    /// ```
    pub fn wait_timeout(&self, timeout: Duration) -> Result<usize, BrokenBarrierError> {
        self.wait_until(Deadline::after(timeout))
    }

    /// Puts the barrier back to its empty, unbroken state (`barrier.reset()`). Threads
    /// waiting right now get `Err`; threads that arrive before they have all left wait for
    /// that and then join the new generation.
    ///
    /// ```
    /// let barrier = threading::Barrier::new(2);
    /// barrier.abort();
    /// assert!(barrier.broken());
    /// barrier.reset();
    /// assert!(!barrier.broken());
    /// ```
    pub fn reset(&self) {
        let guard = self.lock.lock();
        let state = self.state.load(Relaxed);
        // SAFETY: we hold the lock, which guards `arrivals`.
        let (arrived, releasing) =
            self.arrivals.with(|arrivals| unsafe { ((*arrivals).arrived, (*arrivals).releasing) });
        if arrived == 0 && !releasing {
            if state & BROKEN != 0 {
                self.set_state_and_wake_all(next_generation(state));
            }
        } else {
            self.set_state_and_wake_all(state | BROKEN | RESETTING);
        }
        drop(guard);
    }

    /// Breaks the barrier until [`reset`](Self::reset) (`barrier.abort()`): waiting threads
    /// and every later wait get `Err`.
    ///
    /// A thread already released from a phase (its `wait` returned, or is returning, `Ok`)
    /// never sees a later `abort()` in that wait: it keeps its `Ok`, and only its next
    /// `wait` fails. CPython sometimes raises `BrokenBarrierError` in such a thread instead:
    /// a thread woken from the phase but not yet scheduled re-checks the barrier's state
    /// under the lock and may find the abort that came after its release (a race in
    /// CPython's `_wait`). Here the release is decided once, by the last arrival.
    ///
    /// ```
    /// let barrier = threading::Barrier::new(2);
    /// barrier.abort();
    /// assert!(barrier.wait().is_err());
    /// ```
    pub fn abort(&self) {
        let guard = self.lock.lock();
        let state = self.state.load(Relaxed);
        self.set_state_and_wake_all((state | BROKEN) & !RESETTING);
        drop(guard);
    }

    /// How many threads must call [`wait`](Self::wait) to cross (`barrier.parties`).
    ///
    /// ```
    /// assert_eq!(threading::Barrier::new(4).parties(), 4);
    /// ```
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// How many threads wait in the current generation (`barrier.n_waiting`); 0 while the
    /// barrier is broken or resetting. While the action runs it is `parties`, as Python's:
    /// every party, the last arrival running the action included, is waiting.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use threading::Barrier;
    ///
    /// assert_eq!(Barrier::new(4).n_waiting(), 0);
    /// let barrier = Arc::new_cyclic(|this: &std::sync::Weak<Barrier>| {
    ///     let this = this.clone();
    ///     Barrier::new(1).with_action(move || assert_eq!(this.upgrade().unwrap().n_waiting(), 1))
    /// });
    /// barrier.wait().unwrap();
    /// ```
    pub fn n_waiting(&self) -> usize {
        let _guard = self.lock.lock();
        if self.state.load(Relaxed) & BROKEN != 0 {
            return 0;
        }
        // SAFETY: we hold the lock, which guards `arrivals`.
        let (arrived, releasing) =
            self.arrivals.with(|arrivals| unsafe { ((*arrivals).arrived, (*arrivals).releasing) });
        // The last arrival is not counted in `arrived`, but waits while it runs the action.
        arrived + usize::from(releasing)
    }

    /// Whether the barrier is broken (`barrier.broken`): aborted, timed out, or its action
    /// panicked, and not reset since. A barrier whose reset is still completing is not.
    ///
    /// ```
    /// assert!(!threading::Barrier::new(4).broken());
    /// ```
    pub fn broken(&self) -> bool {
        // Relaxed: a snapshot that may be stale as soon as it is returned anyway.
        self.state.load(Relaxed) & (BROKEN | RESETTING) == BROKEN
    }

    fn wait_until(&self, deadline: Deadline) -> Result<usize, BrokenBarrierError> {
        let mut guard = self.lock.lock();
        // Relaxed: the lock orders it; without the lock only `SLEEPERS` changes.
        let mut state = self.state.load(Relaxed);
        loop {
            if state & RESETTING == 0 {
                if state & BROKEN != 0 {
                    return Err(BrokenBarrierError);
                }
                // SAFETY: we hold the lock, which guards `arrivals`.
                if !self.arrivals.with(|arrivals| unsafe { (*arrivals).releasing }) {
                    break;
                }
            }
            // A reset completes or the action runs: wait untimed, as Python's `_enter`.
            drop(guard);
            let _ = self.sleep_while_unchanged(state, Deadline::NEVER);
            guard = self.lock.lock();
            state = self.state.load(Relaxed);
        }

        let index = self.arrivals.with_mut(|arrivals| {
            // SAFETY: we hold the lock, which guards `arrivals`.
            let arrivals = unsafe { &mut *arrivals };
            let index = arrivals.arrived;
            if index + 1 == self.parties {
                arrivals.releasing = self.action.is_some();
            } else {
                arrivals.arrived += 1;
            }
            index
        });
        if index + 1 == self.parties {
            return self.release_generation(guard, state, index);
        }
        drop(guard);
        self.wait_for_release(state & GENERATION_MASK, index, deadline)
    }

    /// The last arrival: run the action (lock released), then start the next generation.
    fn release_generation<'a>(
        &'a self,
        mut guard: LockGuard<'a>,
        state: u32,
        index: usize,
    ) -> Result<usize, BrokenBarrierError> {
        let mut state = state;
        if let Some(action) = &self.action {
            drop(guard);
            let on_panic = BreakOnUnwind(self);
            action();
            core::mem::forget(on_panic);
            guard = self.lock.lock();
            // SAFETY: we hold the lock, which guards `arrivals`.
            self.arrivals.with_mut(|arrivals| unsafe { (*arrivals).releasing = false });
            state = self.state.load(Relaxed);
            if state & BROKEN != 0 {
                // Aborted or reset while the action ran: this generation failed.
                self.finish_reset_if_drained(state);
                drop(guard);
                return Err(BrokenBarrierError);
            }
        }
        // SAFETY: we hold the lock, which guards `arrivals`.
        self.arrivals.with_mut(|arrivals| unsafe { (*arrivals).arrived = 0 });
        self.set_state_and_wake_all(next_generation(state));
        drop(guard);
        Ok(index)
    }

    /// Waits for generation `generation` to be released (Ok) or broken (Err).
    fn wait_for_release(
        &self,
        generation: u32,
        index: usize,
        mut deadline: Deadline,
    ) -> Result<usize, BrokenBarrierError> {
        let waiting = |state: u32| state & GENERATION_MASK == generation && state & BROKEN == 0;
        loop {
            spin_while(&self.state, Spin::barrier(self.parties), waiting);
            // Acquire: a new generation must come with every party's writes and the action's.
            let state = self.state.load(Acquire);
            if state & GENERATION_MASK != generation {
                return Ok(index);
            }
            if state & BROKEN != 0 {
                let _guard = self.lock.lock();
                self.leave_broken();
                return Err(BrokenBarrierError);
            }
            if self.sleep_while_unchanged(state, deadline) == Wait::Woken {
                continue;
            }
            // Timed out: decide under the lock, where the state cannot move on under us.
            let _guard = self.lock.lock();
            let state = self.state.load(Relaxed);
            if state & GENERATION_MASK != generation {
                return Ok(index); // Released as we gave up: the lock ordered its writes.
            }
            if state & BROKEN != 0 {
                self.leave_broken();
                return Err(BrokenBarrierError);
            }
            // SAFETY: we hold the lock, which guards `arrivals`.
            if self.arrivals.with(|arrivals| unsafe { (*arrivals).releasing }) {
                // Every party arrived (the action runs): complete, as in Python; wait untimed.
                deadline = Deadline::NEVER;
                continue;
            }
            self.set_state_and_wake_all(state | BROKEN);
            self.leave_broken();
            return Err(BrokenBarrierError);
        }
    }

    /// Sleeps on `state` while it still reads `seen` (apart from `SLEEPERS`).
    fn sleep_while_unchanged(&self, seen: u32, deadline: Deadline) -> Wait {
        let seen = seen | SLEEPERS;
        // Relaxed: only the futex's atomic check orders this against the changer's swap.
        match self.state.fetch_update(Relaxed, Relaxed, |w| (w | SLEEPERS == seen).then_some(seen))
        {
            Ok(_) => block_cost::sleep(&self.state, seen, deadline),
            Err(_) => Wait::Woken,
        }
    }

    /// Replaces the state (under the lock) and wakes every thread asleep on it, if any.
    fn set_state_and_wake_all(&self, new: u32) {
        debug_assert!(is_consistent(new), "Barrier state {new:#x}: a reset without a break");
        // Release: publishes the arrivals' and action's writes to waiters that skip the lock.
        if self.state.swap(new & !SLEEPERS, Release) & SLEEPERS != 0 {
            block_cost::wake_all(&self.state);
        }
    }

    /// A waiter of a broken generation leaves (under the lock).
    fn leave_broken(&self) {
        // SAFETY: the caller holds the lock, which guards `arrivals`.
        self.arrivals.with_mut(|arrivals| unsafe { (*arrivals).arrived -= 1 });
        self.finish_reset_if_drained(self.state.load(Relaxed));
    }

    /// Completes a pending reset once no thread of the broken generation remains (under the
    /// lock).
    fn finish_reset_if_drained(&self, state: u32) {
        // SAFETY: the caller holds the lock, which guards `arrivals`.
        let (arrived, releasing) =
            self.arrivals.with(|arrivals| unsafe { ((*arrivals).arrived, (*arrivals).releasing) });
        if state & RESETTING != 0 && arrived == 0 && !releasing {
            self.set_state_and_wake_all(next_generation(state));
        }
    }
}

/// The next generation's state: unbroken, no reset pending.
fn next_generation(state: u32) -> u32 {
    (state & GENERATION_MASK).wrapping_add(ONE_GENERATION)
}

/// Breaks the barrier if the action unwinds.
struct BreakOnUnwind<'a>(&'a Barrier);

impl Drop for BreakOnUnwind<'_> {
    fn drop(&mut self) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        let barrier = self.0;
        let _guard = barrier.lock.lock();
        // SAFETY: we hold the lock, which guards `arrivals`.
        barrier.arrivals.with_mut(|arrivals| unsafe { (*arrivals).releasing = false });
        let state = barrier.state.load(Relaxed);
        barrier.set_state_and_wake_all(state | BROKEN);
        barrier.finish_reset_if_drained(state | BROKEN);
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("n_waiting", &self.n_waiting())
            .field("broken", &self.broken())
            .field("timeout", &self.timeout)
            .field("action", &self.action.is_some())
            .finish()
    }
}
