//! The timer scheduler: one thread that waits for the earliest pending deadline, so that a
//! pending [`Timer`](crate::Timer) costs a heap entry instead of a thread.
//!
//! It knows only what it schedules: anything that implements [`Due`] (can say whether it
//! was cancelled, and fires once). `src/timer.rs` implements it for its timers and owns the
//! process's one `Scheduler` and its reset after a fork; this file never names a timer.
//!
//! # What it is
//!
//! Python's `threading.Timer` is a thread that sleeps for the interval, so every pending
//! timer holds a thread, and past the system's thread limit a process can start no other
//! (the pending-timers target: BENCHMARKS.md, "Targets"). Here a started timer is an entry
//! in one binary heap ordered by (deadline, start order), and one scheduler thread sleeps
//! until the earliest deadline. When a deadline passes, the scheduler *fires* the timer
//! ([`Due::fire`]; what firing does is `src/timer.rs`'s). The scheduler thread is started
//! by the first `start()` and ends after [`IDLE`] without any timer; the next `start()`
//! starts a new one.
//!
//! # The state
//!
//! Everything is behind the crate's own [`Lock`] (`Scheduler::lock`), in `State`:
//!
//! | field | meaning |
//! |---|---|
//! | `heap` | the started timers not yet fired, earliest deadline first, ties in start order |
//! | `next_seq` | the start order of the next entry (the tie-breaker) |
//! | `running` | a scheduler thread exists and will look at the heap again before it ends |
//! | `plan` | what the scheduler does once it lets go of the lock: look again (`Awake`), sleep until a deadline (`Until`), or sleep idle (`Idle`) |
//! | `thread` | the latest scheduler thread's handle (dropping it detaches the thread; only loom joins it) |
//!
//! Beside the lock: `kick`, an [`Event`] the scheduler sleeps on (with a timeout: the
//! earliest deadline, or [`IDLE`]), and `stale`, a hint of how many entries belong to
//! cancelled timers.
//!
//! # The protocol
//!
//! * **schedule** (from `Timer::start`): under the lock, start a scheduler thread if none is
//!   `running` (if the OS refuses, `start` returns `Err(SpawnFailed)` and nothing is
//!   queued), push the entry, and decide whether the scheduler must be woken: only if it
//!   sleeps idle or until a deadline later than the new one. Then it is told `Awake`, so
//!   that further starts do not wake it again. `kick` is set after the lock is released.
//! * **scheduler pass**: under the lock, clear `kick`, pop every entry whose deadline has
//!   passed (and every cancelled one that comes to the top, due or not), and record the
//!   plan. Then, without the lock, fire the popped timers in pop order, and sleep on `kick`
//!   until the earliest deadline (or for [`IDLE`]). Clearing `kick` under the lock, before
//!   looking at the heap, is what loses no wake: a start whose entry this pass did not see
//!   took the lock after us, so its `set` comes after our `clear` and ends our sleep.
//! * **memory**: a pass that empties the heap gives its buffer back (freed after the lock
//!   is let go) once it holds room for more than [`KEEP_WHEN_EMPTY`] entries; below that
//!   it keeps it, so a trickle of timers does not allocate on every start.
//! * **end**: a pass that finds the heap empty after an idle sleep that timed out marks the
//!   scheduler not `running` and ends the thread, under the lock: a start either came
//!   before (and the heap is not empty) or comes after and starts a new scheduler.
//! * **cancel** does not touch the scheduler at all: it raises the timer's `CANCELLED` bit,
//!   and its entry stays in the heap until a pass finds it on top (or its deadline comes,
//!   when the fire would lose anyway) and drops it. So a cancel never wakes anybody. To
//!   keep many cancelled long timers from piling up, cancel counts them in `stale`, and a
//!   start that finds more than half the heap stale removes them all
//!   (`BinaryHeap::retain`, amortised O(1) per start).
//! * **fork**: a hook in the child (`src/fork.rs`; `src/timer.rs` registers it) empties
//!   the child's scheduler ([`Scheduler::forget_the_parents_timers`]).
//!
//! Deadlines are absolute [`Instant`]s (the monotonic clock, the one the futex seam's
//! timed wait uses), so a wait cut short by a kick or a spurious wake-up never pushes a
//! deadline back, and an entry is only popped once the clock has reached it: never early.
//! `Duration::MAX` (any interval too large for the clock) never gets an entry at all.
//!
//! Orderings: the state is published by the lock; `kick` is only a wake-up, never a
//! decision. `stale` is `Relaxed`: it only tunes when to compact, and is reset afterwards.
//!
//! Under loom, where a timed wait may report a timeout at once (`src/futex/model.rs`), the
//! scheduler takes the deadline it waited for as reached. So loom explores every timer
//! firing at every point, and the scheduler's end (after the idle wait "times out") racing
//! every start.

use crate::error::TimerError;
use crate::event::Event;
use crate::lock::Lock;
use crate::sync::{AtomicUsize, Ordering::Relaxed, UnsafeCell, thread};
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::time::{Duration, Instant};

/// How long the scheduler thread lingers without any pending timer before it ends: long
/// enough that a program starting a timer every few seconds does not pay for a new thread
/// each time, short enough that an idle process does not keep a thread for nothing.
pub(crate) const IDLE: Duration = Duration::from_secs(10);

/// A heap of fewer entries is never compacted: scanning it would cost more than it holds.
const COMPACT_FROM: usize = 1024;

/// An emptied heap (or list of due timers) keeps room for up to this many entries, so that
/// a steady trickle of timers does not allocate on every start; a larger buffer goes back
/// as soon as it empties, so that a burst leaves no memory behind.
const KEEP_WHEN_EMPTY: usize = 1024;

/// What the scheduler schedules (a timer, in `src/timer.rs`): a handle it queues until the
/// deadline, then fires, unless it was cancelled first.
pub(crate) trait Due: Send + 'static {
    /// Whether it was cancelled, so that firing it would only lose: its entry may go
    /// without firing. A snapshot; once true it stays true.
    fn is_cancelled(&self) -> bool;

    /// The deadline has passed: fire it (once). Returns the thread it started, if any: the
    /// scheduler lets that thread go, except under loom, where it joins it before it ends.
    fn fire(self) -> Option<thread::JoinHandle<()>>;
}

/// One started timer waiting for its deadline.
struct Entry<T> {
    deadline: Instant,
    /// Start order, so that equal deadlines fire in the order the timers were started.
    seq: u64,
    timer: T,
}

impl<T> Entry<T> {
    fn key(&self) -> (Instant, u64) {
        (self.deadline, self.seq)
    }
}

// `BinaryHeap` is a max-heap: the entry that must fire first compares greatest.
impl<T> Ord for Entry<T> {
    fn cmp(&self, other: &Self) -> Ordering {
        other.key().cmp(&self.key())
    }
}

impl<T> PartialOrd for Entry<T> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<T> PartialEq for Entry<T> {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl<T> Eq for Entry<T> {}

/// What the scheduler does once it releases the lock.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Plan {
    /// It will look at the heap again before sleeping: nobody needs to wake it.
    Awake,
    /// It sleeps until this deadline: only an earlier one needs to wake it.
    Until(Instant),
    /// It sleeps with nothing to wait for: any new timer needs to wake it.
    Idle,
}

/// Everything behind `Scheduler::lock` (the module doc's table).
struct State<T> {
    heap: BinaryHeap<Entry<T>>,
    next_seq: u64,
    running: bool,
    plan: Plan,
    thread: Option<thread::JoinHandle<()>>,
}

/// A timer scheduler (the process has one, in a static of `src/timer.rs`).
pub(crate) struct Scheduler<T> {
    lock: Lock,
    /// Only accessed while holding `lock`.
    state: UnsafeCell<State<T>>,
    /// The scheduler sleeps on it; a start that brings an earlier deadline sets it.
    kick: Event,
    /// About how many heap entries belong to cancelled timers (a hint for compaction).
    stale: AtomicUsize,
}

// SAFETY: `state` is only accessed while holding `lock`, and what it holds (instants,
// counters, a thread handle and `T: Send` entries) may move between threads.
unsafe impl<T: Send> Sync for Scheduler<T> {}

/// How the scheduler thread holds its scheduler: the process's static; under loom an `Arc`,
/// because loom drops its statics when the model's main thread returns, while the scheduler
/// thread (joined by then, see `join`) still takes its last step.
#[cfg(not(loom))]
pub(crate) type Handle<T> = &'static Scheduler<T>;
#[cfg(loom)]
pub(crate) type Handle<T> = std::sync::Arc<Scheduler<T>>;

impl<T> State<T> {
    /// No timer, no thread: a process's scheduler before its first start.
    const fn empty() -> State<T> {
        State {
            heap: BinaryHeap::new(),
            next_seq: 0,
            running: false,
            plan: Plan::Awake,
            thread: None,
        }
    }
}

impl<T: Due> Scheduler<T> {
    crate::sync::const_fn_unless_loom! {
        pub(crate) fn new() -> Scheduler<T> {
            Scheduler {
                lock: Lock::new(),
                state: UnsafeCell::new(State::empty()),
                kick: Event::new(),
                stale: AtomicUsize::new(0),
            }
        }
    }

    /// In a forked child, where only the forking thread exists (the at-fork handler calls
    /// this): the scheduler of a fresh process, whatever the parent's threads were doing
    /// with it. Nothing here allocates, frees or waits.
    pub(crate) fn forget_the_parents_timers(&self) {
        // A parent thread may have held the lock at the fork; it does not exist here, and
        // any thread may release a `Lock`. The forking thread held it only if it forked from
        // a signal handler inside one of our calls: not supported (POSIX allows such a
        // child only async-signal-safe calls).
        let _ = self.lock.release(); // Err(Unlocked): it was free
        // Leaked, not dropped: dropping the parent's entries could run destructors of what
        // their functions captured against state the parent's threads left half-changed,
        // and its scheduler thread's handle names a thread that does not exist here.
        // SAFETY: no other thread exists in the child, and the forking thread was in no
        // critical section of ours (above): nobody holds a reference into the state.
        self.state.with_mut(|state| unsafe { core::ptr::write(state, State::empty()) });
        self.kick.clear();
        // Relaxed: a hint, and no other thread exists here.
        self.stale.store(0, Relaxed);
    }

    /// Runs `f` on the state. The caller holds `lock`.
    fn with_state<R>(&self, f: impl FnOnce(&mut State<T>) -> R) -> R {
        // SAFETY: every caller holds `lock`, so this is the only access to `state` now.
        self.state.with_mut(|state| f(unsafe { &mut *state }))
    }

    /// Queues `timer` to fire at `deadline`, starting the scheduler thread if there is none;
    /// `Err(SpawnFailed)` if that thread was needed and the OS refused it (nothing is
    /// queued then).
    pub(crate) fn schedule(
        this: &Handle<T>,
        deadline: Instant,
        timer: T,
    ) -> Result<(), TimerError> {
        let guard = this.lock.lock();
        let kick = this.with_state(|state| {
            if !state.running {
                // Spawned under the lock: a scheduler that is just ending marks itself not
                // running under it too, so exactly one of us starts the next one.
                let thread = spawn(Clone::clone(this)).map_err(|_| TimerError::SpawnFailed)?;
                state.thread = Some(thread);
                state.running = true;
                state.plan = Plan::Awake;
            }
            // Relaxed: a hint; a wrong guess costs a scan or some memory, never a timer.
            if state.heap.len() >= COMPACT_FROM && this.stale.load(Relaxed) * 2 > state.heap.len() {
                state.heap.retain(|entry| !entry.timer.is_cancelled());
                this.stale.store(0, Relaxed);
            }
            let seq = state.next_seq;
            state.next_seq += 1;
            state.heap.push(Entry { deadline, seq, timer });
            let kick = match state.plan {
                Plan::Awake => false,
                Plan::Until(wake) => deadline < wake,
                Plan::Idle => true,
            };
            if kick {
                state.plan = Plan::Awake;
            }
            Ok(kick)
        })?;
        drop(guard);
        if kick {
            this.kick.set();
        }
        Ok(())
    }

    /// Notes that a queued timer was cancelled: its entry is now stale.
    pub(crate) fn note_cancelled(&self) {
        // Relaxed: a hint for compaction (see `stale`).
        self.stale.fetch_add(1, Relaxed);
    }

    /// One stale entry left the heap.
    fn forget_stale_entry(&self) {
        // Relaxed: a hint (see `stale`); never below zero, though a cancel may count its
        // entry only after we dropped it.
        let _ = self.stale.fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1));
    }

    /// The scheduler thread's whole life (see the module's protocol).
    fn run(&self) {
        let mut due = Vec::new();
        // An emptied heap's memory, freed once the lock is let go.
        let mut emptied = BinaryHeap::new();
        // Under loom, the functions' threads, joined before this thread ends.
        #[cfg(loom)]
        let mut functions = Vec::new();
        // The deadline the last wait reached by timing out: under loom, the only clock.
        let mut reached: Option<Instant> = None;
        let mut idle_expired = false;
        loop {
            let guard = self.lock.lock();
            let next = self.with_state(|state| {
                self.kick.clear();
                let now = now(reached);
                let is_due = |entry: &Entry<T>| now.is_some_and(|now| entry.deadline <= now);
                // Cancelled timers on top go too, due or not: so the next sleep is for the
                // first live deadline, not for one whose fire would only lose.
                while let Some(top) = state.heap.peek() {
                    if top.timer.is_cancelled() {
                        drop(state.heap.pop());
                        self.forget_stale_entry();
                    } else if is_due(top) {
                        due.push(state.heap.pop().expect("peeked").timer);
                    } else {
                        break;
                    }
                }
                let next = state.heap.peek().map(|entry| entry.deadline);
                if next.is_none() && state.heap.capacity() > KEEP_WHEN_EMPTY {
                    emptied = core::mem::take(&mut state.heap);
                }
                if next.is_none() && due.is_empty() && idle_expired {
                    state.running = false;
                    return None;
                }
                state.plan = next.map_or(Plan::Idle, Plan::Until);
                Some(next)
            });
            drop(guard);
            drop(core::mem::take(&mut emptied));
            let Some(next) = next else {
                #[cfg(loom)]
                for function in functions {
                    // A function's panic ended only its own thread.
                    let _ = thread::JoinHandle::join(function);
                }
                return;
            };
            for timer in due.drain(..) {
                #[cfg(not(loom))]
                drop(timer.fire());
                #[cfg(loom)]
                functions.extend(timer.fire());
            }
            if due.capacity() > KEEP_WHEN_EMPTY {
                due = Vec::new();
            }
            let timeout = next.map_or(IDLE, time_until);
            // Kicked: look again. Timed out: the deadline (or the idle time) has passed.
            let kicked = self.kick.wait_timeout(timeout);
            idle_expired = !kicked && next.is_none();
            reached = if kicked { None } else { next };
        }
    }
}

/// The time by which an entry is due: the clock; under loom (no clock), the deadline the
/// last wait reached by timing out, or none at all.
#[cfg(not(loom))]
fn now(_reached: Option<Instant>) -> Option<Instant> {
    Some(Instant::now())
}

#[cfg(loom)]
fn now(reached: Option<Instant>) -> Option<Instant> {
    reached
}

/// How long to sleep for `deadline`: by the clock; under loom (no clock, and a model must be
/// deterministic) always a real wait, which the model ends with a timeout.
#[cfg(not(loom))]
fn time_until(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

#[cfg(loom)]
fn time_until(_deadline: Instant) -> Duration {
    IDLE
}

/// Starts the scheduler thread of `scheduler`.
fn spawn<T: Due>(scheduler: Handle<T>) -> std::io::Result<thread::JoinHandle<()>> {
    let thread = thread::Builder::new().name("threading::Timer scheduler".to_owned());
    thread.spawn(move || scheduler.run())
}

#[cfg(loom)]
impl<T: Due> Scheduler<T> {
    /// Waits until no scheduler thread is left, nor any timer function's thread (under loom
    /// the scheduler joins those before it ends): the scheduler ends once no timer is queued
    /// and its idle wait timed out (at once, under loom). A loom model must call this before
    /// its main thread returns, because loom tears down its statics (the futex model's among
    /// them) then, while a thread raising `finished` on its way out may still be waking.
    pub(crate) fn join(&self) {
        loop {
            let thread = {
                let _guard = self.lock.lock();
                self.with_state(|state| state.thread.take())
            };
            match thread {
                Some(thread) => thread.join().expect("the scheduler thread does not panic"),
                None => return,
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::Entry;
    use std::collections::BinaryHeap;
    use std::time::{Duration, Instant};

    /// Equal deadlines pop in start order, earlier deadlines first whatever the order.
    #[test]
    fn equal_deadlines_pop_in_start_order() {
        let now = Instant::now();
        let later = now + Duration::from_millis(1);
        let mut heap = BinaryHeap::new();
        let keys = [(later, 0), (now, 1), (later, 2), (now, 3), (now, 4), (later, 5)];
        for (deadline, seq) in keys {
            heap.push(Entry { deadline, seq, timer: () });
        }
        let popped: Vec<u64> = std::iter::from_fn(|| heap.pop().map(|e| e.seq)).collect();
        assert_eq!(popped, [1, 3, 4, 0, 2, 5]);
    }
}
