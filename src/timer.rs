//! `Timer`: run a function on its own thread after an interval unless cancelled first,
//! Python's `threading.Timer`; a pending timer costs no thread.
//!
//! # What it is
//!
//! [`Timer::new`] takes an interval and a function; [`Timer::start`] (once) queues the timer
//! with the process's one timer scheduler (`src/scheduler.rs`), which fires it when the
//! interval has passed, unless [`Timer::cancel`] came first. Firing gives the function a new
//! thread of its own, as Python's timer thread is, so a slow function never delays another
//! timer. Cancelling has no effect once the function has begun. [`Timer::join`] waits until
//! the timer is done. A function that panics ends only its own thread. Unlike Python's, a
//! pending timer is no thread: it is a small entry in the scheduler's heap, and every
//! pending timer shares the one scheduler thread.
//!
//! # The state
//!
//! All of a timer is one `Shared`, behind an `Arc` that the `Timer`, the scheduler's heap
//! entry and the function's thread hold: a word `state` of three bits that only rise
//! (started, cancelled, fired) with the fork generation above them, an [`Event`]
//! `finished` that `join` waits for, and the function, in an `UnsafeCell` that only the
//! winner of the fire/cancel race ever touches (the table and the invariant are on the
//! fields of `Shared`).
//!
//! # The protocol
//!
//! * **start**: one RMW raises `STARTED` and records the generation; a caller that finds
//!   `STARTED` raised gets `Err(AlreadyStarted)`. If `CANCELLED` was already raised, that
//!   cancel finished the timer: nothing more to do. Otherwise the timer is queued for
//!   `now + interval` (an interval too large for the clock never fires and is not queued).
//!   If the scheduler thread had to be started and the OS refused it, `STARTED` is lowered
//!   again and `start` returns `Err(SpawnFailed)`.
//! * **fire** (the scheduler, once the deadline has passed): one RMW raises `FIRED` only if
//!   `CANCELLED` is not raised. Win: take the function and spawn its thread, which runs it
//!   and raises `finished` as its last act (also while unwinding). If the OS refuses that
//!   thread, the function is dropped unrun on the scheduler thread (a panic from that drop
//!   is caught there: that thread serves every timer), `finished` is raised, and
//!   `src/timer_report.rs` counts it and prints a line: there is no caller left to return
//!   an `Err` to, and the scheduler goes on serving the others.
//! * **cancel**: one RMW raises `CANCELLED` only if neither it nor `FIRED` is raised. Win:
//!   take the function and drop it (with whatever it owns), then raise `finished`, also if
//!   that drop panics (the panic goes on, out of `cancel`). The heap entry stays until its
//!   deadline (the fire then loses): a cancel wakes nobody.
//! * **join**: if started, wait for `finished`. The function's thread is not joined (the
//!   scheduler lets it go): `finished` is its last act after the function and everything
//!   it owned were dropped, and a fired timer that is kept but never joined then holds no
//!   thread stack. The function's thread marks itself, in a thread-local, as running
//!   this timer while the function runs, so that a `join` from there panics (see `join`).
//! * **fork**: in the child, a timer whose recorded generation is not the child's is over
//!   (not alive, joined at once, nothing to cancel), whatever its bits say: its entry
//!   and its function's thread stayed with the parent (a hook of `src/fork.rs` resets the
//!   child's scheduler). Its function, if nobody took it, is leaked rather than dropped.
//!
//! Because fire and cancel are each a single RMW on the same word, they are ordered by that
//! word's modification order: exactly one of them wins, and the function runs iff cancel
//! lost. The winner alone touches the function, so the cell needs no lock.
//!
//! Orderings: every access to `state` is `Relaxed`: the bits decide who wins (which the
//! word's single modification order does on its own) and publish no data. The function
//! reaches the scheduler through the scheduler's lock (queued after `new`), and a
//! canceller through whatever gave it the `Timer`; its effects reach `join` through
//! `finished` (`Release` set, `Acquire` wait).
//!
//! Under loom the scheduler and the function's threads are loom threads and the interval
//! may end at any moment (`src/scheduler.rs`), so loom explores cancel racing fire at every
//! point, across the starter, the scheduler and the function's thread.

use crate::error::TimerError;
use crate::event::Event;
use crate::fork;
use crate::scheduler::{self, Due, Scheduler};
use crate::sync::{Arc, AtomicU32, Ordering::*, UnsafeCell, thread, thread_local};
use core::cell::Cell;
use core::fmt;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

const STARTED: u32 = 1;
const CANCELLED: u32 = 2;
const FIRED: u32 = 4;
const FLAGS: u32 = STARTED | CANCELLED | FIRED;
/// Above the three bits, `start` records the process's fork generation
/// (`generation`, its low 29 bits).
const GENERATION_SHIFT: u32 = 3;

/// The invariant of `Shared::state`: a cancel and a fire never both win.
fn is_consistent(s: u32) -> bool {
    s & (CANCELLED | FIRED) != CANCELLED | FIRED
}

/// The state word's generation bits for the calling process.
fn this_process() -> u32 {
    fork::generation() << GENERATION_SHIFT
}

/// Whether state `s` says the timer was started in this process, not in one that this
/// process is a fork of.
fn started_here(s: u32) -> bool {
    s & STARTED != 0 && s & !FLAGS == this_process()
}

type Function = Box<dyn FnOnce() + Send + 'static>;

/// What a timer shares with the scheduler and with its function's thread: all of a
/// timer's state, one allocation per timer.
pub(crate) struct Shared {
    /// | bits | name | meaning |
    /// |---|---|---|
    /// | 0 | `STARTED` | `start()` has been called (lowered again only if `start` returned `SpawnFailed`) |
    /// | 1 | `CANCELLED` | a `cancel()` won: the function will never run |
    /// | 2 | `FIRED` | the scheduler won: the function runs (or ran, or its thread was refused); `cancel()` changes nothing |
    /// | 3..32 | generation | the process's fork generation when `start` ran (`generation`): a timer started in a process that this one is a `fork()` of is over here |
    ///
    /// Invariant: `CANCELLED` and `FIRED` exclude each other ([`is_consistent`]).
    state: AtomicU32,
    /// Raised when the timer is done: its function returned or panicked, or could not get
    /// a thread, or a cancel won. `join` waits for it.
    finished: Event,
    /// The function, until the winner of the fire/cancel race takes it.
    function: UnsafeCell<Option<Function>>,
}

// SAFETY: `function` is `Send`. It is touched by `new`, then only by the single winner of
// the fire/cancel race (one RMW on `state` elects it, and there is no second winner), then
// by the drop of the last `Arc`. The winner got the timer after `new` through whatever
// handed it over (the scheduler's lock, or the caller's own synchronisation), and `Arc`'s
// drop orders the last access before the free.
unsafe impl Sync for Shared {}
// SAFETY: as for `Sync`: the function inside is `Send`.
unsafe impl Send for Shared {}

impl Shared {
    pub(crate) fn new(function: Function) -> Shared {
        Shared {
            state: AtomicU32::new(0),
            finished: Event::new(),
            function: UnsafeCell::new(Some(function)),
        }
    }

    /// Takes the function: only the winner of the fire/cancel race calls this, once.
    fn take_function(&self) -> Option<Function> {
        // SAFETY: the caller won the RMW that decides between fire and cancel, so no other
        // thread touches `function` before the last `Arc` drops it (see `Sync` above).
        self.function.with_mut(|function| unsafe { (*function).take() })
    }

    /// A cancel won: drop the function (with whatever it holds), then let `join` return,
    /// also if that drop panics (the panic goes on, out of `cancel`).
    fn cancelled(&self) {
        let _finished = SetOnDrop(&self.finished);
        drop(self.take_function());
    }
}

/// What the scheduler queues for a started timer: the timer itself.
impl Due for Arc<Shared> {
    fn is_cancelled(&self) -> bool {
        // Relaxed: a snapshot; once raised the bit stays.
        self.state.load(Relaxed) & CANCELLED != 0
    }

    /// The deadline has passed: the module doc's **fire**. Returns the function's thread,
    /// which the scheduler lets go.
    fn fire(self) -> Option<thread::JoinHandle<()>> {
        let timer = self;
        // Relaxed: the word's modification order alone decides between fire and cancel.
        let fired = timer
            .state
            .fetch_update(Relaxed, Relaxed, |s| (s & CANCELLED == 0).then_some(s | FIRED));
        let old = fired.unwrap_or_else(|s| s);
        debug_assert!(is_consistent(old), "Timer state {old:#x}: cancelled and fired");
        if fired.is_err() {
            return None; // The cancel won and finished the timer.
        }
        let function = timer.take_function().expect("the fire won: the function is there");
        let shared = Arc::clone(&timer);
        let body = move || {
            // Created first, dropped last: `finished` rises after the function and
            // everything it owned are gone, also when it unwinds.
            let _finished = SetOnDrop(&shared.finished);
            let _running = RunningHere::enter(&shared);
            function();
        };
        let builder = thread::Builder::new().name("threading::Timer".to_owned());
        // A refused spawn drops `body` unrun, here, on the scheduler thread: a panic from
        // the function's drop must not end the thread every other timer depends on.
        let spawned = std::panic::catch_unwind(AssertUnwindSafe(|| builder.spawn(body)));
        let refused = match spawned {
            Ok(Ok(thread)) => return Some(thread),
            Ok(Err(error)) => error.to_string(),
            Err(_) => "refused, and dropping the function panicked".to_owned(),
        };
        crate::timer_report::function_thread_refused(&refused);
        timer.finished.set();
        None
    }
}

#[cfg(not(loom))]
static SCHEDULER: Scheduler<Arc<Shared>> = Scheduler::new();

/// The process's one timer scheduler.
#[cfg(not(loom))]
fn scheduler() -> scheduler::Handle<Arc<Shared>> {
    &SCHEDULER
}

// Under loom a fresh scheduler for every explored execution (see `scheduler::Handle`).
#[cfg(loom)]
loom::lazy_static! {
    static ref SCHEDULER: scheduler::Handle<Arc<Shared>> = std::sync::Arc::new(Scheduler::new());
}

/// The model's one timer scheduler.
#[cfg(loom)]
fn scheduler() -> scheduler::Handle<Arc<Shared>> {
    std::sync::Arc::clone(&SCHEDULER)
}

/// Waits until the timer scheduler's thread has ended (see `Scheduler::join`).
#[cfg(loom)]
pub(crate) fn join_scheduler() {
    scheduler().join();
}

/// Makes sure a `fork()` from now on resets the scheduler in the child, where the parent's
/// timers are over (the module doc's **fork**); `Timer::start` calls it before it records
/// the generation.
fn watch_forks() {
    static FORGET_THE_PARENTS_TIMERS: fork::ChildHook =
        fork::ChildHook::new(|| scheduler().forget_the_parents_timers());
    FORGET_THE_PARENTS_TIMERS.watch();
}

thread_local! {
    /// The timer whose function this thread runs, null on every other thread: its `join`
    /// called here would wait for itself.
    #[allow(clippy::missing_const_for_thread_local)] // loom's thread_local! has no const form.
    static RUNNING_HERE: Cell<*const Shared> = Cell::new(core::ptr::null());
}

/// Marks the calling thread as the one running `timer`'s function until dropped (also while
/// unwinding), so that the function's own `join` is refused instead of waiting for ever.
struct RunningHere;

impl RunningHere {
    fn enter(timer: &Shared) -> RunningHere {
        RUNNING_HERE.with(|running| running.set(timer));
        RunningHere
    }

    /// Whether the calling thread runs `timer`'s function now.
    fn is(timer: &Shared) -> bool {
        // Only compared, never dereferenced.
        RUNNING_HERE.with(|running| core::ptr::eq(running.get(), timer))
    }
}

impl Drop for RunningHere {
    fn drop(&mut self) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        RUNNING_HERE.with(|running| running.set(core::ptr::null()));
    }
}

/// Raises an event when dropped, so that `finished` rises even if the function panics.
struct SetOnDrop<'a>(&'a Event);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        if crate::sync::model_is_unwinding() {
            return;
        }
        self.0.set();
    }
}

/// Calls a function on a new thread after an interval, unless cancelled first: Python's
/// `threading.Timer`.
///
/// Under `--cfg loom` it runs on loom's atomics, futex model and threads (its interval
/// may end at any moment): see [Model-check your own code](crate#model-check-your-own-code).
///
/// Dropping a started `Timer` does not cancel it (as in Python, it still fires); call
/// [`cancel`](Self::cancel) for that.
///
/// # Fork
///
/// In the child of a `fork()`, timers work as in a fresh process: one started there fires.
/// A timer the parent had started (pending, or with its function running) is over in the
/// child, as Python's `_after_fork` marks the parent's threads stopped: it never fires
/// there, [`is_alive`](Self::is_alive) is false, [`join`](Self::join) returns at once and
/// [`cancel`](Self::cancel) changes nothing. Its function is never run nor dropped in the
/// child (it is leaked there). This holds whatever the parent's threads were doing at the
/// fork, a `start` or `cancel` included.
///
/// # Thread-local destructors on Windows
///
/// Windows runs a thread-local destructor under the process's loader lock, which every new
/// thread needs before it runs. A timer started there may start, be cancelled and be
/// joined, but one that fires gets its function's thread only after the destructor has
/// returned: joining it inside the destructor would wait for ever, as std's `spawn` +
/// `join` would there.
///
/// ```
/// use threading::Timer;
/// use std::sync::mpsc;
/// use std::time::Duration;
///
/// let (tx, rx) = mpsc::channel();
/// let timer = Timer::new(Duration::from_millis(10), move || tx.send("fired").unwrap());
/// timer.start().unwrap();
/// assert_eq!(rx.recv().unwrap(), "fired");
/// timer.join();
/// assert!(!timer.is_alive());
///
/// let never = Timer::new(Duration::from_secs(60), || unreachable!());
/// never.start().unwrap();
/// never.cancel(); // long before the minute is up: the function never runs
/// never.join();   // returns at once: the cancel cut the wait short
/// assert!(never.is_cancelled());
/// ```
pub struct Timer {
    interval: Duration,
    shared: Arc<Shared>,
}

impl Timer {
    /// A timer that will call `function` `interval` after [`start`](Self::start)
    /// (`threading.Timer(interval, function)`). Nothing happens until `start`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let timer = threading::Timer::new(Duration::from_secs(1), || println!("hello"));
    /// assert!(!timer.is_alive());
    /// ```
    pub fn new(interval: Duration, function: impl FnOnce() + Send + 'static) -> Timer {
        Timer { interval, shared: Arc::new(Shared::new(Box::new(function))) }
    }

    /// Starts the timer (`timer.start()`): its function will run on a new thread once the
    /// interval has passed, unless cancelled first. Until then the timer costs no thread,
    /// only an entry in the process's one timer scheduler. A timer starts at most once:
    /// later calls return `Err(TimerError::AlreadyStarted)` (Python's `RuntimeError`) and
    /// change nothing. A timer cancelled before it was started still starts, and is
    /// finished at once without calling the function.
    ///
    /// # Errors
    ///
    /// [`TimerError::AlreadyStarted`] as above; [`TimerError::SpawnFailed`] (Python's
    /// `RuntimeError: can't start new thread`) if the scheduler thread had to be started
    /// and the operating system refused it: the timer then stays not started (`is_alive()`
    /// is false, `join()` returns at once) and may be started again. Once the scheduler
    /// runs, `start` spawns nothing; if the OS refuses the *function's* thread when the
    /// timer fires, the timer ends without running the function, a line on stderr says so,
    /// and [`diagnostics::timer_spawn_failures`](crate::diagnostics::timer_spawn_failures)
    /// counts it.
    ///
    /// ```
    /// use threading::{Timer, TimerError};
    /// use std::time::Duration;
    /// let timer = Timer::new(Duration::ZERO, || {});
    /// assert_eq!(timer.start(), Ok(()));
    /// assert_eq!(timer.start(), Err(TimerError::AlreadyStarted));
    /// timer.join();
    /// ```
    pub fn start(&self) -> Result<(), TimerError> {
        // Before the generation is read: a fork after this resets the child's scheduler.
        watch_forks();
        let this_process = this_process();
        // Relaxed: the bit only elects the caller that queues the timer; the scheduler's
        // lock publishes the timer.
        let started = self.shared.state.fetch_update(Relaxed, Relaxed, |s| {
            (s & STARTED == 0).then_some((s & (CANCELLED | FIRED)) | STARTED | this_process)
        });
        let Ok(old) = started else {
            return Err(TimerError::AlreadyStarted);
        };
        if old & CANCELLED != 0 {
            return Ok(());
        }
        let Some(deadline) = Instant::now().checked_add(self.interval) else {
            return Ok(());
        };
        Scheduler::schedule(&scheduler(), deadline, Arc::clone(&self.shared)).inspect_err(|_| {
            // Relaxed: as above; whoever learns of the failure learns it from our `Err`.
            self.shared.state.fetch_and(!STARTED, Relaxed);
        })
    }

    /// Stops the timer if its function has not begun yet (`timer.cancel()`): the function
    /// then never runs (it is dropped now), and the timer is finished at once. Once the
    /// function has begun, this does nothing. A timer cancelled before it was started
    /// finishes as soon as it is started. A cancel wakes no thread.
    ///
    /// ```
    /// use std::time::Duration;
    /// let timer = threading::Timer::new(Duration::from_secs(60), || unreachable!());
    /// timer.start().unwrap();
    /// timer.cancel();
    /// timer.join();
    /// ```
    pub fn cancel(&self) {
        // Relaxed: as in `fire`, the word's modification order decides the race.
        let won = self.shared.state.fetch_update(Relaxed, Relaxed, |s| {
            let over_here = s & STARTED != 0 && !started_here(s);
            (s & (CANCELLED | FIRED) == 0 && !over_here).then_some(s | CANCELLED)
        });
        let old = won.unwrap_or_else(|s| s);
        debug_assert!(is_consistent(old), "Timer state {old:#x}: cancelled and fired");
        if won.is_ok() {
            self.shared.cancelled();
            if old & STARTED != 0 {
                scheduler().note_cancelled();
            }
        }
    }

    /// Whether a [`cancel`](Self::cancel) came before the function began, so that it never
    /// runs. (Not in Python, where the answer is only visible as the function not running.)
    ///
    /// ```
    /// use std::time::Duration;
    /// let timer = threading::Timer::new(Duration::from_secs(60), || {});
    /// assert!(!timer.is_cancelled());
    /// timer.cancel();
    /// assert!(timer.is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        Due::is_cancelled(&self.shared)
    }

    /// Waits until the timer is done: its function has returned or panicked (or could not
    /// get a thread), or the timer was cancelled (`timer.join()`). Returns at once if the
    /// timer was never started. What the function did, and the drop of what it captured,
    /// are visible to the caller afterwards. Unlike Python's, it does not wait for the
    /// thread that ran the function to exit: that thread's thread-local destructors may
    /// still run after `join` returns.
    ///
    /// # Panics
    ///
    /// Called from the timer's own function, where it would wait for itself for ever, it
    /// panics at once with Python's words, "cannot join current thread" (Python raises
    /// `RuntimeError`). The panic ends the function's thread like any other panic in it,
    /// unless the function catches it; other threads' joins return once the function ends.
    ///
    /// ```
    /// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
    /// use std::time::Duration;
    /// let ran = Arc::new(AtomicBool::new(false));
    /// let flag = Arc::clone(&ran);
    /// let timer = threading::Timer::new(Duration::ZERO, move || flag.store(true, Ordering::Relaxed));
    /// timer.join(); // not started: returns at once
    /// timer.start().unwrap();
    /// timer.join();
    /// assert!(ran.load(Ordering::Relaxed));
    /// ```
    pub fn join(&self) {
        self.refuse_joining_itself();
        if self.started() {
            self.shared.finished.wait();
        }
    }

    /// Waits at most `timeout` for the timer to finish; true if it has (or was never
    /// started, when [`join`](Self::join) would not wait either).
    ///
    /// # Panics
    ///
    /// As [`join`](Self::join): called from the timer's own function, it panics at once with
    /// "cannot join current thread" instead of waiting out the timeout for itself.
    ///
    /// ```
    /// use std::time::Duration;
    /// let timer = threading::Timer::new(Duration::from_secs(60), || {});
    /// timer.start().unwrap();
    /// assert!(!timer.join_timeout(Duration::from_millis(1)));
    /// timer.cancel();
    /// assert!(timer.join_timeout(Duration::MAX));
    /// ```
    pub fn join_timeout(&self, timeout: Duration) -> bool {
        self.refuse_joining_itself();
        if !self.started() {
            return true;
        }
        self.shared.finished.wait_timeout(timeout)
    }

    /// Whether the timer has been started and is not done yet (`timer.is_alive()`): true
    /// while it is pending and while its function runs; false again once the function
    /// returned or panicked, or the timer was cancelled.
    ///
    /// ```
    /// use std::time::Duration;
    /// let timer = threading::Timer::new(Duration::from_secs(60), || {});
    /// assert!(!timer.is_alive());
    /// timer.start().unwrap();
    /// assert!(timer.is_alive());
    /// timer.cancel();
    /// timer.join();
    /// assert!(!timer.is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        self.started() && !self.shared.finished.is_set()
    }

    /// The interval given to [`new`](Self::new) (`timer.interval`).
    ///
    /// ```
    /// use std::time::Duration;
    /// let timer = threading::Timer::new(Duration::from_millis(5), || {});
    /// assert_eq!(timer.interval(), Duration::from_millis(5));
    /// ```
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Panics, with Python's words, if the calling thread runs this timer's function.
    fn refuse_joining_itself(&self) {
        if RunningHere::is(&self.shared) {
            panic!("cannot join current thread");
        }
    }

    /// Started in this process: not before a fork that made this process (such a timer is
    /// over here).
    fn started(&self) -> bool {
        // Relaxed: whoever started the timer, or learnt of it through any synchronisation,
        // sees that write.
        started_here(self.shared.state.load(Relaxed))
    }
}

/// In a forked child, a timer the parent had started is over, but its function (if nobody
/// ran or dropped it) still belongs to the parent: the child leaks it instead of dropping it,
/// as it leaks the scheduler's entries (`Scheduler::forget_the_parents_timers`).
#[cfg(all(unix, not(loom), not(miri)))]
impl Drop for Timer {
    fn drop(&mut self) {
        // Relaxed: a snapshot; the bits and the generation of a timer started elsewhere
        // no longer change here.
        let state = self.shared.state.load(Relaxed);
        if state & STARTED != 0 && !started_here(state) {
            core::mem::forget(Arc::clone(&self.shared));
        }
    }
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Relaxed: a snapshot for display.
        let state = self.shared.state.load(Relaxed);
        f.debug_struct("Timer")
            .field("interval", &self.interval)
            .field("started", &(state & STARTED != 0))
            .field("cancelled", &(state & CANCELLED != 0))
            .field("fired", &(state & FIRED != 0))
            .field("alive", &self.is_alive())
            .finish()
    }
}
