//! The crate's one spin policy: how long a thread busy-waits on a word before it sleeps.
//! Every budget is a [`Spin`] ([`Spin::HANDOFF`], [`Spin::LOCK`], [`Spin::NOTIFIED`],
//! [`Spin::barrier`]), and one loop, [`Spinner::spin_remaining_while`], spends them all.
//! The measurements behind each number are in BENCHMARKS.md, "Constants in src/". The rules:
//!
//! * **A handoff spins as long as a sleep costs.** A waiter that spins for as long as one
//!   block costs, then sleeps, never pays more than twice what knowing the future would
//!   have cost (the ski-rental rule; Karlin, Li, Manasse and Owicki, 1991). That cost
//!   differs tenfold between machines (a bare-metal wake-up against a halted VM's vCPU
//!   woken by an interrupt), so it is learned at run time, not tuned: `src/block_cost.rs`.
//! * **Budgets are time, not pause counts.** A spin is a run of pause instructions
//!   (`spin_loop()`) with a look at the word between them, then a few yields. A pause costs
//!   very different times on different CPUs, so each budget is in nanoseconds and
//!   [`Spin::start`] turns it into pauses of this CPU, measured once per process on the
//!   first spin (`pauses_per_nanosecond`: the fastest of a few timed runs, so that a
//!   preemption during the measurement cannot inflate it).
//! * **A long spin stops when its CPU is wanted.** More runnable threads than CPUs is not
//!   detected up front (knowing costs more than a spin), so a spin longer than
//!   [`YIELD_EVERY_NANOS`] yields once after [`MIN_BLOCK_NANOS`] of pauses, then once per
//!   `YIELD_EVERY_NANOS`, and times the yield: one with nothing else to run is a short
//!   system call; a slow one ([`SLOW_YIELD_NANOS`]) means another thread ran on this CPU,
//!   and the spin ends (its last yields and the sleep follow).
//! * **A lock's waiters do not pause.** A handoff waits for a word only its partner writes,
//!   once: looking after every pause costs nobody anything. A contended lock's holder runs
//!   acquire, critical section and release again and again on the lock's cache line, and
//!   every look by a waiter pulls that line away from it. So [`Spin::LOCK`] only yields,
//!   looking between yields, whose system call spaces the looks far apart.
//! * **A notified waiter re-taking its lock looks after 1, 2, 4, ... pauses**
//!   ([`Spin::NOTIFIED`], then the lock's yields). Its notifier held the lock when it
//!   notified and most often lets it go within a few looks: a handoff, in which a yield
//!   only loses time. Where the lock is busy with a stream instead (a queue's producers
//!   and consumers), looks ever further apart seldom take its line from the threads using
//!   it (exponential back-off, as parking_lot's `SpinWait`).
//! * **A barrier spins as a handoff only if all its parties can run at once** (no more
//!   parties than CPUs); otherwise the parties still to come need the CPUs, and its pauses
//!   stay short and fixed before its yields ([`Spin::barrier`]).
//! * **One CPU** (affinity mask or cgroup quota, as `available_parallelism` reads it): no
//!   pauses, only the yields, which let the thread we wait for run.
//! * **Under loom** nothing spins: loom takes a spin hint or a yield as "run the other
//!   threads first", which would hide the schedules that matter (the waiter asleep before
//!   the release comes). A spin only loads a word that the wait checks again before it
//!   sleeps, so leaving it out loses no behaviour.

use crate::block_cost::{self, MIN_BLOCK_NANOS};
use crate::sync::{AtomicU32, Ordering};

/// A yield that takes longer than this let another thread run: above one `sched_yield`
/// with nothing else to run, below a turn of another thread on the CPU.
pub(crate) const SLOW_YIELD_NANOS: u32 = 5_000;

/// A spin longer than this yields, and looks whether its CPU is wanted, once per this much
/// pausing (module doc).
pub(crate) const YIELD_EVERY_NANOS: u32 = 10_000;

/// How long a thread busy-waits on a word before it goes to sleep: time spent pausing, then
/// yields (the module doc says why the budgets are time and where a spin is skipped).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Spin {
    /// How long to pause in all, before the yields.
    pauses: Pauses,
    /// Then give up the time slice this many times, looking after each: with more threads
    /// than cores, the thread we wait for may need this very CPU.
    yields: u32,
    /// How far apart the looks between the pauses are.
    looks: Looks,
}

/// How often a [`Spin`] looks at the word while it pauses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Looks {
    /// After every pause: the change is seen as soon as it happens.
    EveryPause,
    /// After 1, 2, 4, ... pauses: soon if the change comes soon, and then rarely, so that
    /// the looks take the line from the threads using it less and less often.
    Doubling,
}

/// How long a [`Spin`] pauses before its yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pauses {
    /// Not at all: look only between yields.
    None,
    /// This many nanoseconds.
    For(u32),
    /// As long as one sleep + wake costs on this machine, as learned so far (module doc).
    AsLongAsABlock,
}

impl Spin {
    /// For a handoff (an event, a notify, a permit): pauses for as long as a sleep + wake
    /// costs here, looking after every one so that the change is seen as soon as it
    /// happens, then 3 yields, so that a partner sharing our CPU can make it.
    pub(crate) const HANDOFF: Spin =
        Spin { pauses: Pauses::AsLongAsABlock, yields: 3, looks: Looks::EveryPause };

    /// For a contended [`Lock`](crate::Lock): no pauses, 7 yields with a look after each (the
    /// module doc says why; parking_lot's count of yields). One budget covers the whole
    /// wait, lost races included.
    pub(crate) const LOCK: Spin =
        Spin { pauses: Pauses::None, yields: 7, looks: Looks::EveryPause };

    /// For a `Condition` or `Condvar` wait re-taking its lock: pauses for
    /// [`MIN_BLOCK_NANOS`], looking after 1, 2, 4, ... of them, then [`Spin::LOCK`]'s
    /// yields (the module doc says why).
    pub(crate) const NOTIFIED: Spin =
        Spin { pauses: Pauses::For(MIN_BLOCK_NANOS), yields: 7, looks: Looks::Doubling };

    /// For a [`Barrier`](crate::Barrier) of more parties than CPUs: a short, fixed run of
    /// pauses, then up to 16 yields, because the parties still to arrive may need this
    /// very CPU.
    const BARRIER_CROWDED: Spin =
        Spin { pauses: Pauses::For(2_440), yields: 16, looks: Looks::EveryPause };

    /// For a [`Barrier`](crate::Barrier) party waiting for the rest: with no more `parties`
    /// than CPUs, the handoff's pauses (the last party to arrive is running, somewhere);
    /// with more, [`Spin::BARRIER_CROWDED`]'s. Either way then 16 yields.
    pub(crate) fn barrier(parties: usize) -> Spin {
        if parties <= available_cpus() {
            Spin { pauses: Pauses::AsLongAsABlock, ..Spin::BARRIER_CROWDED }
        } else {
            Spin::BARRIER_CROWDED
        }
    }

    /// A fresh budget of this policy: its time as pauses of this CPU, none when this
    /// process can run on one CPU only, and nothing at all under loom (see the module doc).
    pub(crate) fn start(self) -> Spinner {
        if cfg!(loom) {
            return Spinner::new(0, 0, 0, 0);
        }
        if available_cpus() <= 1 {
            return Spinner::new(0, self.yields, 0, 0);
        }
        let nanos = match self.pauses {
            Pauses::None => 0,
            Pauses::For(nanos) => nanos,
            Pauses::AsLongAsABlock => block_cost::nanos(),
        };
        let pauses = pauses_in(nanos);
        // No pauses, no slices: a budget without pauses never measures the pause rate.
        let slice = if pauses == 0 { 0 } else { pauses_in(YIELD_EVERY_NANOS) };
        if pauses > slice {
            // A long spin: a first look at whether this CPU is wanted after the least block
            // cost, then one per slice (the module doc).
            Spinner::new(pauses, self.yields, pauses_in(MIN_BLOCK_NANOS), slice)
        } else {
            Spinner::new(pauses, self.yields, 0, 0)
        }
        .with_looks(self.looks)
    }
}

/// How many CPUs this process may use (its affinity mask or cgroup quota, as
/// `available_parallelism` reads them; many if it cannot tell). Asked once, on the first
/// spin; a process that changes its own affinity afterwards keeps the first answer (it
/// only tunes the spin, never correctness).
fn available_cpus() -> usize {
    use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
    // 0: not asked yet. Relaxed: a cache of a fact every thread computes the same way.
    static CPUS: AtomicUsize = AtomicUsize::new(0);
    match CPUS.load(Relaxed) {
        0 => {
            // Unknown counts as many: a spin that cannot help costs a little time, a spin
            // skipped where it would help costs a sleep per handoff.
            let cpus = std::thread::available_parallelism().map_or(usize::MAX, |n| n.get());
            CPUS.store(cpus, Relaxed);
            cpus
        }
        known => known,
    }
}

/// How many pauses of this CPU last about `nanos` (rounded to the nearest). No time needs
/// no rate: a budget without pauses ([`Spin::LOCK`]) never pays for the measurement.
fn pauses_in(nanos: u32) -> u32 {
    if nanos == 0 {
        return 0;
    }
    pauses_at_rate(nanos, pauses_per_nanosecond())
}

/// `nanos` times a rate in pauses per nanosecond, the rate in 16.16 fixed point.
fn pauses_at_rate(nanos: u32, pauses_per_nanosecond_16_16: u32) -> u32 {
    let pauses = (u64::from(nanos) * u64::from(pauses_per_nanosecond_16_16) + (1 << 15)) >> 16;
    u32::try_from(pauses).unwrap_or(u32::MAX)
}

/// How many pauses this CPU makes per nanosecond, in 16.16 fixed point (24.4 ns a pause is
/// 2 686; 1 ns is 65 536). Measured once, on the first spin that has pauses to make, then
/// cached; racing first spins each measure, and any of their answers will do.
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
    /// Pauses between two yields of a long spin; 0: never.
    slice: u32,
    /// Pauses left before the next of those yields.
    until_yield: u32,
    /// Pauses before the next look: 1, doubled after each look if `looks` says so.
    gap: u32,
    /// How the looks are spaced (the budget's [`Spin::looks`]).
    looks: Looks,
}

impl Spinner {
    /// `pauses`, the first `first` of them, then every `slice`, a yield that ends the
    /// pauses if it was slow (0: none); then `yields`.
    fn new(pauses: u32, yields: u32, first: u32, slice: u32) -> Spinner {
        Spinner { pauses, yields, slice, until_yield: first, gap: 1, looks: Looks::EveryPause }
    }

    /// The same budget, its looks spaced as `looks` says.
    fn with_looks(self, looks: Looks) -> Spinner {
        Spinner { looks, ..self }
    }

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

    /// Pauses until the next look (or yields once), spending budget; false if none was
    /// left.
    fn back_off(&mut self) -> bool {
        self.back_off_with(yield_was_quick)
    }

    /// [`back_off`](Self::back_off), with the slice's yield as `yield_once`, which says
    /// whether this CPU was free (a test's stand-in for [`yield_was_quick`]).
    fn back_off_with(&mut self, mut yield_once: impl FnMut() -> bool) -> bool {
        if self.pauses > 0 {
            for _ in 0..self.gap {
                if self.pauses == 0 {
                    break;
                }
                self.pause_once(&mut yield_once);
            }
            if self.looks == Looks::Doubling {
                self.gap = self.gap.saturating_mul(2);
            }
            true
        } else if self.yields > 0 {
            std::thread::yield_now();
            self.yields -= 1;
            true
        } else {
            false
        }
    }

    /// One pause of the budget, or the slice's yield in its place (the module doc).
    fn pause_once(&mut self, yield_once: &mut impl FnMut() -> bool) {
        self.pauses -= 1;
        if self.until_yield == 1 {
            self.until_yield = self.slice;
            if !yield_once() {
                // Another thread was waiting for this CPU: spinning on would take it from
                // such threads again, so on to the last yields and the sleep.
                self.pauses = 0;
            }
        } else {
            self.until_yield = self.until_yield.saturating_sub(1);
            core::hint::spin_loop();
        }
    }
}

/// Yields once, and says whether that was quick (under [`SLOW_YIELD_NANOS`]): a yield
/// with no other thread ready on this CPU is one short system call; a slow one means that
/// another thread ran here meanwhile, so that this CPU is wanted.
fn yield_was_quick() -> bool {
    let start = std::time::Instant::now();
    std::thread::yield_now();
    start.elapsed() < std::time::Duration::from_nanos(u64::from(SLOW_YIELD_NANOS))
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
    use crate::block_cost::MAX_BLOCK_NANOS;

    #[test]
    fn fixed_budgets_in_pauses_of_the_tuning_machine_are_the_tuned_counts() {
        // 24.4 ns a pause, the machine the counts were measured on.
        let rate = ((1u64 << 16) * 10 / 244) as u32;
        assert_eq!(Spin::BARRIER_CROWDED.pauses, Pauses::For(2_440));
        assert_eq!(pauses_at_rate(2_440, rate), 100);
        assert_eq!(Spin::LOCK.pauses, Pauses::None);
        assert_eq!(Spin::HANDOFF.pauses, Pauses::AsLongAsABlock);
        // The least block cost is a little less than the old handoff budget; the most, 41x.
        assert_eq!(pauses_at_rate(MIN_BLOCK_NANOS, rate), 82);
        assert_eq!(pauses_at_rate(MAX_BLOCK_NANOS, rate), 4_097);
        // A CPU whose pause is 8.6 ns gets ~2.8x as many, for the same time.
        let rate = ((1u64 << 16) * 10 / 86) as u32;
        assert_eq!(pauses_at_rate(2_440, rate), 284);
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
        // A lock's budget: yields only, no slices (nor a pause rate to convert them with).
        let spinner = Spin::LOCK.start();
        assert_eq!((spinner.pauses, spinner.slice), (0, 0));
        if available_cpus() > 1 {
            assert_eq!(spinner.yields, 7);
        }
    }

    #[test]
    fn doubling_looks_spend_the_same_budget_in_fewer_looks() {
        assert_eq!(Spin::NOTIFIED.pauses, Pauses::For(MIN_BLOCK_NANOS));
        assert_eq!((Spin::NOTIFIED.yields, Spin::NOTIFIED.looks), (7, Looks::Doubling));
        // 20 pauses: looks after 1, 2, 4, 8 more, then the last 5; then the one yield.
        let mut spinner = Spinner::new(20, 1, 0, 0).with_looks(Looks::Doubling);
        let mut left = Vec::new();
        while spinner.back_off_with(|| unreachable!("no slices")) {
            left.push((spinner.pauses, spinner.yields));
        }
        assert_eq!(left, [(19, 1), (17, 1), (13, 1), (5, 1), (0, 1), (0, 0)]);
        // Looks after every pause: one pause per look.
        let mut spinner = Spinner::new(3, 0, 0, 0);
        assert!(spinner.back_off_with(|| unreachable!("no slices")));
        assert_eq!(spinner.pauses, 2);
    }

    #[test]
    fn a_long_spin_yields_after_its_first_slice_then_once_per_slice() {
        // 10 pauses; a yield in place of the 2nd, then of every 4th (6th, 10th); then 2 yields.
        let mut spinner = Spinner::new(10, 2, 2, 4);
        let mut yielded_at = Vec::new();
        let mut steps = 0;
        while spinner.back_off_with(|| {
            yielded_at.push(steps + 1);
            true
        }) {
            steps += 1;
        }
        assert_eq!(yielded_at, [2, 6, 10]);
        assert_eq!(steps, 12);
        // No slice: never a yield among the pauses.
        let mut spinner = Spinner::new(5, 0, 0, 0);
        while spinner.back_off_with(|| unreachable!("a yield among the pauses")) {}
    }

    #[test]
    fn a_slow_slice_yield_ends_the_pauses_but_not_the_last_yields() {
        let mut spinner = Spinner::new(1_000, 3, 2, 4);
        assert!(spinner.back_off_with(|| unreachable!("not yet")));
        assert!(spinner.back_off_with(|| false)); // Slow: this CPU is wanted.
        assert_eq!((spinner.pauses, spinner.yields), (0, 3));
        let mut steps = 0;
        while spinner.back_off_with(|| unreachable!("the pauses are over")) {
            steps += 1;
        }
        assert_eq!(steps, 3);
    }

    #[test]
    fn only_a_spin_longer_than_a_slice_is_sliced() {
        let rate = pauses_per_nanosecond();
        let long = Spin { pauses: Pauses::For(4 * YIELD_EVERY_NANOS), ..Spin::HANDOFF }.start();
        let short = Spin { pauses: Pauses::For(YIELD_EVERY_NANOS / 2), ..Spin::HANDOFF }.start();
        if available_cpus() > 1 {
            assert_eq!(long.slice, pauses_at_rate(YIELD_EVERY_NANOS, rate));
            assert_eq!(long.until_yield, pauses_at_rate(MIN_BLOCK_NANOS, rate));
        }
        assert_eq!((short.slice, short.until_yield), (0, 0));
    }

    #[test]
    fn a_barrier_spins_as_a_handoff_only_when_every_party_has_a_cpu() {
        assert_eq!(Spin::barrier(1).pauses, Pauses::AsLongAsABlock);
        assert_eq!(Spin::barrier(usize::MAX).pauses, Pauses::For(2_440));
        assert_eq!(Spin::barrier(usize::MAX).yields, 16);
        let cpus = available_cpus();
        assert_eq!(Spin::barrier(cpus).pauses, Pauses::AsLongAsABlock);
    }
}
