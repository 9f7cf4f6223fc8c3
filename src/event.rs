//! `Event`: a flag that threads can wait for, Python's `threading.Event`, in 4 bytes.
//!
//! # What it is
//!
//! [`Event::set`] raises the flag and wakes every waiter; [`Event::clear`] lowers it;
//! [`Event::wait`] returns once the flag is raised. As in Python, a waiter that was
//! waiting when `set()` happened returns even if `clear()` follows at once: a quick
//! `set(); clear();` pulse wakes everybody who was waiting and does not strand anyone.
//!
//! # The state word
//!
//! One word, `state`: the flag, a sleepers bit and a generation number that counts the
//! `set()` calls that raised the flag (the table and its invariant are on the field).
//!
//! # The protocol
//!
//! * **set**: if `SET` is already raised, a no-op write (still a `Release`, so data written
//!   before this `set` is published too). Otherwise one RMW raises `SET`, clears
//!   `SLEEPERS` and bumps the generation; if `SLEEPERS` was raised, wake all.
//! * **clear**: lower `SET`. The generation stays, so waiters can tell that a `set` happened.
//! * **wait**: remember the generation and spin briefly: a `set` is often about to come,
//!   and then costs a cache-line transfer instead of a sleep and a wake (`Spin::HANDOFF`;
//!   BENCHMARKS.md, "Constants in src/"). Then, until `SET` is seen or the generation
//!   moves on: raise `SLEEPERS` (a CAS, so that a concurrent `set` either sees it and wakes
//!   us, or makes our CAS fail and we look again), then sleep while the word is unchanged.
//!
//! The generation makes "was there a `set` while I waited?" exact. It wraps after 2^30
//! raises; a waiter could miss a pulse only if it slept through exactly a multiple of 2^30
//! set/clear pairs between two looks, and every such `set` wakes it.
//!
//! Orderings: `set`'s `Release` pairs with the `Acquire` of every load that can end a
//! wait, so what the setter wrote before `set()` is visible after `wait()` returns true.
//! Everything else is `Relaxed` (each site says why).

use crate::block_cost;
use crate::futex::{Deadline, Wait};
use crate::spin::{Spin, spin_while};
use crate::sync::{AtomicU32, Ordering::*, const_fn_unless_loom};
use core::fmt;
use std::time::Duration;

const SET: u32 = 1;
const SLEEPERS: u32 = 2;
const ONE_GENERATION: u32 = 4;
const GENERATION_MASK: u32 = !(SET | SLEEPERS);

/// The invariant of `Event::state`: a raised flag has no sleepers (`set` clears
/// `SLEEPERS` as it raises `SET`, and a waiter only marks itself while `SET` is clear).
fn is_consistent(s: u32) -> bool {
    s & SET == 0 || s & SLEEPERS == 0
}

/// A flag that threads can wait for: Python's `threading.Event`.
///
/// Under `--cfg loom` it runs on loom's atomics and futex model, so loom checks code that
/// uses it: see [Model-check your own code](crate#model-check-your-own-code).
///
/// ```
/// use threading::Event;
/// use std::{sync::Arc, thread, time::Duration};
///
/// let ready = Arc::new(Event::new());
/// let waiter = thread::spawn({
///     let ready = Arc::clone(&ready);
///     move || ready.wait()
/// });
/// ready.set();
/// waiter.join().unwrap();
/// assert!(ready.is_set());
/// ready.clear();
/// assert!(!ready.wait_timeout(Duration::from_millis(10))); // the flag on return
/// ```
pub struct Event {
    /// | bits | name | meaning |
    /// |---|---|---|
    /// | 0 | `SET` | the flag |
    /// | 1 | `SLEEPERS` | some thread may sleep in `wait` |
    /// | 2..32 | generation | counts the `set()` calls that raised the flag in steps of `ONE_GENERATION`, wrapping |
    ///
    /// Invariant: `SLEEPERS` only while `SET` is clear ([`is_consistent`]).
    state: AtomicU32,
}

impl Event {
    const_fn_unless_loom! {
        /// A new event whose flag is lowered.
        pub fn new() -> Event {
            Event { state: AtomicU32::new(0) }
        }
    }

    /// Whether the flag is raised (`event.is_set()`).
    #[inline]
    pub fn is_set(&self) -> bool {
        // Acquire: a true answer lets the caller read what the setter wrote before set().
        self.state.load(Acquire) & SET != 0
    }

    /// Raises the flag and wakes every waiting thread (`event.set()`).
    #[inline]
    pub fn set(&self) {
        // Release: publish what was written before set() to whoever sees the flag.
        let old = self
            .state
            .fetch_update(Release, Relaxed, |s| {
                Some(if s & SET != 0 {
                    s
                } else {
                    (s & GENERATION_MASK).wrapping_add(ONE_GENERATION) | SET
                })
            })
            .unwrap_or_else(|s| s);
        debug_assert!(is_consistent(old), "Event state {old:#x}: sleepers on a raised flag");
        if old & SLEEPERS != 0 {
            block_cost::wake_all(&self.state);
        }
    }

    /// Lowers the flag (`event.clear()`).
    #[inline]
    pub fn clear(&self) {
        // Relaxed: clearing publishes nothing; waiters only act on a raised flag.
        self.state.fetch_and(!SET, Relaxed);
    }

    /// Blocks until the flag is raised (`event.wait()`).
    pub fn wait(&self) {
        let raised = self.wait_until(Deadline::NEVER);
        debug_assert!(raised);
    }

    /// Waits at most `timeout` for the flag and returns it (`event.wait(timeout=t)`):
    /// true if it was raised (or a `set()` happened while this thread waited).
    /// `Duration::ZERO` only looks; a timeout too large for the clock waits forever.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.is_set() || (!timeout.is_zero() && self.wait_until(Deadline::after(timeout)))
    }

    fn wait_until(&self, deadline: Deadline) -> bool {
        // Acquire (here and below): a raised flag must come with the setter's writes.
        let mut state = self.state.load(Acquire);
        let generation = state & GENERATION_MASK;
        let was_set = |s: u32| s & SET != 0 || s & GENERATION_MASK != generation;
        if !was_set(state) {
            spin_while(&self.state, Spin::HANDOFF, |s| !was_set(s));
            state = self.state.load(Acquire);
        }
        loop {
            if was_set(state) {
                return true;
            }
            let asleep = state | SLEEPERS;
            if state != asleep {
                // Relaxed success: only the futex's atomic check orders us against set().
                if let Err(now) = self.state.compare_exchange(state, asleep, Relaxed, Acquire) {
                    state = now;
                    continue;
                }
            }
            if block_cost::sleep(&self.state, asleep, deadline) == Wait::TimedOut {
                return was_set(self.state.load(Acquire));
            }
            state = self.state.load(Acquire);
        }
    }
}

impl Default for Event {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event").field("is_set", &self.is_set()).finish()
    }
}
