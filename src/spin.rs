//! The crate's one spin policy: how long a thread busy-waits on a word before it sleeps.
//! Every budget is a [`Spin`] constant (`HANDOFF`, `LOCK`, `BARRIER`), and one loop,
//! [`Spinner::spin_remaining_while`], spends them all. Measured costs and how each budget
//! was chosen are in BENCHMARKS.md ("Spin budgets"); the rules are these:
//!
//! * **Budgets are time, not pause counts.** A spin is a run of pause instructions
//!   (`spin_loop()`) with a look at the word between them, then a few yields. A pause costs
//!   very different times on different CPUs, so each budget is in nanoseconds and
//!   [`Spin::start`] turns it into pauses of this CPU, measured once per process on the
//!   first spin (`pauses_per_nanosecond`: the fastest of a few timed runs, so that a
//!   preemption during the measurement cannot inflate it).
//! * **A lock's waiters do not pause.** A handoff waits for a word only its partner writes,
//!   once: looking after every pause costs nobody anything. A contended lock's holder runs
//!   acquire, critical section and release again and again on the lock's cache line, and
//!   every look by a waiter pulls that line away from it. So [`Spin::LOCK`] only yields,
//!   looking between yields, whose system call spaces the looks far apart.
//! * **One CPU** (affinity mask or cgroup quota, as `available_parallelism` reads it): no
//!   pauses, only the yields, which let the thread we wait for run. **More runnable threads
//!   than CPUs** is not detected (knowing costs more than the budgets); every budget is
//!   short, and the yields hand the CPU to a runnable thread if there is one.
//! * **Under loom** nothing spins: loom takes a spin hint or a yield as "run the other
//!   threads first", which would hide the schedules that matter (the waiter asleep before
//!   the release comes). A spin only loads, so leaving it out loses no behaviour.
//!
//! Tests: the unit tests below (budgets convert to the tuned counts, the rate is cached and
//! clamped, a budget is spent pauses first, then yields).

use crate::sync::{AtomicU32, Ordering};

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
