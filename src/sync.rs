//! The switch between real atomics and loom's model-checked ones.
//!
//! Every primitive imports its atomics, its `UnsafeCell`, its spin hint and its
//! `thread_local!` from here, never from `core` or `std` directly. A normal build gets
//! the real things; a build with `RUSTFLAGS="--cfg loom"` gets loom's instrumented
//! versions, so that `tests/loom/` explores every interleaving and every weak-memory
//! outcome the orderings allow. Nothing else in the crate needs to know which is which.
//!
//! # Spinning
//!
//! It also holds the crate's one spin policy: how long a thread busy-waits on a word before
//! it sleeps. Every budget is a [`Spin`] constant here (`HANDOFF`, `LOCK`, `BARRIER`), and
//! one loop, [`Spinner::spin_remaining_while`], spends them all.
//!
//! ## Budgets are time, not pause counts
//!
//! A spin is a run of pause instructions (`spin_loop()`) with a look at the word between
//! them, then a few yields. What a budget has to cover is *time*: the critical section a
//! waiter hopes to outlast, or the moment a handoff partner is about to signal. But a
//! pause costs very different times on different CPUs (a few ns to tens: 8.6 ns on one
//! Intel Xeon guest, 24.4 ns on the AMD EPYC these budgets were tuned on), so a budget
//! counted in pauses means something else on every machine. So each budget is in
//! nanoseconds, and [`Spin::start`] turns it into a number of pauses
//! with the cost of one pause, measured once per process on the first spin
//! (`pauses_per_nanosecond`: the fastest of a few timed runs of pauses, so that a
//! preemption during the measurement cannot inflate it).
//!
//! The budgets were measured as pause counts (BENCHMARKS.md, "How each target was met"),
//! and are those counts times the 24.4 ns a pause took on that machine (BENCHMARKS.md,
//! "Spin budgets"), so that there they spin exactly as before.
//!
//! ## A lock's waiters do not pause
//!
//! A handoff waits for a word that only its partner will write once; looking at it after
//! every pause costs nobody anything. A contended lock is different: the holder runs
//! through acquire, critical section and release again and again on the lock's cache line,
//! and every look by a waiter pulls that line away from it, so a waiter that looks often
//! slows the very critical section it waits for, and breaks up the holder's run of cheap
//! uncontended acquires. So [`Spin::LOCK`] has no pauses at all: a lock's waiter looks only
//! between yields, whose system call spaces the looks far apart (hundreds of ns) without a
//! clock, and the holder keeps its line (measured against parking_lot's 14 pauses + 7
//! yields and other shapes: BENCHMARKS.md, "How each target was met", 2).
//!
//! ## Where a spin cannot help
//!
//! * **One CPU** (the process's affinity mask or cgroup quota, as `available_parallelism`
//!   reads it): a spinning thread waits for another thread to act, which it cannot do
//!   while we hold the only CPU; so no pauses at all, only the yields, which let it run.
//! * **More runnable threads than CPUs**: not detected. Knowing it costs a system call
//!   or a read of `/proc` (microseconds, more than the budgets themselves), and a shared
//!   counter of spinning threads would put one more contended cache line on every
//!   contended path. What bounds the waste instead: every budget is short (at most a few
//!   microseconds of pauses), and the yields that follow hand the CPU to a runnable thread
//!   if there is one (and return at once if there is none).
//! * **Under loom** there is no busy-waiting at all, whatever the policy: loom takes a spin
//!   hint or a yield as "run the other threads first", which would hide exactly the
//!   schedules that matter (the waiter going to sleep before the release comes). Busy-waiting
//!   only loads, so leaving it out loses no behaviour worth checking.

#[cfg(not(loom))]
pub(crate) use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
#[cfg(loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

#[cfg(loom)]
pub(crate) use loom::thread_local;
#[cfg(not(loom))]
pub(crate) use std::thread_local;

// Timer owns a thread and shares its state with it: under loom both must be loom's, so
// that the model schedules the timer's thread and tracks the shared state's lifetime.
#[cfg(loom)]
pub(crate) use loom::{sync::Arc, thread};
#[cfg(not(loom))]
pub(crate) use std::{sync::Arc, thread};

/// Whether this thread is unwinding out of a loom model (never true without loom). Then
/// guards and other unwind-time clean-ups do nothing: loom unwinds every thread's stack
/// once an execution has failed (a deadlock, a panic), and an atomic operation there would
/// panic again inside a destructor, which aborts the process instead of failing the model:
/// a user's `#[should_panic(expected = "deadlock")]` model could not pass. Nothing is lost,
/// since the failed execution is not explored any further.
#[inline]
pub(crate) fn model_is_unwinding() -> bool {
    cfg!(loom) && std::thread::panicking()
}

/// How long a thread busy-waits on a word before it goes to sleep: time spent pausing, then
/// yields (the module doc says why the budgets are time and where a spin is skipped).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spin {
    /// Time spent pausing in all, before any yield, in nanoseconds.
    pub(crate) pause_nanos: u32,
    /// Then give up the time slice this many times, looking after each: with more threads
    /// than cores, the thread we wait for may need this very CPU.
    pub(crate) yields: u32,
}

impl Spin {
    /// For a handoff (an event, a notify, a permit): 2.44 µs of pauses (100 pauses on the
    /// tuning machine, std's count), looking after every one so that the change is seen as
    /// soon as it happens, then 3 yields, so that a partner sharing our CPU can make it
    /// (BENCHMARKS.md, "How each target was met", 1 and 4).
    pub(crate) const HANDOFF: Spin = Spin { pause_nanos: 2_440, yields: 3 };

    /// For a contended [`Lock`](crate::Lock): no pauses, 7 yields with a look after each (the
    /// module doc says why; parking_lot's count of yields). One budget covers the whole
    /// wait, lost races included.
    pub(crate) const LOCK: Spin = Spin { pause_nanos: 0, yields: 7 };

    /// For a [`Barrier`](crate::Barrier) party waiting for the rest: the handoff's pauses,
    /// then up to 16 yields, because with more threads than cores the parties still to
    /// arrive may need this very CPU (BENCHMARKS.md, "How each target was met", 3).
    pub(crate) const BARRIER: Spin = Spin { pause_nanos: 2_440, yields: 16 };

    /// A fresh budget of this policy: its time as pauses of this CPU, none when this
    /// process can run on one CPU only, and nothing at all under loom (see the module doc).
    pub(crate) fn start(self) -> Spinner {
        let (pauses, yields) = if cfg!(loom) {
            (0, 0)
        } else if !other_threads_can_run_meanwhile() {
            (0, self.yields)
        } else {
            (pauses_in(self.pause_nanos), self.yields)
        };
        Spinner { pauses, yields }
    }
}

/// Whether another thread can run while this one spins: false if this process may use
/// only one CPU (its affinity mask or cgroup quota, as `available_parallelism` reads them).
/// Asked once, on the first spin; a process that changes its own affinity afterwards keeps
/// the first answer (it only tunes the spin, never correctness).
#[cfg(not(loom))]
fn other_threads_can_run_meanwhile() -> bool {
    use core::sync::atomic::{AtomicU8, Ordering::Relaxed};
    const UNKNOWN: u8 = 0;
    const ONE_CPU: u8 = 1;
    const MANY_CPUS: u8 = 2;
    // Relaxed: a cache of a fact every thread computes the same way; racing fills agree.
    static CPUS: AtomicU8 = AtomicU8::new(UNKNOWN);
    let cpus = match CPUS.load(Relaxed) {
        UNKNOWN => {
            let many = std::thread::available_parallelism().map_or(true, |n| n.get() > 1);
            let cpus = if many { MANY_CPUS } else { ONE_CPU };
            CPUS.store(cpus, Relaxed);
            cpus
        }
        known => known,
    };
    cpus == MANY_CPUS
}

#[cfg(loom)]
fn other_threads_can_run_meanwhile() -> bool {
    false // Never asked: loom spins not at all.
}

/// How many pauses of this CPU last about `nanos` (rounded to the nearest). No time needs
/// no rate: a budget without pauses ([`Spin::LOCK`]) never pays for the measurement.
#[cfg(not(loom))]
fn pauses_in(nanos: u32) -> u32 {
    if nanos == 0 {
        return 0;
    }
    pauses_at_rate(nanos, pauses_per_nanosecond())
}

#[cfg(loom)]
fn pauses_in(_nanos: u32) -> u32 {
    0 // Never asked: loom spins not at all.
}

/// `nanos` times a rate in pauses per nanosecond, the rate in 16.16 fixed point.
#[cfg_attr(loom, allow(dead_code))] // Loom spins not at all.
fn pauses_at_rate(nanos: u32, pauses_per_nanosecond_16_16: u32) -> u32 {
    let pauses = (u64::from(nanos) * u64::from(pauses_per_nanosecond_16_16) + (1 << 15)) >> 16;
    u32::try_from(pauses).unwrap_or(u32::MAX)
}

/// How many pauses this CPU makes per nanosecond, in 16.16 fixed point (24.4 ns a pause is
/// 2 686; 1 ns is 65 536). Measured once, on the first spin that has pauses to make, then
/// cached; racing first spins each measure, and any of their answers will do.
#[cfg(not(loom))]
fn pauses_per_nanosecond() -> u32 {
    use core::sync::atomic::{AtomicU32, Ordering::Relaxed};
    // 0: not measured yet. Relaxed: a cache of a fact every thread measures alike.
    static RATE: AtomicU32 = AtomicU32::new(0);
    match RATE.load(Relaxed) {
        0 => {
            let rate = measure_pauses_per_nanosecond();
            RATE.store(rate, Relaxed);
            rate
        }
        known => known,
    }
}

/// Times runs of pauses: first doubles the run until it lasts at least a microsecond (so
/// that reading the clock is a small part of it; a few microseconds in all), then keeps the
/// fastest of 5 runs of that length, since a preemption can only make a run slower. The
/// rate is clamped to between one pause per 65 µs and 4 pauses per ns (a CPU whose
/// `spin_loop()` does nothing still makes its spin last about the intended time).
#[cfg(not(loom))]
fn measure_pauses_per_nanosecond() -> u32 {
    use std::time::{Duration, Instant};
    let time = |pauses: u32| {
        let start = Instant::now();
        for _ in 0..pauses {
            core::hint::spin_loop();
        }
        start.elapsed()
    };
    let mut run = 16u32;
    while run < 1 << 16 && time(run) < Duration::from_micros(1) {
        run *= 2;
    }
    let fastest = (0..5).map(|_| time(run)).min().unwrap_or(Duration::from_micros(1));
    let nanos = u64::try_from(fastest.as_nanos()).unwrap_or(u64::MAX).max(1);
    let rate = (u64::from(run) << 16) / nanos;
    u32::try_from(rate.clamp(1, 4 << 16)).unwrap_or(4 << 16)
}

/// What is left of one [`Spin`] budget. A caller that can lose a race after its spin (a
/// lock seen free and taken by someone else first) keeps spinning on the same budget
/// instead of either sleeping at once or starting over.
#[derive(Debug)]
pub(crate) struct Spinner {
    pauses: u32,
    yields: u32,
}

impl Spinner {
    /// Re-reads `word` while `busy(value)` holds and what remains of this budget lasts, and
    /// returns the last value seen; a later call goes on with what is left. It only ever
    /// *loads*: a CAS in a spin loop would fight the owner for the cache line it is about to
    /// release.
    #[inline]
    pub(crate) fn spin_remaining_while(
        &mut self,
        word: &AtomicU32,
        busy: impl Fn(u32) -> bool,
    ) -> u32 {
        loop {
            // Relaxed: the value is only a hint; the caller's CAS, swap or Acquire load orders.
            let value = word.load(Ordering::Relaxed);
            if !busy(value) || !self.back_off() {
                return value;
            }
        }
    }

    /// Pauses (or yields) once, spending budget; false if none was left.
    fn back_off(&mut self) -> bool {
        if self.pauses > 0 {
            core::hint::spin_loop();
            self.pauses -= 1;
            true
        } else if self.yields > 0 {
            std::thread::yield_now();
            self.yields -= 1;
            true
        } else {
            false
        }
    }
}

/// A fresh, whole budget of `spin`, spent re-reading `word` while `busy(value)` holds: the
/// common case of [`Spinner::spin_remaining_while`], for a caller that never resumes a
/// spin.
#[inline]
pub(crate) fn spin_while(word: &AtomicU32, spin: Spin, busy: impl Fn(u32) -> bool) -> u32 {
    spin.start().spin_remaining_while(word, busy)
}

/// `core::cell::UnsafeCell` with loom's closure-based interface, so that code written
/// against it is checked by loom for unsynchronised access and compiles unchanged without it.
#[cfg(not(loom))]
#[derive(Debug, Default)]
pub(crate) struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

#[cfg(not(loom))]
#[allow(dead_code)] // Used by the primitives that keep data behind their own lock.
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(core::cell::UnsafeCell::new(value))
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}

#[cfg(loom)]
#[allow(unused_imports)] // Used by the primitives that keep data behind their own lock.
pub(crate) use loom::cell::UnsafeCell;

/// Declares a constructor that is a `const fn` in normal builds (so `static L: Lock =
/// Lock::new();` works) and a plain `fn` under loom, whose atomics cannot be built in
/// const context. One body, two signatures.
macro_rules! const_fn_unless_loom {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $ret:ty $body:block) => {
        #[cfg(not(loom))]
        $(#[$attr])*
        $vis const fn $name($($arg: $ty),*) -> $ret $body

        #[cfg(loom)]
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) -> $ret $body
    };
}
pub(crate) use const_fn_unless_loom;

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn budgets_in_pauses_of_the_tuning_machine_are_the_tuned_counts() {
        // 24.4 ns a pause, the machine the counts were measured on.
        let rate = ((1u64 << 16) * 10 / 244) as u32;
        assert_eq!(pauses_at_rate(Spin::HANDOFF.pause_nanos, rate), 100);
        assert_eq!(pauses_at_rate(Spin::BARRIER.pause_nanos, rate), 100);
        assert_eq!(pauses_at_rate(Spin::LOCK.pause_nanos, rate), 0);
        // A CPU whose pause is 8.6 ns gets ~2.8x as many, for the same time.
        let rate = ((1u64 << 16) * 10 / 86) as u32;
        assert_eq!(pauses_at_rate(Spin::HANDOFF.pause_nanos, rate), 284);
        assert_eq!(pauses_at_rate(u32::MAX, u32::MAX), u32::MAX);
    }

    #[test]
    fn the_measured_pause_rate_is_cached_and_within_its_clamp() {
        let rate = pauses_per_nanosecond();
        assert!((1..=4 << 16).contains(&rate), "{rate}");
        assert_eq!(pauses_per_nanosecond(), rate);
    }

    #[test]
    fn a_budget_is_spent_pauses_first_then_yields() {
        let mut spinner = Spin::HANDOFF.start();
        let mut steps = 0;
        while spinner.back_off() {
            steps += 1;
            assert!(steps < 1_000_000, "the budget never ran out");
        }
        assert_eq!(spinner.pauses, 0);
        assert_eq!(spinner.yields, 0);
    }
}
